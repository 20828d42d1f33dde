"""Operator routes: /healthz (alive), /readyz (can serve: database, media, a worker), /metrics (Prometheus).

All three are public to the access guard by explicit policy (a load balancer or Prometheus has no
session); /metrics then admits only loopback callers that no proxy relayed, or the metrics token.
/readyz names failing checks but not their details (hosts, buckets): those go to the log and to
`rushes doctor`.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from rushes.observe import logs
from rushes.observe.metrics import HTTP_SECONDS
from rushes.web.access import access

router = APIRouter()
log = logging.getLogger("rushes.http")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
RELAY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@router.get("/healthz", include_in_schema=False)
@access(public=True)
def healthz() -> dict:
    return {"status": "alive"}


@router.get("/readyz", include_in_schema=False)
@access(public=True)
def readyz(request: Request) -> JSONResponse:
    from rushes.observe.checks import readiness

    checks = readiness(request.app.state.rushes)
    failing = [c.name for c in checks if not c.ok]
    for check in checks:
        if not check.ok:
            log.warning("not ready: %s", check.line())
    return JSONResponse({"ready": not failing, "checks": {c.name: c.ok for c in checks}},
                        status_code=503 if failing else 200)


def metrics_allowed(request: Request) -> bool:
    token = request.app.state.rushes.settings.metrics_token
    header = request.headers.get("authorization", "")
    if token and header.lower().startswith("bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    host = request.client.host if request.client else ""
    # A proxy on the same machine makes every visitor look local: relayed requests never count as loopback.
    return host in LOOPBACK and not any(request.headers.get(h) for h in RELAY_HEADERS)


@router.get("/metrics", include_in_schema=False)
@access(public=True)
def metrics(request: Request) -> Response:
    from prometheus_client import CONTENT_TYPE_LATEST

    from rushes.observe.metrics import exposition

    if not metrics_allowed(request):
        return JSONResponse({"detail": "metrics are readable from loopback or with the metrics bearer token"},
                            status_code=403)
    return Response(exposition(request.app.state.rushes), media_type=CONTENT_TYPE_LATEST)


class RequestTelemetry:
    """Plain ASGI: a request id for logs (X-Request-ID in and out) and latency by route template."""

    def __init__(self, app, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log  # with JSON logs this line replaces uvicorn's (it has the request id)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        offered = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex[:16]
        tokens = (logs.request_id.set(rid), logs.take_id.set(logs.take_in_path(scope.get("path", ""))))
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = list(message.get("headers", [])) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or ("/static" if scope.get("path", "").startswith("/static/")
                                                         else "unmatched")
            HTTP_SECONDS.labels(scope.get("method", ""), template, str(status["code"])).observe(seconds)
            if self.access_log and template != "/static":
                log.info("%s %s %s %.3fs", scope.get("method"), template, status["code"], seconds)
            logs.request_id.reset(tokens[0])
            logs.take_id.reset(tokens[1])
