"""The dashboard: one page at `/` and its scripts and styles under /static/dashboard/,
served from the package (no CDN, no build step; it works with no internet).

The page itself needs no key: it asks for one and sends it as the API's bearer header
from the browser tab (sessionStorage), never in a URL.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

WEB = Path(__file__).resolve().parents[2] / "web"
ASSETS_PATH = "/static/dashboard"

# Only our own scripts and styles; screenshots arrive as blob: URLs.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html", headers=SECURITY_HEADERS)


def assets() -> StaticFiles:
    """The dashboard's scripts, styles and images, to mount at `ASSETS_PATH`."""
    return StaticFiles(directory=WEB, check_dir=True)
