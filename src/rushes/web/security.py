"""What every response carries and every request must pass before routing: allowed Host, security headers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

from rushes.web.access import Denied, SignInRequired, wants_json

# No inline script anywhere (pages pass data in data-* attributes and JSON blocks); styles may be
# inline because the player's shadow root and a few templates set them. blob: is for MSE playback.
def csp(media_sources: str = "") -> str:
    """`media_sources`: where else media may load from (signed object-store URLs), e.g. "https:"."""
    extra = f" {media_sources}" if media_sources else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{extra}; media-src 'self' blob:{extra}; connect-src 'self'{extra}; "
            "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Plain ASGI (not BaseHTTPMiddleware) so event streams and file ranges pass through untouched."""

    def __init__(self, app, media_sources: str = "") -> None:
        self.app = app
        self.headers = [(b"content-security-policy", csp(media_sources).encode()), *HEADERS]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI, settings) -> None:
    """Host check (DNS rebinding), headers, and the answers the guard's refusals become."""
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_host_list)
    # Signed object-store URLs (RUSHES_MEDIA_DELIVERY=signed) send the player to the bucket's host.
    signed = getattr(settings, "media_delivery", "proxy") == "signed"
    sources = ("https:" + (" http:" if getattr(settings, "media_allow_http", False) else "")) if signed else ""
    app.add_middleware(SecurityHeaders, media_sources=sources)  # added last: outermost, so the 400 has them too

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired):
        if wants_json(request) or request.method != "GET":
            return JSONResponse({"detail": "sign in required"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Denied)
    async def _denied(request: Request, exc: Denied):
        if wants_json(request) or exc.status == 422:  # a malformed id is answered as FastAPI would
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        from rushes.web.pages.helpers import templates

        return templates.TemplateResponse(request, "refused.html", {"request": request, "status": exc.status,
                                                                     "message": exc.message}, status_code=exc.status)
