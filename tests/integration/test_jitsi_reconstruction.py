"""The Jitsi client against the lab's reconstructed Jitsi Meet (lab/vendors/).

The reconstruction is served as https://meet.jit.si inside the lab namespace, so the
bot's URL rules, host rules and request guard work as in production; the call runs
over a lab Janus, where a simulated person on the Janus demo page sits in the same
room. Each test is one screen of the join flow and the state and reason it must end in.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Playwright

from bridge_worker.bot import Bot
from lab.bots import bot_settings, running_bot
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.vendors.door import Wall
from lab.vendors.reconstructions import ALL
from lab.vendors.site import LabVendorMeeting, LabVendorSite
from meetbridge.lifecycle import BotState, FailureReason

pytestmark = pytest.mark.integration
BOT = "bridgebot"


@contextlib.asynccontextmanager
async def jitsi_meeting(
    tmp_path: Path, **door: object
) -> AsyncIterator[tuple[LabMeeting, LabVendorSite, LabVendorMeeting]]:
    async with LabMeeting() as meeting, LabVendorSite(tmp_path / "site", ALL) as site:
        room = site.open_meeting(
            "jitsi", "LabStandup", meeting.janus.http_url, meeting.room, **door  # type: ignore[arg-type]
        )
        yield meeting, site, room


def settings_for(site: LabVendorSite):  # type: ignore[no-untyped-def]
    assert site.tls is not None
    return bot_settings(lab_trusted_spki=[site.tls.ca_spki], waiting_room_timeout_s=30)


async def ended(bot: Bot) -> tuple[BotState, FailureReason | None]:
    await bot.wait_for(BotState.ENDED, BotState.FAILED, timeout_s=30)
    return bot.lifecycle.state, bot.lifecycle.reason


async def test_a_bot_joins_sees_the_roster_and_leaves_by_the_leave_button(
    playwright: Playwright, lab_media_dir: Path, tmp_path: Path
) -> None:
    async with (
        jitsi_meeting(tmp_path) as (meeting, site, room),
        SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as ann,
    ):
        await ann.join(meeting.url)
        async with running_bot(
            playwright, room.url, BOT, vendor="jitsi", settings=settings_for(site)
        ) as bot:
            await ann.wait_for_participant(BOT, timeout_s=20)
            assert bot.devices is not None
            reading = await bot.vendor.read(bot.devices.page)
            assert reading.participants == ("ann",)
            assert await bot.stage_box() is not None
        await ann.wait_for_participant_gone(BOT, timeout_s=10)
        assert bot.lifecycle.state is BotState.ENDED


async def test_the_lobby_holds_the_bot_until_the_host_admits_it(
    playwright: Playwright, tmp_path: Path
) -> None:
    async with jitsi_meeting(tmp_path, lobby=True) as (_meeting, site, room):
        settings = settings_for(site)
        async with running_bot(
            playwright, room.url, BOT, vendor="jitsi", settings=settings, wait_joined=False
        ) as bot:
            assert await bot.wait_for(BotState.WAITING_ROOM, timeout_s=30) is BotState.WAITING_ROOM
            assert room.door.waiting() == [BOT]
            room.door.admit(BOT)
            assert await bot.wait_for(BotState.IN_MEETING, timeout_s=20) is BotState.IN_MEETING
            room.door.remove(BOT)
            assert await ended(bot) == (BotState.FAILED, FailureReason.REMOVED)


@pytest.mark.parametrize(
    ("door", "host_action", "reason"),
    [
        ({"lobby": True}, "deny", FailureReason.DENIED),
        ({}, "end", FailureReason.MEETING_ENDED),
        ({"passcode": "4242"}, None, FailureReason.PASSCODE_WRONG),
        ({"wall": Wall.SIGN_IN}, None, FailureReason.SIGN_IN_REQUIRED),
    ],
    ids=["denied", "ended", "passcode_wrong", "sign_in_required"],
)
async def test_each_refusal_ends_the_bot_with_its_reason(
    playwright: Playwright,
    tmp_path: Path,
    door: dict[str, object],
    host_action: str | None,
    reason: FailureReason,
) -> None:
    async with jitsi_meeting(tmp_path, **door) as (_meeting, site, room):
        async with running_bot(
            playwright,
            room.url,
            BOT,
            vendor="jitsi",
            settings=settings_for(site),
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


async def test_the_right_passcode_lets_the_bot_in(playwright: Playwright, tmp_path: Path) -> None:
    async with jitsi_meeting(tmp_path, passcode="4242") as (_meeting, site, room):
        async with running_bot(
            playwright, room.url, BOT, vendor="jitsi", settings=settings_for(site), passcode="4242"
        ) as bot:
            assert bot.lifecycle.state is BotState.IN_MEETING
