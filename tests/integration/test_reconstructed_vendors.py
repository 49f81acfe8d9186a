"""Each vendor's client against the lab's reconstruction of that vendor (lab/vendors/).

A reconstruction is served on the vendor's own host name inside the lab namespace, so
the bot's URL rules, host rules and request guard work as in production; its call runs
over a lab Janus, where a simulated person on the Janus demo page sits in the same
room. Each test is one screen of the join flow and the state and reason it ends in.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Playwright

from bridge_worker.bot import Bot
from bridge_worker.bot_devices import bot_devices
from bridge_worker.browser.trusted_input import XTestInput
from bridge_worker.settings import WorkerSettings
from lab.bots import bot_settings, running_bot
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.vendors.door import Wall
from lab.vendors.reconstructions import ALL
from lab.vendors.site import LabVendorMeeting, LabVendorSite
from meetbridge.lifecycle import BotState, FailureReason
from vendor_scripts.registry import load_client
from vendor_scripts.urls import resolve_meeting

pytestmark = pytest.mark.integration
BOT = "bridgebot"
VENDORS = sorted(r.vendor for r in ALL)


@contextlib.asynccontextmanager
async def vendor_meeting(
    tmp_path: Path, vendor: str, **door: Any
) -> AsyncIterator[tuple[LabMeeting, WorkerSettings, LabVendorMeeting]]:
    async with LabMeeting() as meeting, LabVendorSite(tmp_path / "site", ALL) as site:
        room = site.open_meeting(vendor, meeting.janus.http_url, meeting.room, **door)
        assert site.tls is not None
        settings = bot_settings(lab_trusted_spki=[site.tls.ca_spki])
        yield meeting, settings, room


async def ended(bot: Bot) -> tuple[BotState, FailureReason | None]:
    await bot.wait_for(BotState.ENDED, BotState.FAILED, timeout_s=30)
    return bot.lifecycle.state, bot.lifecycle.reason


@pytest.mark.parametrize("vendor", VENDORS)
async def test_a_bot_joins_sees_the_roster_and_leaves_by_the_leave_button(
    playwright: Playwright, lab_media_dir: Path, tmp_path: Path, vendor: str
) -> None:
    async with (
        vendor_meeting(tmp_path, vendor) as (meeting, settings, room),
        SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as ann,
    ):
        await ann.join(meeting.url)
        async with running_bot(playwright, room.url, BOT, vendor=vendor, settings=settings) as bot:
            await ann.wait_for_participant(BOT, timeout_s=20)
            assert bot.devices is not None
            reading = await bot.vendor.read(bot.devices.page)
            assert reading.participants == ("ann",)
            assert await bot.devices.page.evaluate("navigator.language") == "en-US"
            user_agent = await bot.devices.page.evaluate("navigator.userAgent")
            assert "Chrome/" in user_agent and "Headless" not in user_agent
            assert await bot.stage_box() is not None
        await ann.wait_for_participant_gone(BOT, timeout_s=10)
        assert bot.lifecycle.state is BotState.ENDED


@pytest.mark.parametrize("vendor", VENDORS)
async def test_the_lobby_holds_the_bot_until_the_host_admits_it(
    playwright: Playwright, tmp_path: Path, vendor: str
) -> None:
    async with vendor_meeting(tmp_path, vendor, lobby=True) as (_meeting, settings, room):
        async with running_bot(
            playwright, room.url, BOT, vendor=vendor, settings=settings, wait_joined=False
        ) as bot:
            assert await bot.wait_for(BotState.WAITING_ROOM, timeout_s=30) is BotState.WAITING_ROOM
            assert room.door.waiting() == [BOT]
            room.door.admit(BOT)
            assert await bot.wait_for(BotState.IN_MEETING, timeout_s=20) is BotState.IN_MEETING
            room.door.remove(BOT)
            assert await ended(bot) == (BotState.FAILED, FailureReason.REMOVED)


REFUSALS = [
    ("jitsi", {"lobby": True}, "deny", FailureReason.DENIED),
    ("jitsi", {}, "end", FailureReason.MEETING_ENDED),
    ("jitsi", {"passcode": "4242"}, None, FailureReason.PASSCODE_WRONG),
    ("jitsi", {"wall": Wall.SIGN_IN}, None, FailureReason.SIGN_IN_REQUIRED),
    ("google_meet", {"lobby": True}, "deny", FailureReason.DENIED),
    ("google_meet", {}, "end", FailureReason.MEETING_ENDED),
    ("google_meet", {"wall": Wall.NOT_FOUND}, None, FailureReason.MEETING_NOT_FOUND),
    ("google_meet", {"wall": Wall.SIGN_IN}, None, FailureReason.SIGN_IN_REQUIRED),
    ("google_meet", {"wall": Wall.CAPTCHA}, None, FailureReason.BLOCKED_BY_VENDOR),
    ("teams", {"lobby": True}, "deny", FailureReason.DENIED),
    ("teams", {}, "end", FailureReason.MEETING_ENDED),
    ("teams", {"wall": Wall.NOT_FOUND}, None, FailureReason.MEETING_NOT_FOUND),
    ("teams", {"wall": Wall.SIGN_IN}, None, FailureReason.SIGN_IN_REQUIRED),
    ("teams", {"wall": Wall.CAPTCHA}, None, FailureReason.BLOCKED_BY_VENDOR),
    ("zoom", {"lobby": True}, "deny", FailureReason.DENIED),
    ("zoom", {}, "end", FailureReason.MEETING_ENDED),
    ("zoom", {"passcode": "4242"}, None, FailureReason.PASSCODE_WRONG),
    ("zoom", {"wall": Wall.NOT_FOUND}, None, FailureReason.MEETING_NOT_FOUND),
    ("zoom", {"wall": Wall.SIGN_IN}, None, FailureReason.SIGN_IN_REQUIRED),
    ("zoom", {"wall": Wall.CAPTCHA}, None, FailureReason.BLOCKED_BY_VENDOR),
    ("webex", {"lobby": True}, "deny", FailureReason.DENIED),
    ("webex", {}, "end", FailureReason.MEETING_ENDED),
    ("webex", {"passcode": "4242"}, None, FailureReason.PASSCODE_WRONG),
    ("webex", {"wall": Wall.NOT_FOUND}, None, FailureReason.MEETING_NOT_FOUND),
    ("webex", {"wall": Wall.SIGN_IN}, None, FailureReason.SIGN_IN_REQUIRED),
    ("webex", {"wall": Wall.CAPTCHA}, None, FailureReason.BLOCKED_BY_VENDOR),
]


@pytest.mark.parametrize(
    ("vendor", "door", "host_action", "reason"),
    REFUSALS,
    ids=[f"{vendor}-{reason.value}" for vendor, _, _, reason in REFUSALS],
)
async def test_each_refusal_ends_the_bot_with_its_reason(
    playwright: Playwright,
    tmp_path: Path,
    vendor: str,
    door: dict[str, Any],
    host_action: str | None,
    reason: FailureReason,
) -> None:
    async with vendor_meeting(tmp_path, vendor, **door) as (_meeting, settings, room):
        async with running_bot(
            playwright,
            room.url,
            BOT,
            vendor=vendor,
            settings=settings,
            wait_joined=False,
            passcode="1111" if "passcode" in door else None,
        ) as bot:
            if host_action == "deny":
                await bot.wait_for(BotState.WAITING_ROOM, timeout_s=30)
                room.door.deny(BOT)
            elif host_action == "end":
                await bot.wait_for(BotState.IN_MEETING, timeout_s=30)
                room.door.end()
            assert await ended(bot) == (BotState.FAILED, reason)


@pytest.mark.parametrize("vendor", ["jitsi", "zoom", "webex"])
async def test_the_right_passcode_lets_the_bot_in(
    playwright: Playwright, tmp_path: Path, vendor: str
) -> None:
    async with vendor_meeting(tmp_path, vendor, passcode="4242") as (_meeting, settings, room):
        async with running_bot(
            playwright, room.url, BOT, vendor=vendor, settings=settings, passcode="4242"
        ) as bot:
            assert bot.lifecycle.state is BotState.IN_MEETING


async def test_a_webex_scheduled_link_is_joined_in_the_browser_not_the_app(
    playwright: Playwright, tmp_path: Path
) -> None:
    """A `j.php?MTID=` link with `launchApp=true`, as invitations carry it: the bot
    opens it without the app hand-off and joins from the browser."""
    mtid = "m0123456789abcdef0123456789abcdef"
    link = f"https://lab.webex.com/lab/j.php?MTID={mtid}&launchApp=true"
    meeting = resolve_meeting(link, None)
    assert meeting.url == f"https://lab.webex.com/lab/j.php?MTID={mtid}"
    async with vendor_meeting(tmp_path, "webex", meeting_id=mtid) as (_meeting, settings, _room):
        bot_in = running_bot(playwright, meeting.url, BOT, vendor="webex", settings=settings)
        async with bot_in as bot:
            assert bot.lifecycle.state is BotState.IN_MEETING


async def test_the_webex_chooser_takes_a_real_pointer_not_automation_clicks(
    playwright: Playwright, tmp_path: Path
) -> None:
    """The reconstruction's chooser ignores a click no pointer moved to (automation's);
    the bot's own display input (XTest) gets it through."""
    async with (
        vendor_meeting(tmp_path, "webex") as (_meeting, settings, room),
        bot_devices(settings, playwright, "bot_chooser", load_client("webex")) as devices,
    ):
        page = devices.page
        await page.goto(room.url)
        chooser = page.locator("#broadcom-center-right")
        await chooser.click()
        await page.wait_for_timeout(1000)
        assert await page.locator("#unified-webclient-iframe").count() == 0
        trusted = XTestInput(devices.display.name)
        try:
            await trusted.click(chooser)
            await trusted.press("Escape")
        finally:
            trusted.close()
        await page.locator("#unified-webclient-iframe").wait_for(timeout=10_000)
