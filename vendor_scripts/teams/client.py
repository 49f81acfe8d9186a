"""The Microsoft Teams web client (anonymous join).

Follows public facts gathered in docs/vendors/teams.md (attendee, Vexa, ScreenApp, the
AWS meeting assistant): the bot opens the meeting link as given, picks "Continue on
this browser", types its name into the pre-join form, keeps microphone and camera on
and clicks "Join now"; the lobby says someone will let it in; the call shows
[data-stream-type="Video"][data-tid="<name>"] tiles and #hangup-button. Remote audio is
one server-mixed track. Walls are detected, never worked around: the sign-in demands,
"Verify you're a real person" (blocked), an incorrect meeting URL (not found).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
JOIN_STEPS_TIMEOUT_S = 25.0  # the anonymous redirect chain alone can take seconds
CONTINUE_BUTTON = (
    '[data-tid="joinOnWeb"], button[aria-label="Join meeting from this browser"], '
    'button[aria-label="Continue on this browser"], button:has-text("Continue on this browser")'
)
NAME_FIELD = '[data-tid="prejoin-display-name-input"]'
MICROPHONE = '[data-tid="toggle-mute"]'
CAMERA = '[data-tid="toggle-video"]'
JOIN_BUTTON = '[data-tid="prejoin-join-button"]'
LEAVE_BUTTON = '#hangup-button, [data-tid="hangup-main-btn"], [data-inp="hangup-button"]'
LOBBY_TEXTS = (
    "Someone will let you in soon",
    "Someone will let you in shortly",
    "Waiting for someone to let you in",
    "Waiting to be admitted",
    "You're in the lobby",
    "Please wait until someone admits you",
    "Your request to join has been sent",
    "Someone in the meeting should let you in soon",
)
DENIED_TEXTS = ("you were denied access to the meeting", "Your request to join was declined")
NOT_FOUND_TEXTS = ("Looks like the meeting URL is incorrect",)
SIGN_IN_TEXTS = (
    "We need to verify your info before you can join",
    "To join, sign in or use Teams on the web",
    "You need to be signed in to Teams to access this meeting",
    "Sign in to Teams to join, or contact the meeting organizer",
    "To join this Teams meeting, you need to be signed in to an account",
    "To join this meeting, sign in again or select another account",
    "Due to org policy, you need to sign in or use Teams on the web to join this meeting",
    "External participants are not permitted to join before the event begins",
)
BLOCKED_TEXTS = ("Verify you're a real person",)
REMOVED_TEXTS = ("You've been removed from this meeting", "Removed from the meeting")
ENDED_TEXTS = ("The meeting has ended", "This meeting has ended")


def interpret(raw: dict[str, Any]) -> PageReading:
    """Turn the page's raw state into a status (pure, so it is unit-tested)."""
    names = tuple(r["name"] for r in raw.get("remotes", []) if r.get("name"))
    text = raw.get("text") or ""

    def said(texts: tuple[str, ...]) -> str | None:
        return next((t for t in texts if t in text), None)

    if removed := raw.get("removed") or said(REMOVED_TEXTS):
        return PageReading(MeetingStatus.REMOVED, removed, names)
    if found := said(ENDED_TEXTS):
        return PageReading(MeetingStatus.ENDED, found, names)
    if found := said(DENIED_TEXTS):
        return PageReading(MeetingStatus.DENIED, found, names)
    if raw.get("captcha") or said(BLOCKED_TEXTS):
        return PageReading(MeetingStatus.BLOCKED, "Teams asks to verify a real person", names)
    if found := said(NOT_FOUND_TEXTS):
        return PageReading(MeetingStatus.NOT_FOUND, found, names)
    sign_in = said(SIGN_IN_TEXTS)
    if sign_in or raw.get("signInForm"):
        return PageReading(MeetingStatus.SIGN_IN_REQUIRED, sign_in, names)
    if said(LOBBY_TEXTS):
        return PageReading(MeetingStatus.WAITING_ROOM, None, names)
    if raw.get("inCall") and not raw.get("joinVisible"):
        return PageReading(MeetingStatus.IN_MEETING, None, names)
    return PageReading(MeetingStatus.JOINING, None, names)


def stage_from(raw: dict[str, Any]) -> Box | None:
    """The box around the other participants' video tiles (never the bot's own)."""
    return stage_around(raw.get("remotes", []))


def _joining(raw: Raw) -> bool:
    return interpret(raw).status is MeetingStatus.JOINING


class TeamsClient:
    name: str = "teams"
    tracks_played_apart: bool = True  # the mixed audio plays apart from any video
    self_view_selector: str | None = None  # no documented self-view selector

    def __init__(self) -> None:
        self._own_name = ""

    async def join(self, page: Page, request: MeetingRequest) -> None:
        """Open the link, continue in the browser, fill the pre-join form, "Join now"."""
        self._own_name = request.display_name
        await page.goto(request.url, wait_until="load", timeout=ACTION_TIMEOUT_MS)
        steps: list[JoinStep] = [
            (lambda raw: bool(raw.get("continueButton")), click(page, CONTINUE_BUTTON)),
            (lambda raw: raw.get("nameField") == "", fill(page, NAME_FIELD, request.display_name)),
            (lambda raw: bool(raw.get("microphoneOff")), click(page, MICROPHONE)),
            (lambda raw: bool(raw.get("cameraOff")), click(page, CAMERA)),
            (lambda raw: bool(raw.get("joinEnabled")), click(page, JOIN_BUTTON)),
        ]
        await take_join_steps(lambda: self._raw(page), _joining, steps, JOIN_STEPS_TIMEOUT_S)

    async def _raw(self, page: Page) -> Raw:
        return await PAGE_SCRIPT.read(page, self._own_name)

    async def read(self, page: Page) -> PageReading:
        return interpret(await self._raw(page))

    async def stage_box(self, page: Page) -> Box | None:
        return stage_from(await self._raw(page))

    async def leave(self, page: Page) -> None:
        """The call's hang-up button ("Leave")."""
        if (raw := await self._raw(page)).get("inCall"):
            await click(page, LEAVE_BUTTON)(raw)
