"""Bad input becomes a clear JSON error with the right status, never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rushes.domain.shots import ShotFieldError
from rushes.media.probe import MediaError
from rushes.media.store import InvalidMediaKey
from rushes.services.accounts import InsufficientCredits
from rushes.services.errors import Conflict, NotFound


def install_error_handlers(app: FastAPI) -> None:
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
