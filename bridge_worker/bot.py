"""One bot: its devices, its browser, and its life in one meeting.

Everything the bot starts is entered on one AsyncExitStack, so teardown is a single
path in reverse order whether the bot leaves, fails, or is cancelled. The vendor
client only reports what the page shows; this class decides what that means for
the lifecycle.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import structlog
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Playwright

from bridge_worker.auto_leave import AutoLeave
from bridge_worker.bot_devices import BotDevices, DevicesError, DevicesSource, bot_devices
from bridge_worker.browser.page_relay import PageRelay, page_relay
from bridge_worker.browser.trusted_input import XTestInput
from bridge_worker.settings import WorkerSettings
from meetbridge.lifecycle import BotLifecycle, BotState, FailureReason
from vendor_scripts.base import Box, MeetingRequest, MeetingStatus, VendorClient

log = structlog.get_logger(__name__)

# What the page says that ends the bot's run, and the reason a user reads for it.
END_STATUSES = {
    MeetingStatus.ENDED: FailureReason.MEETING_ENDED,
    MeetingStatus.REMOVED: FailureReason.REMOVED,
    MeetingStatus.DENIED: FailureReason.DENIED,
    MeetingStatus.NOT_FOUND: FailureReason.MEETING_NOT_FOUND,
    MeetingStatus.PASSCODE_WRONG: FailureReason.PASSCODE_WRONG,
    MeetingStatus.SIGN_IN_REQUIRED: FailureReason.SIGN_IN_REQUIRED,
    MeetingStatus.BLOCKED: FailureReason.BLOCKED_BY_VENDOR,
}


def failure_for(status: MeetingStatus, *, joined: bool) -> FailureReason | None:
    """The reason a bot fails for what its page shows, or None while it may stay.

    An error the vendor's page shows is a failed join before the bot got in, and the
    meeting ending under it after.
    """
    if status is MeetingStatus.ERROR:
        return FailureReason.MEETING_ENDED if joined else FailureReason.JOIN_FAILED
    return END_STATUSES.get(status)


class BotFailure(Exception):
    """Ends the bot's run as `failed` with a machine-readable reason."""

    def __init__(self, reason: FailureReason, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class Bot:
    def __init__(
        self,
        bot_id: str,
        request: MeetingRequest,
        vendor: VendorClient,
        settings: WorkerSettings,
        playwright: Playwright,
        prepared: DevicesSource | None = None,
        is_bot: Callable[[str], bool] | None = None,
    ):
        """`prepared`: devices booted ahead of time (a warm pool); else they boot here.
        `is_bot`: whether a participant's name is another meetbridge bot's (they do not
        count as people for leaving by itself)."""
        self.bot_id, self.request, self.vendor = bot_id, request, vendor
        self.settings, self.playwright = settings, playwright
        self.prepared = prepared
        self.is_bot = is_bot or (lambda _name: False)
        self._ended_why: tuple[FailureReason, str] | None = None  # left by itself
        self.lifecycle = BotLifecycle(bot_id)
        self.devices: BotDevices | None = None
        self.relay: PageRelay | None = None  # its page's encoded relay, while it runs
        self._leave_requested = asyncio.Event()
        self._state_changed = asyncio.Condition()
        self.lifecycle.listeners.append(lambda _change: self._notify())

    # -- control -------------------------------------------------------------
    def request_leave(self) -> None:
        """Ask the bot to leave its meeting; `run` then returns once all is stopped."""
        self._leave_requested.set()

    async def wait_for(self, *states: BotState, timeout_s: float) -> BotState:
        """Wait until the bot is in one of `states` (or finished)."""

        def reached() -> bool:
            return self.lifecycle.state in states or self.lifecycle.finished

        async with self._state_changed:
            await asyncio.wait_for(self._state_changed.wait_for(reached), timeout_s)
        return self.lifecycle.state

    def _notify(self) -> None:
        async def wake() -> None:
            async with self._state_changed:
                self._state_changed.notify_all()

        task = asyncio.get_running_loop().create_task(wake())
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    # -- the bot's life ------------------------------------------------------
    async def run(self) -> None:
        """Boot, join, stay until asked to leave or the meeting goes away, clean up."""
        lifecycle = self.lifecycle
        lifecycle.move(BotState.BOOTING)
        failure: BotFailure | None = None
        try:
            source = self.prepared or bot_devices(
                self.settings, self.playwright, self.bot_id, self.vendor
            )
            async with source as devices:
                self.devices = devices
                async with self._page_relay(devices.page):
                    await self._attend(devices.page)
        except _LeftEarly:
            pass
        except BotFailure as exc:
            failure = exc
        except DevicesError as exc:
            failure = BotFailure(FailureReason.DEVICES_FAILED, str(exc))
        except PlaywrightError as exc:
            failure = BotFailure(FailureReason.BROWSER_CRASHED, str(exc).splitlines()[0])
        except asyncio.CancelledError:
            self._finish_cancelled()
            raise
        except Exception as exc:  # noqa: BLE001 - any bug ends the bot, never the worker
            log.exception("bot crashed", bot_id=self.bot_id)
            failure = BotFailure(FailureReason.INTERNAL_ERROR, type(exc).__name__)
        finally:
            self.devices = None
        if failure is not None:
            lifecycle.move(BotState.FAILED, reason=failure.reason, detail=failure.detail)
        elif self._ended_why is not None:
            reason, detail = self._ended_why
            lifecycle.move(BotState.ENDED, reason=reason, detail=detail)
        else:
            lifecycle.move(BotState.ENDED)

    @contextlib.asynccontextmanager
    async def _page_relay(self, page: Page) -> AsyncIterator[None]:
        """The page's encoded relay (before the meeting opens), when the worker runs one."""
        if self.settings.audio_relay == "devices":
            yield
            return
        async with page_relay(page) as relay:
            self.relay = relay
            try:
                yield
            finally:
                self.relay = None

    def _finish_cancelled(self) -> None:
        if self.lifecycle.state is BotState.LEAVING:
            self.lifecycle.move(BotState.ENDED, detail="cancelled")
        elif not self.lifecycle.finished:
            self.lifecycle.move(BotState.FAILED, reason=FailureReason.CANCELLED, detail="cancelled")

    async def _attend(self, page: Page) -> None:
        lifecycle, s = self.lifecycle, self.settings
        lifecycle.move(BotState.JOINING)
        assert self.devices is not None
        trusted_input = XTestInput(self.devices.display.name)
        try:
            await self.vendor.join(page, replace(self.request, trusted_input=trusted_input))
        finally:
            trusted_input.close()
        await self._wait_admitted(page)
        loop = asyncio.get_running_loop()
        auto_leave = AutoLeave(
            nobody_joined_s=s.nobody_joined_timeout_s,
            everyone_left_s=s.alone_timeout_s,
            max_duration_s=s.max_duration_s,
            admitted_at=loop.time(),
        )
        while not self._leave_requested.is_set():
            reading = await self.vendor.read(page)
            failure = failure_for(reading.status, joined=True)
            if failure is not None:
                raise BotFailure(failure, reading.detail or "")
            people = sum(1 for name in reading.participants if not self.is_bot(name))
            self._ended_why = auto_leave.check(loop.time(), people)
            if self._ended_why is not None:
                log.info("leaving by itself", bot_id=self.bot_id, reason=self._ended_why[0])
                break
            with contextlib.suppress(TimeoutError):  # not wait_for: see meetbridge.tasks
                async with asyncio.timeout(s.status_interval_s):
                    await self._leave_requested.wait()
        lifecycle.move(BotState.LEAVING)
        await self._leave(page)

    async def _leave(self, page: Page) -> None:
        try:
            await asyncio.wait_for(self.vendor.leave(page), self.settings.leave_timeout_s)
        except (TimeoutError, PlaywrightError) as exc:
            log.warning("leave was not clean", bot_id=self.bot_id, error=type(exc).__name__)

    async def _wait_admitted(self, page: Page) -> None:
        """Poll the page until admitted; the waiting room has its own (longer) patience."""
        lifecycle, s = self.lifecycle, self.settings
        loop = asyncio.get_running_loop()
        deadline = loop.time() + s.join_timeout_s
        while True:
            reading = await self.vendor.read(page)
            if reading.status is MeetingStatus.IN_MEETING:
                lifecycle.move(BotState.IN_MEETING)
                return
            failure = failure_for(reading.status, joined=False)
            if failure is not None:
                raise BotFailure(failure, reading.detail or "")
            if reading.status is MeetingStatus.WAITING_ROOM and lifecycle.state is BotState.JOINING:
                lifecycle.move(BotState.WAITING_ROOM)
                deadline = loop.time() + s.waiting_room_timeout_s
            if self._leave_requested.is_set():
                lifecycle.move(BotState.LEAVING)
                await self._leave(page)
                raise _LeftEarly()
            if loop.time() > deadline:
                if lifecycle.state is BotState.WAITING_ROOM:
                    raise BotFailure(
                        FailureReason.WAITING_ROOM_TIMEOUT,
                        f"nobody admitted the bot within {s.waiting_room_timeout_s:g}s",
                    )
                raise BotFailure(
                    FailureReason.JOIN_TIMEOUT,
                    f"not in the meeting {s.join_timeout_s:g}s after asking to join",
                )
            await asyncio.sleep(0.1)

    async def stage_box(self) -> Box | None:
        """The vendor's stage, in screen pixels of the bot's display."""
        if self.devices is None:
            return None
        page = self.devices.page
        box = await self.vendor.stage_box(page)
        if box is None:
            return None
        left, top = await page.evaluate(
            "() => [window.screenX + (window.outerWidth - window.innerWidth),"
            " window.screenY + (window.outerHeight - window.innerHeight)]"
        )
        return Box(box.x + left, box.y + top, box.width, box.height)


class _LeftEarly(Exception):
    """Left before being admitted (a leave request during joining)."""
