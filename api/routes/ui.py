"""The researcher web page at ``/``, the YASGUI SPARQL editor at ``/yasgui``, the API docs at
``/docs`` (Swagger UI, vendored: no network needed) and the favicon."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@router.get("/")
def index() -> FileResponse:
    """The web page."""
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/yasgui")
def yasgui() -> FileResponse:
    """YASGUI, a SPARQL editor, pointed at ``/sparql``."""
    return FileResponse(STATIC_DIR / "yasgui.html", headers={"Cache-Control": "no-cache"})


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, from the vendored copy in ``static/vendor``."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="helsegraf – API-dokumentasjon",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The site icon (SVG; browsers take it under this name too)."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")
