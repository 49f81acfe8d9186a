"""Teams meeting links in all their wrappings, unwrapped to the link the web client joins.

Facts: docs/vendors/teams.md (links). The same meeting travels as a meetup-join link,
inside `/v2/?meetingjoin=true#<route>` (the route in the hash), or inside the launcher
(`/dl/launcher/launcher.html?url=/_#<route>&...`); short links are `/meet/<id>?p=`.
A bot opens the plain form; of the route's query only `context` (tenant and organiser)
and `p` (the link's passcode token) are kept: the rest (`anon`, `deeplinkId`,
`msLaunch`, ...) steers the launcher, not the meeting. Pure: no browser code.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

KEPT_PARAMS = ("context", "p")
ROUTES = ("/l/meetup-join/", "/meet/")


def _route(url: str) -> str | None:
    """The meeting route (path and query) a wrapped link carries, if it is wrapped."""
    parts = urlsplit(url)
    if parts.path.rstrip("/") in ("/v2", "/_") and parts.fragment.startswith("/"):
        return parts.fragment
    if parts.path == "/dl/launcher/launcher.html":
        target = parse_qs(parts.query).get("url", [""])[0]
        return target.partition("#")[2] or None
    return None


def direct_link(url: str) -> str:
    """The plain meetup-join or `/meet/` link of a wrapped Teams link; others unchanged."""
    route = _route(url)
    if route is None:
        return url
    path, _, query = route.partition("?")
    if not path.startswith(ROUTES):
        return url
    kept = [pair for pair in query.split("&") if pair.partition("=")[0] in KEPT_PARAMS]
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(kept), ""))
