"""The Webex web client.

Follows public facts gathered in docs/vendors/webex.md (the AWS meeting assistant's
Webex flow, Webex's JS SDK, its join API, public guest-join scripts): a meeting link
opens a chooser page whose "Join from this browser" control is clicked with a real
pointer, and the "Open xdg-open?" prompt Chromium raises when the page tries to launch
the app is dismissed with a real Escape (both through the bot's display); the web
client then runs in `#unified-webclient-iframe` (or in the top page on newer builds):
password step (a captcha image may join it), name and email, microphone and camera,
"Join meeting"; the lobby; the meeting with its chat button, named video panes and
leave control.

Unconfirmed by any public source, and so kept apart below (UNCONFIRMED_*): the texts
of a denial, a removal, a wrong password, "not found" and the sign-in demand, and the
leave control. Where a state can be told without texts, it is: a password asked again
after one was typed is a wrong password, a captcha image is a wall.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from vendor_scripts.base import (
    Box,
    MeetingRequest,
    MeetingStatus,
    PageReading,
    TrustedInput,
    stage_around,
)
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
    from playwright.async_api import FrameLocator, Page

PAGE_SCRIPT = PageScript(__package__)
JOIN_STEPS_TIMEOUT_S = 30.0
APP_PROMPT_ESCAPES = 2  # the app prompt comes a moment after the click: Escape twice
APP_PROMPT_PAUSE_S = 0.5
# A guest's email: a placeholder, as a real corporate address may send the guest to
# single sign-on (docs/vendors/webex.md, pre-join).
GUEST_EMAIL = "guest@example.com"

CHOOSER_SELECTORS = (
    "#broadcom-center-right",
    "#push_download_join_by_browser",
    "a#push_download_detect_link",
)
PROBLEM_DIALOG_CLOSE = ".el-dialog__wrapper .el-dialog__close"
COOKIE_REJECT = ".cookie-banner-body button"  # the first button declines
PASSWORD_FIELD = 'input[aria-label="Meeting password"]'
PASSWORD_NEXT = 'mdc-button[type="submit"]'
NAME_FIELD = 'input[data-test="Name (required)"]'
EMAIL_FIELD = 'input[data-test="Email (required)"]'
MICROPHONE = 'mdc-button[data-test="microphone-button"]'
CAMERA = 'mdc-button[data-test="camera-button"]'
JOIN_BUTTON = 'mdc-button[data-test="join-button"]'
SELF_VIEW = '[data-test="local_stream"]'
SIGN_IN_HOSTS = ("idbroker.webex.com",)

WAITING_TEXTS = (
    "Waiting in lobby",
    "Waiting for the host",
    "The host will let you in",
    "You are in the lobby",
)
ENDED_TEXTS = (
    "The meeting has ended",
    "this meeting has ended",
    "The host ended the meeting",
    "meeting disconnected",
    "Meeting unavailable",
)
UNCONFIRMED_DENIED_TEXTS = ("denied your request to join", "You were not admitted")
UNCONFIRMED_REMOVED_TEXTS = ("You've been removed from the meeting", "removed you from the meeting")
UNCONFIRMED_PASSWORD_WRONG_TEXTS = ("Incorrect password",)
UNCONFIRMED_NOT_FOUND_TEXTS = ("This meeting link is not valid", "meeting number is not valid")
UNCONFIRMED_SIGN_IN_TEXTS = ("Sign in to join this meeting", "must sign in to join")
UNCONFIRMED_LEAVE_BUTTON = 'mdc-button[aria-label="Leave meeting"]'
UNCONFIRMED_LEAVE_CONFIRM = '[role="dialog"] mdc-button[data-test="leave-meeting-confirm"]'


def interpret(raw: dict[str, Any], *, passcode: bool, typed: bool) -> PageReading:
    """Turn the page's raw state into a status (pure, so it is unit-tested).

    `passcode`: the bot was given one; `typed`: it has typed it already. `raw` is the
    top page's reading with the web client's own (if it runs in a frame) laid over it.
    """
    names = tuple(r["name"] for r in raw.get("remotes", []) if r.get("name"))
    text = " | ".join(t for t in (raw.get("topText"), raw.get("text"), raw.get("dialog")) if t)

    def said(texts: tuple[str, ...]) -> str | None:
        return next((t for t in texts if t.lower() in text.lower()), None)

    if raw.get("captcha"):
        return PageReading(MeetingStatus.BLOCKED, "the meeting asks to type a captcha", names)
    if urlsplit(raw.get("url", "")).hostname in SIGN_IN_HOSTS:
        return PageReading(MeetingStatus.SIGN_IN_REQUIRED, "sent to the sign-in page", names)
    for texts, status in (
        (UNCONFIRMED_DENIED_TEXTS, MeetingStatus.DENIED),
        (UNCONFIRMED_REMOVED_TEXTS, MeetingStatus.REMOVED),
        (ENDED_TEXTS, MeetingStatus.ENDED),
        (UNCONFIRMED_NOT_FOUND_TEXTS, MeetingStatus.NOT_FOUND),
        (UNCONFIRMED_SIGN_IN_TEXTS, MeetingStatus.SIGN_IN_REQUIRED),
    ):
        if found := said(texts):
            return PageReading(status, found, names)
    if raw.get("passwordField") is not None:
        if not passcode:
            return PageReading(
                MeetingStatus.PASSCODE_WRONG, "the meeting asks for a password", names
            )
        if typed and (raw.get("passwordField") == "" or said(UNCONFIRMED_PASSWORD_WRONG_TEXTS)):
            return PageReading(
                MeetingStatus.PASSCODE_WRONG, "the meeting asked for its password again", names
            )
    if raw.get("lobby") or said(WAITING_TEXTS):
        return PageReading(MeetingStatus.WAITING_ROOM, None, names)
    if raw.get("inMeeting"):
        return PageReading(MeetingStatus.IN_MEETING, None, names)
    return PageReading(MeetingStatus.JOINING, None, names)


def stage_from(raw: dict[str, Any]) -> Box | None:
    """The box around the other participants' video panes, in the top page's viewport."""
    stage = stage_around(raw.get("remotes", []))
    offset = raw.get("frameOffset")
    if stage is None or not offset:
        return stage
    return Box(stage.x + offset["x"], stage.y + offset["y"], stage.width, stage.height)


class WebexClient:
    name: str = "webex"
    tracks_played_apart: bool = True  # one mixed audio stream, apart from the video
    self_view_selector: str | None = SELF_VIEW

    def __init__(self) -> None:
        self._own_name = ""
        self._passcode = False
        self._typed = False

    async def join(self, page: Page, request: MeetingRequest) -> None:
        """Open the link; join from the browser; password, name, devices on, Join."""
        self._own_name = request.display_name
        self._passcode = request.passcode is not None
        await page.goto(request.url, wait_until="load", timeout=ACTION_TIMEOUT_MS)
        passcode = request.passcode.get_secret_value() if request.passcode else ""
        scope = _ClientScope(page)

        prompt_closers: list[asyncio.Task[None]] = []

        async def open_in_browser(raw: Raw) -> None:
            await _join_from_browser(page, raw["chooser"], request.trusted_input)
            if request.trusted_input is not None and not prompt_closers:
                prompt_closers.append(
                    asyncio.create_task(_dismiss_app_prompt(request.trusted_input))
                )

        async def type_password(_raw: Raw) -> None:
            await fill(scope.locate(), PASSWORD_FIELD, passcode)(_raw)
            await click(scope.locate(), PASSWORD_NEXT)(_raw)
            self._typed = True

        steps: list[JoinStep] = [
            (lambda raw: bool(raw.get("chooser")), open_in_browser),
            (lambda raw: bool(raw.get("topProblemDialog")), click(page, PROBLEM_DIALOG_CLOSE)),
            (lambda raw: bool(raw.get("cookieBanner")), scope.click(COOKIE_REJECT)),
            (
                lambda raw: raw.get("passwordField") == "" and self._passcode and not self._typed,
                type_password,
            ),
            # Fields and device toggles each in one step: a step per reading costs a pause.
            (
                lambda raw: "" in (raw.get("nameField"), raw.get("emailField")),
                scope.fill_all({NAME_FIELD: request.display_name, EMAIL_FIELD: GUEST_EMAIL}),
            ),
            (
                lambda raw: bool(raw.get("microphoneOff") or raw.get("cameraOff")),
                scope.click_all(
                    (MICROPHONE, lambda raw: bool(raw.get("microphoneOff"))),
                    (CAMERA, lambda raw: bool(raw.get("cameraOff"))),
                ),
            ),
            (lambda raw: bool(raw.get("joinEnabled")), scope.click(JOIN_BUTTON)),
        ]

        def joining(raw: Raw) -> bool:
            reading = interpret(raw, passcode=self._passcode, typed=self._typed)
            return reading.status is MeetingStatus.JOINING

        async def read() -> Raw:
            raw = await self._raw(page)
            scope.frame_selector = raw.get("frameSelector")
            return raw

        try:
            await take_join_steps(read, joining, steps, JOIN_STEPS_TIMEOUT_S)
        finally:
            for closer in prompt_closers:  # done by now, or no longer wanted
                if not closer.done():
                    closer.cancel()
            await asyncio.gather(*prompt_closers, return_exceptions=True)

    async def _raw(self, page: Page) -> Raw:
        """The top page's reading, with the web client's frame (if any) read over it."""
        top = await PAGE_SCRIPT.read(page, self._own_name)
        raw: Raw = {**top, "url": page.url, "topText": top.get("text")}
        raw["topProblemDialog"] = top.get("problemDialog")
        selector = top.get("frameSelector")
        if selector:
            handle = await page.query_selector(selector)
            frame = await handle.content_frame() if handle else None
            inner: Raw = {}
            if frame is not None:
                with contextlib.suppress(PlaywrightError):  # the frame is (re)loading
                    inner = await PAGE_SCRIPT.read(frame, self._own_name)
            raw |= {k: v for k, v in inner.items() if k not in ("frameSelector", "frameOffset")}
        return raw

    async def read(self, page: Page) -> PageReading:
        return interpret(await self._raw(page), passcode=self._passcode, typed=self._typed)

    async def stage_box(self, page: Page) -> Box | None:
        return stage_from(await self._raw(page))

    async def leave(self, page: Page) -> None:
        """The leave control, then the confirmation where one is asked."""
        raw = await self._raw(page)
        if not raw.get("inMeeting"):
            return
        scope = _ClientScope(page, raw.get("frameSelector"))
        leave_button = scope.locate().locator(UNCONFIRMED_LEAVE_BUTTON).first
        await leave_button.click(timeout=ACTION_TIMEOUT_MS)
        with contextlib.suppress(PlaywrightError):  # some builds leave without asking
            confirm = scope.locate().locator(UNCONFIRMED_LEAVE_CONFIRM).first
            await confirm.click(timeout=3000)


async def _join_from_browser(page: Page, chooser: str, trusted: TrustedInput | None) -> None:
    """Click "Join from this browser" with a real pointer (the page may ignore any
    other click)."""
    target = page.locator(chooser).first
    if trusted is None:  # no display to act through: the page may ignore this click
        await target.click(timeout=ACTION_TIMEOUT_MS)
        return
    await trusted.click(target)


async def _dismiss_app_prompt(trusted: TrustedInput) -> None:
    """Close the browser's "open the app?" prompt, which the page raises a moment after
    the chooser's click and no page script can reach, with a real Escape (twice: it
    may come late). Runs beside the join steps: the web client loads meanwhile."""
    for _ in range(APP_PROMPT_ESCAPES):
        await asyncio.sleep(APP_PROMPT_PAUSE_S)
        await trusted.press("Escape")


class _ClientScope:
    """Where the web client's elements are: its frame once it has one, else the page."""

    def __init__(self, page: Page, frame_selector: str | None = None) -> None:
        self.page, self.frame_selector = page, frame_selector

    def locate(self) -> Page | FrameLocator:
        if self.frame_selector:
            return self.page.frame_locator(self.frame_selector)
        return self.page

    def click(self, selector: str) -> Callable[[Raw], Awaitable[None]]:
        async def act(raw: Raw) -> None:
            await click(self.locate(), selector)(raw)

        return act

    def fill_all(self, texts: dict[str, str]) -> Callable[[Raw], Awaitable[None]]:
        """Fill each field that shows (some builds ask no email)."""

        async def act(raw: Raw) -> None:
            for selector, text in texts.items():
                if await self.locate().locator(selector).count():
                    await fill(self.locate(), selector, text)(raw)

        return act

    def click_all(
        self, *targets: tuple[str, Callable[[Raw], bool]]
    ) -> Callable[[Raw], Awaitable[None]]:
        """Click each target whose condition holds in the reading."""

        async def act(raw: Raw) -> None:
            for selector, wanted in targets:
                if wanted(raw):
                    await click(self.locate(), selector)(raw)

        return act
