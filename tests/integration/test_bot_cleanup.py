"""Whatever way a bot ends, nothing of it is left running."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bridge_worker.bot import Bot
from lab.bots import alive, bot_settings, running_bot
from lab.meeting import LabMeeting
from meetbridge.lifecycle import BotState, FailureReason
from vendor_scripts.base import MeetingRequest
from vendor_scripts.registry import load_client

pytestmark = [pytest.mark.integration]


async def _pids_once_up(bot: Bot, timeout_s: float = 20) -> list[int]:
    """The bot's processes, as soon as its browser is running."""
    async with asyncio.timeout(timeout_s):
        while bot.devices is None or len(bot.devices.process_ids()) < 3:
            await asyncio.sleep(0.02)
    return bot.devices.process_ids()


async def test_leaving_stops_every_process_of_the_bot(playwright) -> None:
    async with LabMeeting() as meeting:
        async with running_bot(playwright, meeting.url, "leaver") as bot:
            pids = await _pids_once_up(bot)
            assert alive(pids) == pids
        assert bot.lifecycle.state is BotState.ENDED
        await asyncio.sleep(0.2)
        assert alive(pids) == []


@pytest.mark.parametrize("cancel_in", [BotState.BOOTING, BotState.JOINING])
async def test_cancelling_mid_join_stops_every_process(playwright, cancel_in: BotState) -> None:
    async with LabMeeting() as meeting:
        bot = Bot(
            "cancelled",
            MeetingRequest(meeting.url, "cancelled"),
            load_client("janus"),
            bot_settings(),
            playwright,
        )
        task = asyncio.create_task(bot.run())
        await bot.wait_for(cancel_in, timeout_s=20)
        pids = [] if cancel_in is BotState.BOOTING else await _pids_once_up(bot)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert bot.lifecycle.state is BotState.FAILED
        assert bot.lifecycle.reason is FailureReason.CANCELLED
        assert alive(pids) == []
        # The autouse leak check also asserts no Xvfb/Chromium/PulseAudio of it remains.


async def test_a_meeting_that_goes_away_fails_the_bot_with_a_reason(playwright) -> None:
    meeting = LabMeeting()
    await meeting.__aenter__()
    try:
        async with running_bot(playwright, meeting.url, "orphan") as bot:
            pids = await _pids_once_up(bot)
            await meeting.__aexit__(None, None, None)  # the meeting's server goes down
            state = await bot.wait_for(BotState.FAILED, BotState.ENDED, timeout_s=30)
        assert state is BotState.FAILED
        assert bot.lifecycle.reason is FailureReason.MEETING_ENDED
        assert alive(pids) == []
    finally:
        await meeting.__aexit__(None, None, None)


async def test_a_bot_nobody_joins_leaves_with_why(playwright) -> None:
    async with LabMeeting() as meeting:
        settings = bot_settings(nobody_joined_timeout_s=1.5)
        bot = Bot(
            "lonely",
            MeetingRequest(meeting.url, "lonely"),
            load_client("janus"),
            settings,
            playwright,
        )
        await asyncio.wait_for(bot.run(), 30)
        assert (bot.lifecycle.state, bot.lifecycle.reason) == (
            BotState.ENDED,
            FailureReason.NOBODY_JOINED,
        )
        assert await meeting.janus.participants() == []


async def test_a_bot_leaves_once_everyone_has_left(playwright, lab_media_dir) -> None:
    from lab.person import SimulatedPerson

    async with LabMeeting() as meeting:
        settings = bot_settings(alone_timeout_s=1.0)
        async with SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as ann:
            await ann.join(meeting.url)
            bot = Bot(
                "stayer",
                MeetingRequest(meeting.url, "stayer"),
                load_client("janus"),
                settings,
                playwright,
            )
            run = asyncio.create_task(bot.run())
            await bot.wait_for(BotState.IN_MEETING, timeout_s=30)
            await ann.wait_for_participant("stayer", timeout_s=20)
            await asyncio.sleep(2)  # well past the timeout: ann is there, the bot stays
            assert bot.lifecycle.state is BotState.IN_MEETING
        await asyncio.wait_for(run, 30)  # ann left with her browser
        assert (bot.lifecycle.state, bot.lifecycle.reason) == (
            BotState.ENDED,
            FailureReason.EVERYONE_LEFT,
        )


async def test_another_meetbridge_bot_is_no_company(playwright) -> None:
    """Two bots alone in one meeting (say, each bridging it to another room) both leave."""
    async with LabMeeting() as meeting:
        settings = bot_settings(nobody_joined_timeout_s=3.0)
        bots = [
            Bot(
                name,
                MeetingRequest(meeting.url, name),
                load_client("janus"),
                settings,
                playwright,
                is_bot=lambda other: other in ("botone", "bottwo"),
            )
            for name in ("botone", "bottwo")
        ]
        await asyncio.wait_for(asyncio.gather(*(bot.run() for bot in bots)), 40)
        for bot in bots:
            assert (bot.lifecycle.state, bot.lifecycle.reason) == (
                BotState.ENDED,
                FailureReason.NOBODY_JOINED,
            )


async def test_a_bot_leaves_at_its_maximum_duration(playwright, lab_media_dir) -> None:
    from lab.person import SimulatedPerson

    async with (
        LabMeeting() as meeting,
        SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as person,
    ):
        await person.join(meeting.url)
        settings = bot_settings(max_duration_s=2.0)
        bot = Bot(
            "brief",
            MeetingRequest(meeting.url, "brief"),
            load_client("janus"),
            settings,
            playwright,
        )
        await asyncio.wait_for(bot.run(), 30)
        assert (bot.lifecycle.state, bot.lifecycle.reason) == (
            BotState.ENDED,
            FailureReason.MAX_DURATION,
        )
