"""Request bodies are bounded while they stream, before any parser spools them to memory or disk.

An ASGI middleware counts the bytes the app pulls from `receive` and stops at the limit: a
declared Content-Length above it is refused before a byte is read, and an undeclared (chunked)
body is cut off with 413 the moment it passes the limit. Image uploads get the image limit plus
room for the multipart envelope; every other body (JSON, forms) gets 1 MB.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException

from rushes.media.probe import MAX_IMAGE_BYTES

JSON_BODY_LIMIT = 1024 * 1024
MULTIPART_ENVELOPE = 16 * 1024  # boundaries, part headers and the small `kind` field
UPLOAD_PATHS = re.compile(r"^/api/shots/[^/]+/frames/upload$")
IMPORT_FILE_LIMIT = 8 * 1024 * 1024  # a project file of a feature (1,000 shots) is a few MB of JSON
IMPORT_PATH = "/api/projects/import"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the {limit // 1024} KB limit")
        self.limit = limit


def body_limit(path: str) -> int:
    if path == IMPORT_PATH:
        return IMPORT_FILE_LIMIT + MULTIPART_ENVELOPE
    return MAX_IMAGE_BYTES + MULTIPART_ENVELOPE if UPLOAD_PATHS.match(path) else JSON_BODY_LIMIT


class BodyLimitMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, BodyTooLarge(limit) if declared.isdigit() else None)
            return
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as err:
            # Routes turn it into a 413 themselves; this catches a reader outside FastAPI's handlers.
            if started:
                raise
            await _refuse(send, err)


async def _refuse(send, err: BodyTooLarge | None) -> None:
    status, detail = (413, err.detail) if err else (400, "Content-Length must be a number of bytes")
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
