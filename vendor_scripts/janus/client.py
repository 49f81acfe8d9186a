"""The Janus VideoRoom web client (the janus-demos `videoroomtest.html` page).

The one vendor that runs here with no outside service, so the meeting lab and the
tests use it. Flow: click Start, type a display name, click Join; the page then
publishes the bot's camera and microphone and shows up to five remote feeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vendor_scripts.base import Box, MeetingRequest, MeetingStatus, PageReading, stage_around
from vendor_scripts.page_script import PageScript, Raw

if TYPE_CHECKING:
    from playwright.async_api import Page

START_BUTTON = "#start"
NAME_FIELD = "#username"
JOIN_BUTTON = "#register"
PAGE_SCRIPT = PageScript(__package__, "videoroom.js")
# Texts of the demo's alerts (bootbox modals) that mean the meeting is gone.
ENDED_TEXTS = ("room has been destroyed", "lost connection", "is it down")
KICKED_TEXTS = ("kicked",)
ACTION_TIMEOUT_MS = 15_000


def interpret(raw: dict[str, Any]) -> PageReading:
    """Turn the page's raw state into a status (pure, so it is unit-tested)."""
    names = tuple(remote["name"] for remote in raw.get("remotes", []))
    modal = raw.get("modal")
    if modal:
        text = modal.lower()
        if any(marker in text for marker in ENDED_TEXTS):
            return PageReading(MeetingStatus.ENDED, modal, names)
        if any(marker in text for marker in KICKED_TEXTS):
            return PageReading(MeetingStatus.REMOVED, modal, names)
        return PageReading(MeetingStatus.ERROR, modal, names)
    if raw.get("joined") and raw.get("published"):
        return PageReading(MeetingStatus.IN_MEETING, None, names)
    return PageReading(MeetingStatus.JOINING, None, names)


def stage_from(raw: dict[str, Any]) -> Box | None:
    """The box around all remote videos (the self view `#videolocal` is never in it)."""
    return stage_around(raw.get("remotes", []))


class JanusVideoRoomClient:
    name: str = "janus"
    tracks_played_apart: bool = True  # onremotetrack: a new MediaStream and element per track
    self_view_selector: str | None = "#videolocal video"

    async def join(self, page: Page, request: MeetingRequest) -> None:
        await page.goto(request.url, wait_until="load", timeout=ACTION_TIMEOUT_MS)
        await page.click(START_BUTTON, timeout=ACTION_TIMEOUT_MS)
        await page.fill(NAME_FIELD, request.display_name, timeout=ACTION_TIMEOUT_MS)
        await page.click(JOIN_BUTTON, timeout=ACTION_TIMEOUT_MS)

    async def _raw(self, page: Page) -> Raw:
        return await PAGE_SCRIPT.read(page)

    async def read(self, page: Page) -> PageReading:
        return interpret(await self._raw(page))

    async def stage_box(self, page: Page) -> Box | None:
        return stage_from(await self._raw(page))

    async def leave(self, page: Page) -> None:
        # Destroying the session makes Janus drop us at once; without it a ghost
        # participant holds a slot until the session times out (60 s).
        await page.evaluate(
            """() => new Promise((resolve) => {
                if (!window.janus) return resolve(false);
                window.janus.destroy({ success: () => resolve(true), error: () => resolve(false) });
                setTimeout(() => resolve(false), 3000);
            })"""
        )
