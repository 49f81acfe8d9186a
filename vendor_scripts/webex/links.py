"""Webex meeting links, as the bot opens them.

Facts: docs/vendors/webex.md (links). Scheduled meetings (`/<site>/j.php?MTID=...`),
personal rooms (`/meet/<name>`, `/join/<name>`), meeting info pages and integration
join links are all opened as given: the `MTID` token is opaque, so nothing is derived
from it. Only `launchApp=true` goes: it asks the page to hand the meeting to the
desktop app, which a bot does not have. Pure: no browser code.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

APP_HANDOFF_PARAMS = ("launchapp",)


def direct_link(url: str) -> str:
    """`url` without the parameters that hand the meeting to the desktop app."""
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and pair.partition("=")[0].lower() not in APP_HANDOFF_PARAMS
    ]
    return urlunsplit(parts._replace(query="&".join(kept)))
