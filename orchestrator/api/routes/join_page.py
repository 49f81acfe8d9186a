"""The join page: `/join` (an invite's link, the token in its fragment) and its scripts
under /static/join/, served from the package and from Debian's libjs packages (janus.js
and the WebRTC adapter): no CDN, it works with no internet.

The page talks only to this origin (the invite check and the signalling proxy);
the media goes to the room Janus's media ports, which the content policy does not
govern.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

PAGE = Path(__file__).resolve().parents[2] / "join_page"
ASSETS_PATH = "/static/join"
ASSETS = {
    "join.js": PAGE / "join.js",
    "join.css": PAGE / "join.css",
    "janus.js": Path("/usr/share/javascript/janus-gateway/janus.js"),
    "adapter.js": Path("/usr/share/javascript/webrtc-adapter/adapter.min.js"),
}
TYPES = {".js": "text/javascript", ".css": "text/css"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; media-src 'self' blob: mediastream:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(self)",
}

router = APIRouter(include_in_schema=False)


@router.get("/join")
async def join_page() -> FileResponse:
    """The page an invite links to; it reads the invite from the link's fragment."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    return FileResponse(PAGE / "join.html", media_type="text/html", headers=headers)


@router.get(ASSETS_PATH + "/{name}")
async def join_asset(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such file")
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return FileResponse(path, media_type=TYPES[path.suffix], headers=headers)
