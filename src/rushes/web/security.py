"""What every response carries and every request must pass before routing: allowed Host, security headers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

from rushes.web.access import Denied, SignInRequired, wants_json
from rushes.web.static_assets import import_map_source

# No inline script anywhere but the import map, allowed by its hash (pages pass data in data-* attributes and
# JSON blocks); styles may be inline because the player's shadow root and a few templates set them. blob: is
# for MSE playback.
def csp(media_sources: str = "") -> str:
    """`media_sources`: where else media may load from (signed object-store URLs), e.g. "https:"."""
    extra = f" {media_sources}" if media_sources else ""
    return (f"default-src 'self'; script-src 'self' {import_map_source()}; style-src 'self' 'unsafe-inline'; "
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


def proxy_options(settings) -> dict:
    """Uvicorn's forwarded-header handling: off unless RUSHES_TRUSTED_PROXIES names the proxies.

    Uvicorn on its own believes X-Forwarded-For and -Proto from 127.0.0.1, so anything on the same host
    (or a local port-forward) could pick the client address the sign-in limits count.
    """
    trusted = settings.trusted_proxy_list
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or ""}


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
            from rushes.web.error_pages import error_answer  # (a page when a browser typed it)

            return error_answer(request, exc.status, {"detail": exc.message})
        from rushes.web.pages.helpers import templates

        return templates.TemplateResponse(request, "refused.html", {"request": request, "status": exc.status,
                                                                     "message": exc.message}, status_code=exc.status)
