"""A busy database answers 503 with Retry-After within seconds, instead of a 500 after 30 s.

Every request runs its transactions under a TransactionMode (rushes.store.db): GET, HEAD and OPTIONS
read (on SQLite: a deferred BEGIN, so no write lock and no wait for the writer), anything else writes
(BEGIN IMMEDIATE, so spending still serialises); both give up on the lock after RUSHES_DB_BUSY_SECONDS.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from rushes.store.db import TransactionMode, database_busy, transaction_mode

log = logging.getLogger("rushes.web")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
RETRY_AFTER_SECONDS = 2


class TransactionModeMiddleware:
    """Plain ASGI, so the context variable it sets is what the route's threads copy."""

    def __init__(self, app, busy_seconds: float) -> None:
        self.app = app
        self.busy_ms = int(busy_seconds * 1000)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        mode = TransactionMode(write=scope.get("method", "GET") not in READ_METHODS, busy_ms=self.busy_ms)
        token = transaction_mode.set(mode)
        try:
            await self.app(scope, receive, send)
        finally:
            transaction_mode.reset(token)


def install_busy_answers(app: FastAPI, settings) -> None:
    app.add_middleware(TransactionModeMiddleware, busy_seconds=settings.db_busy_seconds)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError):
        if not database_busy(exc):
            log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
            return JSONResponse({"detail": "internal error"}, status_code=500)
        log.warning("database busy on %s %s: answered 503", request.method, request.url.path)
        return JSONResponse({"detail": "the database is busy; try again in a moment"}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
