"""Bad input becomes a clear JSON error with the right status, never a 500."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rushes.domain.shots import ShotFieldError
from rushes.domain.text import shorten
from rushes.media.probe import MediaError
from rushes.media.store import InvalidMediaKey
from rushes.services.accounts import InsufficientCredits
from rushes.services.errors import Conflict, NotFound


log = logging.getLogger("rushes.web")
ECHO_LIMIT = 80  # characters of a refused input a 422 may echo back


def _echo(value):
    """A refused input, echoed only when it is short and JSON can carry it; None otherwise."""
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value if not isinstance(value, int) or abs(value) < 10**20 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return shorten(value, ECHO_LIMIT)
    return None  # objects and lists are not echoed: they can be arbitrarily large


def validation_errors(errors) -> list[dict]:
    out = []
    for err in errors:
        item = {"loc": [p if isinstance(p, int) else shorten(str(p), 40) for p in err.get("loc", ())],
                "msg": shorten(str(err.get("msg", "")), 200), "type": str(err.get("type", ""))}
        echoed = _echo(err.get("input"))
        if echoed is not None:
            item["input"] = echoed
        out.append(item)
    return out[:20]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        # FastAPI's default echoes the whole input (a 1 MB string, a NaN JSON cannot carry); this never does.
        return JSONResponse({"detail": validation_errors(exc.errors())}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # The traceback goes to the (redacted) log; the client gets no internals, secrets included.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(NotFound)
    @app.exception_handler(LookupError)
    async def _not_found(_: Request, exc: LookupError):
        return JSONResponse({"detail": str(exc).strip("'\"")}, status_code=404)

    @app.exception_handler(ShotFieldError)
    async def _bad_field(_: Request, exc: ShotFieldError):
        return JSONResponse({"detail": [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]},
                            status_code=422)

    @app.exception_handler(MediaError)
    async def _bad_media(_: Request, exc: MediaError):
        return JSONResponse({"detail": exc.reason}, status_code=422)

    @app.exception_handler(InvalidMediaKey)
    async def _bad_key(_: Request, exc: InvalidMediaKey):
        return JSONResponse({"detail": "unknown media"}, status_code=404)

    @app.exception_handler(InsufficientCredits)
    async def _no_credits(_: Request, exc: InsufficientCredits):
        return JSONResponse({"detail": str(exc), "needed": exc.needed, "balance": exc.balance,
                             "shortfall": exc.shortfall}, status_code=402)

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict):
        return JSONResponse({"detail": exc.message, **exc.details}, status_code=409)
