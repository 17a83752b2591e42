"""API errors: JSON with a stable code and a human message; never a 500 for bad input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from vtconnect_care.domain import messages

from .redact import mask

log = logging.getLogger("vtconnect.server")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}

    def body(self) -> dict:
        err: dict = {"code": self.code, "message": self.message}
        if self.fields:
            err["fields"] = self.fields
        return {"error": err}


def bad_request(code: str, message: str, **fields: str) -> ApiError:
    return ApiError(400, code, message, fields=fields or None)


def validation(fields: dict[str, str]) -> ApiError:
    return ApiError(
        422, "validation_error", "Please correct the highlighted fields.", fields=fields
    )


def forbidden(message: str = messages.FORBIDDEN) -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(message: str = messages.NOT_FOUND) -> ApiError:
    return ApiError(404, "not_found", message)


def unauthenticated(code: str = "not_authenticated", message: str = messages.NOT_AUTHENTICATED):
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


OUT_OF_RANGE = "A number or date in the request is out of range."

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields: dict[str, str] = {}
        for err in exc.errors():
            fields.setdefault(_field_name(tuple(err.get("loc", ()))), str(err.get("msg", "")))
        return JSONResponse(validation(fields).body(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = messages.NOT_FOUND
        return JSONResponse(
            {"error": {"code": code, "message": message}},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        """A backstop behind the bounded types of api/bounds.py: a number or date too large
        for the database or for date arithmetic is the caller's mistake, not a 500."""
        log.warning("value out of range on %s %s", request.method, mask(request.url.path))
        return JSONResponse(bad_request("out_of_range", OUT_OF_RANGE).body(), status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, mask(request.url.path))
        return JSONResponse(
            {
                "error": {
                    "code": "internal_error",
                    "message": messages.INTERNAL_ERROR,
                }
            },
            status_code=500,
        )
