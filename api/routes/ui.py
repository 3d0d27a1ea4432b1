"""The researcher web page at ``/`` and the YASGUI SPARQL editor at ``/yasgui``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

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
