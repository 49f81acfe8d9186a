"""The Zoom web client.

Follows public facts gathered in docs/vendors/zoom.md (Vexa, ScreenApp, the AWS meeting
assistant, attendee): a `/j/<id>` link is opened straight in the web client
(`app.zoom.us/wc/<id>/join`, its `pwd` kept), which asks for the passcode when the link
does not carry it, the name, and has microphone and camera previews and a Join button;
the waiting room says the host will let the bot in; the meeting has a "Leave" button
and tiles named in their footers. Zoom's 2026 wall against bots ("Automated bots aren't
allowed to join…") is detected and never worked around.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from playwright.async_api import Error as PlaywrightError

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
JOIN_STEPS_TIMEOUT_S = 25.0
JOIN_PATH = re.compile(r"/(?:j|w)/(\d{9,12})/?")
PASSCODE_FIELD = "#input-for-pwd"
NAME_FIELD = "#input-for-name"
MICROPHONE = "#preview-audio-control-button"
CAMERA = "#preview-video-control-button"
JOIN_BUTTON = "button.preview-join-button"
LEAVE_BUTTON = 'button[aria-label="Leave"]'
LEAVE_CONFIRM = "button.leave-meeting-options__btn--danger"
WAITING_TEXTS = (
    "Please wait, the meeting host will let you in soon",
    "Host has joined. We've let them know you're here",
    "Waiting for the host to start this meeting",
    "Waiting for the host to start the meeting",
)
BLOCKED_TEXTS = (
    "Automated bots aren't allowed",
    "Automated bots aren’t allowed",
    "must use Zoom RTMS",
    "We detected you may be a bot",
    "Type the characters you see",
)
SIGN_IN_TEXTS = (
    "The host requires authentication on the commercial Zoom platform",
    "Sign in to join this meeting",
    "only authenticated users can join",
    "This meeting requires authentication",
    "This Meeting is for authorized attendees only",
)
NOT_FOUND_TEXTS = ("This meeting link is invalid",)
PASSCODE_WRONG_TEXTS = ("Passcode wrong",)
REMOVED_TEXTS = ("You have been removed", "removed from the meeting")
ENDED_TEXTS = (
    "This meeting has been ended by host",
    "Meeting is end now",
    "meeting has been ended",
)


def bot_link(url: str) -> str:
    """A `/j/<id>` link opened straight in the web client, its `pwd` token kept."""
    parts = urlsplit(url)
    match = JOIN_PATH.fullmatch(parts.path)
    if match is None:
        return url
    pwd = parse_qs(parts.query).get("pwd", [])
    query = urlencode({"pwd": pwd[0]}) if pwd else ""
    return urlunsplit(("https", "app.zoom.us", f"/wc/{match.group(1)}/join", query, ""))


def interpret(raw: dict[str, Any], *, admitted: bool = True) -> PageReading:
    """Turn the page's raw state into a status (pure, so it is unit-tested).

    Zoom tells a bot the host refused it from the waiting room with the same words as
    a removal, "You have been removed": before it was admitted, that is a denial.
    """
    names = tuple(r["name"] for r in raw.get("remotes", []) if r.get("name"))
    text = " | ".join(t for t in (raw.get("text"), raw.get("modal")) if t)

    def said(texts: tuple[str, ...]) -> str | None:
        return next((t for t in texts if t.lower() in text.lower()), None)

    for texts, status in (
        (BLOCKED_TEXTS, MeetingStatus.BLOCKED),
        (REMOVED_TEXTS, MeetingStatus.REMOVED),
        (ENDED_TEXTS, MeetingStatus.ENDED),
        (PASSCODE_WRONG_TEXTS, MeetingStatus.PASSCODE_WRONG),
        (NOT_FOUND_TEXTS, MeetingStatus.NOT_FOUND),
        (SIGN_IN_TEXTS, MeetingStatus.SIGN_IN_REQUIRED),
    ):
        if found := said(texts):
            if status is MeetingStatus.REMOVED and not admitted:
                status = MeetingStatus.DENIED
            return PageReading(status, found, names)
    if said(WAITING_TEXTS):
        return PageReading(MeetingStatus.WAITING_ROOM, None, names)
    if raw.get("inMeeting"):
        return PageReading(MeetingStatus.IN_MEETING, None, names)
    return PageReading(MeetingStatus.JOINING, None, names)


def stage_from(raw: dict[str, Any]) -> Box | None:
    """The box around the other participants' video tiles (never the bot's own)."""
    return stage_around(raw.get("remotes", []))


def _joining(raw: Raw) -> bool:
    return interpret(raw, admitted=False).status is MeetingStatus.JOINING


class ZoomWebClient:
    name: str = "zoom"
    tracks_played_apart: bool = True  # one mixed audio stream, apart from the video
    self_view_selector: str | None = None  # no documented self-view selector

    def __init__(self) -> None:
        self._own_name = ""
        self._admitted = False

    async def join(self, page: Page, request: MeetingRequest) -> None:
        """Open the web client; type the passcode and name, keep devices on, Join."""
        self._own_name = request.display_name
        await page.goto(bot_link(request.url), wait_until="load", timeout=ACTION_TIMEOUT_MS)
        passcode = request.passcode.get_secret_value() if request.passcode else None
        typed: list[bool] = []  # the passcode is typed once: a second ask means it is wrong

        async def type_passcode(raw: Raw) -> None:
            await fill(page, PASSCODE_FIELD, passcode or "")(raw)
            typed.append(True)

        steps: list[JoinStep] = [
            (
                lambda raw: raw.get("passcodeField") == "" and bool(passcode) and not typed,
                type_passcode,
            ),
            (lambda raw: raw.get("nameField") == "", fill(page, NAME_FIELD, request.display_name)),
            (lambda raw: bool(raw.get("microphoneOff")), click(page, MICROPHONE)),
            (lambda raw: bool(raw.get("cameraOff")), click(page, CAMERA)),
            (lambda raw: bool(raw.get("joinEnabled")), click(page, JOIN_BUTTON)),
        ]
        await take_join_steps(lambda: self._raw(page), _joining, steps, JOIN_STEPS_TIMEOUT_S)

    async def _raw(self, page: Page) -> Raw:
        return await PAGE_SCRIPT.read(page, self._own_name)

    async def read(self, page: Page) -> PageReading:
        reading = interpret(await self._raw(page), admitted=self._admitted)
        self._admitted = self._admitted or reading.status is MeetingStatus.IN_MEETING
        return reading

    async def stage_box(self, page: Page) -> Box | None:
        return stage_from(await self._raw(page))

    async def leave(self, page: Page) -> None:
        """ "Leave", then "Leave Meeting" in the dialog that follows."""
        if not (await self._raw(page)).get("inMeeting"):
            return
        await page.click(LEAVE_BUTTON, timeout=ACTION_TIMEOUT_MS)
        with contextlib.suppress(PlaywrightError):  # some versions leave without asking
            await page.locator(LEAVE_CONFIRM).first.click(timeout=3000)
