"""Against the real services: a bot joins a real meeting of each vendor whose link is set.

Skipped unless `MEETBRIDGE_LIVE_<VENDOR>_URL` names a meeting (for instance
`MEETBRIDGE_LIVE_GOOGLE_MEET_URL=https://meet.google.com/abc-defg-hij`), so CI, which
never reaches the vendors, never runs them. This is how to check a vendor after its
web client changed: run outside the lab namespace, on a machine that may reach the
vendor, and admit the bot (named `meetbridge-live-check` where names allow it) if
the meeting has a lobby:

    MEETBRIDGE_LIVE_TEAMS_URL='https://teams.microsoft.com/meet/...' \
        .venv/bin/python -m pytest -m live tests/live -p no:cacheprovider
"""

from __future__ import annotations

import asyncio
import os

import pytest
from playwright.async_api import async_playwright

from bridge_worker.bot import Bot
from bridge_worker.settings import WorkerSettings
from meetbridge.lifecycle import BotState
from vendor_scripts.base import MeetingRequest
from vendor_scripts.inputs import MeetingInputError, check_inputs
from vendor_scripts.registry import load_client, vendor_names
from vendor_scripts.urls import resolve_meeting

pytestmark = pytest.mark.live
ADMISSION_WAIT_S = 300.0  # a person has to let the bot in from a lobby


def live_url(vendor: str) -> str | None:
    return os.environ.get(f"MEETBRIDGE_LIVE_{vendor.upper()}_URL")


def bot_name(vendor: str) -> str:
    for name in ("meetbridge-live-check", "meetbridgelivecheck"):
        try:
            check_inputs(vendor, name, None)
        except MeetingInputError:
            continue
        return name
    raise AssertionError(f"no live-check name fits {vendor}'s rules")


@pytest.mark.parametrize("vendor", [v for v in vendor_names() if v != "janus"])
async def test_a_bot_joins_the_real_meeting_and_leaves(vendor: str) -> None:
    url = live_url(vendor)
    if not url:
        pytest.skip(f"MEETBRIDGE_LIVE_{vendor.upper()}_URL is not set")
    meeting = resolve_meeting(url, vendor)
    settings = WorkerSettings(waiting_room_timeout_s=ADMISSION_WAIT_S)
    request = MeetingRequest(meeting.url, bot_name(vendor))
    async with async_playwright() as playwright:
        bot = Bot("live-check", request, load_client(vendor), settings, playwright)
        task = asyncio.create_task(bot.run())
        try:
            state = await bot.wait_for(
                BotState.IN_MEETING, timeout_s=settings.join_timeout_s + ADMISSION_WAIT_S + 30
            )
            assert state is BotState.IN_MEETING, (bot.lifecycle.reason, bot.lifecycle.state)
            assert bot.devices is not None
            reading = await bot.vendor.read(bot.devices.page)
            print(f"{vendor}: in the meeting with {list(reading.participants)}")
        finally:
            bot.request_leave()
            await asyncio.wait_for(task, 60)
        assert bot.lifecycle.state is BotState.ENDED
