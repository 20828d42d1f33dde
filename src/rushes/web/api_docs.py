"""/docs: the API reference (Swagger UI) for signed-in members, from files a pip package ships.

FastAPI's own page starts Swagger UI with an inline script and loads it from a CDN, which the
Content-Security-Policy (web/security.py) forbids. Here the page is ours: the Swagger UI files (5.x,
which reads the OpenAPI 3.1 FastAPI writes) come from the `swagger-ui-py` package through a StaticFiles
mount, and the start-up script is static/api-docs.js, so `script-src 'self'` holds unchanged.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from rushes.web.pages.helpers import templates

ASSETS = "/static/swagger-ui"
router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    """Behind the guard like any page (a reviewer at least): API tokens belong to members."""
    return templates.TemplateResponse(request, "api_docs.html", {"assets": ASSETS, "spec": request.app.openapi_url})


def install_api_docs(app: FastAPI) -> None:
    """The page, and its assets mounted before /static so the longer prefix matches first."""
    from importlib.resources import files

    app.include_router(router)
    app.mount(ASSETS, StaticFiles(directory=str(files("swagger_ui") / "static")), name="swagger-ui")
