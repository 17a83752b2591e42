"""The pre-call connection test: GET /precall (is it on, which ICE servers), POST /precall (an
offer in, the test peer's answer out). For signed-in accounts and visit-link holders, with the
token as ``Authorization: Bearer``; off with VTCONNECT_PRECALL=0 (404 precall_disabled)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words

from ..errors import ApiError
from ..precall import access
from ..precall import service as precall_service
from ..services import care_sessions
from .deps import DbDep, SettingsDep, bearer_token

router = APIRouter(tags=["pre-call test"])

MAX_SDP = 32_000


class OfferIn(BaseModel):
    type: Literal["offer"] = "offer"
    sdp: str = Field(min_length=10, max_length=MAX_SDP)


def get_tester(request: Request, db: DbDep, settings: SettingsDep) -> access.Tester:
    if not settings.precall_enabled:
        raise ApiError(404, "precall_disabled", words.DISABLED)
    return access.tester(db, settings, bearer_token(request))


TesterDep = Annotated[access.Tester, Depends(get_tester)]


@router.get("/precall")
def precall_config(who: TesterDep, settings: SettingsDep) -> dict:
    """What the tester needs before its offer: the ICE servers (TURN credentials included)."""
    return {
        "enabled": True,
        "ice_servers": care_sessions.ice_servers(
            settings, account_id=who.account_id, now=settings.clock.now()
        ),
        "seconds": rules.DEFAULT_SECONDS,
        "max_seconds": settings.precall_max_seconds,
    }


def _count(request: Request, who: access.Tester) -> None:
    with request.app.state.session_factory() as db:
        access.count_test(db, request.app.state.settings, who)


@router.post("/precall")
async def precall_start(body: OfferIn, request: Request, who: TesterDep) -> dict:
    """Start a test: 429 precall_busy over the concurrent bound, 429 rate_limited too often."""
    service = precall_service.of(request.app)
    place = service.reserve()
    try:
        await run_in_threadpool(_count, request, who)
        peer_id, sdp = await service.start(place, who, body.sdp)
    except BaseException:
        place.release()
        raise
    return {"id": peer_id, "type": "answer", "sdp": sdp}
