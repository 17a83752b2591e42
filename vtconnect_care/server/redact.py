"""Secrets out of logs: the tokens in links and paths are masked wherever a URL is logged.

Password-reset, account set-up and email-confirmation links carry their token in the query
(`?token=`), visit links in the path (`/visit/<token>`); uvicorn's access log writes both, as
does the outbox when it notes a mail's links. Masked here, they read `token=[token]`.
"""

from __future__ import annotations

import logging
import re

MASK = "[token]"
_QUERY_SECRET = re.compile(r"(?i)([?&;](?:token|code|secret|password|recovery_code)=)[^&#\s\"']+")
_PATH_SECRET = re.compile(r"(/visit/|/api/v1/visit-links/)(?!join\b|hang-up\b)[^/?#\s\"']+")
_LOGGERS = ("uvicorn.access", "uvicorn.error")


def mask(text: str) -> str:
    """`text` with every token in a query string or a visit-link path replaced by [token]."""
    return _PATH_SECRET.sub(rf"\1{MASK}", _QUERY_SECRET.sub(rf"\1{MASK}", text))


class RedactSecrets(logging.Filter):
    """Masks the arguments (uvicorn logs the path with its query as one) and plain messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = mask(record.msg)
        return True


def install() -> None:
    """Once per process, on uvicorn's loggers (process-wide by nature)."""
    for name in _LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())
