"""Running real bots in tests: start one as a task, always make it leave at teardown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import psutil
from playwright.async_api import Playwright
from pydantic import SecretStr

from bridge_worker.bot import Bot
from bridge_worker.settings import WorkerSettings
from meetbridge.lifecycle import BotState
from vendor_scripts.base import MeetingRequest
from vendor_scripts.registry import load_client

JOIN_TIMEOUT_S = 30.0


def bot_settings(**changes: Any) -> WorkerSettings:
    """A lab bot's settings: quick status checks, the lab's hosts; `changes` on top."""
    values: dict[str, Any] = {
        "status_interval_s": 0.5,
        "join_timeout_s": JOIN_TIMEOUT_S,
        "lab_hosts": ["127.0.0.1"],
    }
    return WorkerSettings(**(values | changes))


@contextlib.asynccontextmanager
async def running_bot(
    playwright: Playwright,
    meeting_url: str,
    name: str,
    *,
    wait_joined: bool = True,
    vendor: str = "janus",
    settings: WorkerSettings | None = None,
    passcode: str | None = None,
) -> AsyncIterator[Bot]:
    """A bot of `vendor` in `meeting_url`; it leaves (or is cancelled) on exit."""
    request = MeetingRequest(meeting_url, name, SecretStr(passcode) if passcode else None)
    bot = Bot(name, request, load_client(vendor), settings or bot_settings(), playwright)
    task = asyncio.create_task(bot.run(), name=f"bot-{name}")
    try:
        if wait_joined:
            state = await bot.wait_for(BotState.IN_MEETING, timeout_s=JOIN_TIMEOUT_S + 10)
            assert state is BotState.IN_MEETING, (bot.lifecycle.state, bot.lifecycle.reason)
        yield bot
    finally:
        bot.request_leave()
        try:
            await asyncio.wait_for(asyncio.shield(task), 20)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def alive(pids: list[int]) -> list[int]:
    """Those of `pids` that still run (zombies do not count: they hold nothing)."""
    living = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                living.append(pid)
    return living
