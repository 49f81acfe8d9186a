"""The Google Meet web client.

Follows public facts gathered in docs/vendors/google_meet.md (attendee, Vexa,
ScreenApp): the bot opens `meet.google.com/<code>?hl=en`, dismisses "Got it", types its
name into "Your name", keeps its microphone and camera on, and asks to join; a lobby
says "Asking to be let in…"; admission shows participant tiles ([data-participant-id],
names in span.notranslate, the bot's own tile marked [data-self-name]) and "Leave
call". Walls are detected, never worked around: "You can't join this video call"
(blocked), "Check your meeting code" (not found), Google's "Sign in" (sign-in required).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from vendor_scripts.base import Box, MeetingRequest, MeetingStatus, PageReading, stage_around
from vendor_scripts.page_script import (
    ACTION_TIMEOUT_MS,
    JoinStep,
    PageScript,
    Raw,
    click,
    fill,
    take_join_steps,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

PAGE_SCRIPT = PageScript(__package__)
JOIN_STEPS_TIMEOUT_S = 20.0
NAME_FIELD = 'input[type="text"][aria-label="Your name"]'
GOT_IT = 'div[role="dialog"] button:has-text("Got it")'
TURN_ON_MICROPHONE = '[aria-label="Turn on microphone"]'
TURN_ON_CAMERA = '[aria-label="Turn on camera"]'
LEAVE_BUTTON = 'button[aria-label="Leave call"]'
LEAVE_CONFIRM_TEXTS = ("Just leave the meeting", "Leave meeting")
LOBBY_TEXTS = (
    "Asking to be let in",
    "You’ll join the call when someone lets you in",
    "You'll join the call when someone lets you in",
    "Please wait until a meeting host brings you into the call",
    "Waiting for the host to join",
)
DENIED_TEXTS = ("Someone in the call denied your request to join", "denied your request")
NO_RESPONSE_TEXTS = ("No one responded to your request to join the call",)
NOT_FOUND_TEXTS = (
    "Check your meeting code",
    "Invalid video call name",
    "Your meeting code has expired",
    "The meeting code you entered doesn’t work",
)
BLOCKED_TEXTS = (
    "You can't join this video call",
    "You can't join this meeting",
    "There is a problem connecting to this video call",
)
REMOVED_TEXTS = ("You've been removed from the meeting",)
ENDED_TEXTS = ("Your host ended the meeting for everyone", "The call ended", "Call ended")


def bot_link(url: str) -> str:
    """The meeting's link as a bot opens it: the code only, the page pinned to English
    (a signed-in account's own language would beat the browser's)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "hl=en", ""))


def interpret(raw: dict[str, Any]) -> PageReading:
    """Turn the page's raw state into a status (pure, so it is unit-tested)."""
    names = tuple(r["name"] for r in raw.get("remotes", []) if r.get("name"))
    text = raw.get("text") or ""

    def said(texts: tuple[str, ...]) -> str | None:
        return next((t for t in texts if t in text), None)

    if raw.get("ended"):
        removed = any(t in raw["ended"] for t in REMOVED_TEXTS)
        status = MeetingStatus.REMOVED if removed else MeetingStatus.ENDED
        return PageReading(status, raw["ended"], names)
    checks = (
        (BLOCKED_TEXTS, MeetingStatus.BLOCKED),
        (NOT_FOUND_TEXTS, MeetingStatus.NOT_FOUND),
        (DENIED_TEXTS, MeetingStatus.DENIED),
        (NO_RESPONSE_TEXTS, MeetingStatus.DENIED),
        (REMOVED_TEXTS, MeetingStatus.REMOVED),
        (ENDED_TEXTS, MeetingStatus.ENDED),
    )
    for texts, status in checks:
        if found := said(texts):
            return PageReading(status, found, names)
    if raw.get("signIn"):
        return PageReading(MeetingStatus.SIGN_IN_REQUIRED, "Google asks to sign in", names)
    if said(LOBBY_TEXTS):
        return PageReading(MeetingStatus.WAITING_ROOM, None, names)
    if raw.get("leaveButton") and raw.get("nameField") is None and not raw.get("joinButton"):
        return PageReading(MeetingStatus.IN_MEETING, None, names)
    return PageReading(MeetingStatus.JOINING, None, names)


def stage_from(raw: dict[str, Any]) -> Box | None:
    """The box around the other participants' tiles (never the bot's own)."""
    return stage_around(raw.get("remotes", []))


def _joining(raw: Raw) -> bool:
    return interpret(raw).status is MeetingStatus.JOINING


class GoogleMeetClient:
    name: str = "google_meet"
    tracks_played_apart: bool = True  # remote audio plays in <audio> of its own, not tiles
    self_view_selector: str | None = "[data-self-name]"

    async def join(self, page: Page, request: MeetingRequest) -> None:
        """Open the meeting and take the pre-join steps until it asks to join."""
        await page.goto(bot_link(request.url), wait_until="load", timeout=ACTION_TIMEOUT_MS)

        async def join_button(raw: Raw) -> None:
            button = page.locator("button", has_text=raw["joinButton"]).first
            await button.click(timeout=ACTION_TIMEOUT_MS)

        steps: list[JoinStep] = [
            (lambda raw: "Got it" in (raw.get("dialog") or ""), click(page, GOT_IT)),
            (lambda raw: raw.get("nameField") == "", fill(page, NAME_FIELD, request.display_name)),
            (lambda raw: bool(raw.get("microphoneOff")), click(page, TURN_ON_MICROPHONE)),
            (lambda raw: bool(raw.get("cameraOff")), click(page, TURN_ON_CAMERA)),
            (lambda raw: bool(raw.get("joinButton")), join_button),
        ]
        await take_join_steps(lambda: self._raw(page), _joining, steps, JOIN_STEPS_TIMEOUT_S)

    async def _raw(self, page: Page) -> Raw:
        return await PAGE_SCRIPT.read(page)

    async def read(self, page: Page) -> PageReading:
        return interpret(await self._raw(page))

    async def stage_box(self, page: Page) -> Box | None:
        return stage_from(await self._raw(page))

    async def leave(self, page: Page) -> None:
        """ "Leave call"; a host may be asked to confirm ("Just leave the meeting")."""
        if not (await self._raw(page)).get("leaveButton"):
            return
        await page.click(LEAVE_BUTTON, timeout=ACTION_TIMEOUT_MS)
        for text in LEAVE_CONFIRM_TEXTS:
            confirm = page.locator("button", has_text=text)
            if await confirm.count():
                await confirm.first.click(timeout=ACTION_TIMEOUT_MS)
                return
