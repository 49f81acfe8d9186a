"""Which vendors the lab reconstructs, where, and which of their paths are meetings."""

from __future__ import annotations

from urllib.parse import parse_qs

from lab.vendors.site import Reconstruction


def _last_segment(path: str, _query: str) -> str | None:
    room = path.rstrip("/").rsplit("/", 1)[-1]
    return room or None


JITSI = Reconstruction(
    vendor="jitsi",
    host="meet.jit.si",
    page="jitsi.html",
    meeting_link=lambda room: f"/{room}",
    meeting_of=_last_segment,
    example_meeting="LabStandup",
)

GOOGLE_MEET = Reconstruction(
    vendor="google_meet",
    host="meet.google.com",
    page="google_meet.html",
    meeting_link=lambda code: f"/{code}",
    meeting_of=_last_segment,
    example_meeting="abc-defg-hij",
)


def _teams_meeting(path: str, _query: str) -> str | None:
    """`/meet/<id>` (the short link) or `/l/meetup-join/<thread>/<message>`."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "meet":
        return parts[1]
    if len(parts) >= 3 and parts[:2] == ["l", "meetup-join"]:
        return parts[2]
    return None


TEAMS = Reconstruction(
    vendor="teams",
    host="teams.microsoft.com",
    page="teams.html",
    meeting_link=lambda meeting_id: f"/meet/{meeting_id}?p=labPass1",
    meeting_of=_teams_meeting,
    example_meeting="24681357902",
)


def _zoom_meeting(path: str, _query: str) -> str | None:
    """`/wc/<id>/join` (where bots open a `/j/<id>` link)."""
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) == 3 and parts[0] == "wc" and parts[2] == "join" else None


ZOOM = Reconstruction(
    vendor="zoom",
    host="app.zoom.us",
    page="zoom.html",
    meeting_link=lambda meeting_id: f"/j/{meeting_id}",
    meeting_of=_zoom_meeting,
    example_meeting="8123456789",
)


def _webex_meeting(path: str, query: str) -> str | None:
    """A personal room (`/meet/<name>`), a scheduled meeting (`/<site>/j.php?MTID=`)
    or the web client's own page (`/webappng/sites/<site>/meeting/webclient/<id>`)."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "meet":
        return parts[1]
    if len(parts) == 2 and parts[1] == "j.php":
        return parse_qs(query).get("MTID", [None])[0]
    client = ["webappng", "sites", parts[2] if len(parts) > 2 else "", "meeting", "webclient"]
    if len(parts) == 6 and parts[:5] == client:
        return parts[5]
    return None


WEBEX = Reconstruction(
    vendor="webex",
    host="lab.webex.com",
    page="webex.html",
    meeting_link=lambda room: f"/meet/{room}",
    meeting_of=_webex_meeting,
    example_meeting="labroom",
)

ALL = (JITSI, GOOGLE_MEET, TEAMS, ZOOM, WEBEX)
