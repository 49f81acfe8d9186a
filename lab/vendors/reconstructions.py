"""Which vendors the lab reconstructs, where, and which of their paths are meetings."""

from __future__ import annotations

from lab.vendors.site import Reconstruction


def _last_segment(path: str) -> str | None:
    room = path.rstrip("/").rsplit("/", 1)[-1]
    return room or None


JITSI = Reconstruction(
    vendor="jitsi",
    host="meet.jit.si",
    page="jitsi.html",
    meeting_link=lambda room: f"/{room}",
    meeting_of=_last_segment,
)

GOOGLE_MEET = Reconstruction(
    vendor="google_meet",
    host="meet.google.com",
    page="google_meet.html",
    meeting_link=lambda code: f"/{code}",
    meeting_of=_last_segment,
)

ALL = (JITSI, GOOGLE_MEET)
