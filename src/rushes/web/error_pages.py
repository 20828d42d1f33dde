"""Errors met by a browser navigating (a page, a link, a typed address) are pages with a way back; API
clients, media and scripts asking for JSON still get the JSON answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from rushes.web.access import wants_json

TITLES = {400: "Bad request", 401: "Sign in needed", 402: "Not enough credits", 403: "Not allowed",
          404: "Not found", 405: "Not here", 409: "Not now", 413: "Too large", 422: "That address is not right",
          500: "Something went wrong"}


def navigating(request: Request) -> bool:
    """A browser asking for a page: GET or HEAD, HTML accepted, outside the JSON routes."""
    return (request.method in ("GET", "HEAD") and not wants_json(request)
            and "text/html" in request.headers.get("accept", ""))


def _back(request: Request) -> str | None:
    """The page the user came from, when it is on this site (never a link elsewhere)."""
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.url.netloc:
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return target if target.startswith("/") and not target.startswith("//") and target != request.url.path else None


def _message(detail) -> str:
    if isinstance(detail, list):  # a validation error: name the parts that were refused
        return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:]) or 'value'}: {d.get('msg', '')}"
                         for d in detail if isinstance(d, dict)) or "the request was refused"
    return str(detail)


def error_answer(request: Request, status: int, body: dict, headers: dict | None = None):
    """The HTML page for a navigation, else the JSON `body` as before."""
    if not navigating(request):
        return JSONResponse(body, status_code=status, headers=headers)
    from rushes.web.pages.helpers import templates

    context: dict[str, Any] = {"request": request, "status": status, "title": TITLES.get(status, "Something went wrong"),
               "message": _message(body.get("detail", "")), "back": _back(request)}
    if context["message"].strip().lower() == context["title"].strip().lower():
        context["message"] = "There is no page at this address."  # Starlette's bare "Not Found" says no more than the title
    response = templates.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)
    return response if isinstance(response, HTMLResponse) else response
