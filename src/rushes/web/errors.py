"""Bad input becomes a clear JSON error with the right status, never a 500."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rushes.domain.shots import ShotFieldError
from rushes.domain.text import shorten
from rushes.media.probe import MediaError
from rushes.media.store import InvalidMediaKey, MediaUnwritable
from rushes.services.accounts import InsufficientCredits
from rushes.services.errors import Conflict, NotFound
from rushes.web.error_pages import error_answer


log = logging.getLogger("rushes.web")
ECHO_LIMIT = 80  # characters of a refused input a 422 may echo back


def _echo(value):
    """A refused input, echoed only when it is short and JSON can carry it; None otherwise."""
    if value is None or isinstance(value, (bool, int)):
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
    async def _invalid(request: Request, exc: RequestValidationError):
        # FastAPI's default echoes the whole input (a 1 MB string, a NaN JSON cannot carry); this never does.
        return error_answer(request, 422, {"detail": validation_errors(exc.errors())})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        # An address no route answers (404) or a method it does not take (405): a page for a browser.
        return error_answer(request, exc.status_code, {"detail": exc.detail}, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # The traceback goes to the (redacted) log; the client gets no internals, secrets included.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_answer(request, 500, {"detail": "internal error"})

    @app.exception_handler(NotFound)
    @app.exception_handler(LookupError)
    async def _not_found(request: Request, exc: LookupError):
        return error_answer(request, 404, {"detail": str(exc).strip("'\"")})

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

    @app.exception_handler(MediaUnwritable)
    async def _media_unwritable(request: Request, exc: MediaUnwritable):
        # An operator's problem (read-only or full media folder), said plainly; the folder's path stays in the log.
        log.error("media store refused a write on %s %s: %s", request.method, request.url.path, exc.reason)
        return JSONResponse({"detail": f"the media store cannot save files right now ({exc.reason}); nothing was "
                                       "saved, ask the operator to check it"}, status_code=503)

    @app.exception_handler(InsufficientCredits)
    async def _no_credits(_: Request, exc: InsufficientCredits):
        return JSONResponse({"detail": str(exc), "needed": exc.needed, "balance": exc.balance,
                             "shortfall": exc.shortfall}, status_code=402)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict):
        return error_answer(request, 409, {"detail": exc.message, **exc.details})
