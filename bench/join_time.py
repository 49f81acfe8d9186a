"""Join time and cost of one bot in a 2-person lab call.

Run inside the lab network namespace: `make bench` or
`infra/lab/netns-run .venv/bin/python -m bench.join_time`.
Prints one JSON object on its last line:
- join_s: devices up (browser started) to in_meeting, median of 5 joins;
- boot_s: bot start to devices up, median (not in the target, reported for context);
- cpu_cores / pss_mb: the bot's processes (Xvfb, its PulseAudio daemon, Chromium's
  whole tree, the Playwright driver, and the worker process that feeds the camera),
  averaged over 30 s of a call with one person at 640x360 15 fps;
- camera_feed_cpu_ms_per_frame: extra CPU of that whole tree per fed frame, from
  the feed running vs paused, with a new picture every frame (worst case: every
  frame is encoded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
from pathlib import Path

import numpy as np
import psutil
from playwright.async_api import async_playwright

from bench.resources import TreeSampler
from bridge_worker.bot import Bot
from bridge_worker.lifecycle import BotState, StateChange
from bridge_worker.settings import WorkerSettings
from meetbridge.logs import configure_logging
from tests.lab.meeting import LabMeeting
from tests.lab.netns import require_lab_namespace
from tests.lab.person import SimulatedPerson
from vendor_scripts.base import MeetingRequest
from vendor_scripts.registry import load_client


def _driver_pids() -> list[int]:
    """The Playwright driver (node) processes this Python process started."""
    me = psutil.Process()
    return [child.pid for child in me.children() if "node" in child.name()]


async def _one_join(
    playwright, url: str, settings: WorkerSettings, name: str
) -> tuple[Bot, asyncio.Task, dict]:
    changes: dict[BotState, StateChange] = {}
    bot = Bot(name, MeetingRequest(url, name), load_client("janus"), settings, playwright)

    def remember(change: StateChange) -> None:
        changes.setdefault(change.new, change)

    bot.lifecycle.listeners.append(remember)
    task = asyncio.create_task(bot.run())
    state = await bot.wait_for(BotState.IN_MEETING, timeout_s=60)
    if state is not BotState.IN_MEETING:
        raise RuntimeError(f"bot did not join: {bot.lifecycle.state} {bot.lifecycle.reason}")
    timing = {
        "boot_s": (changes[BotState.JOINING].at - changes[BotState.BOOTING].at).total_seconds(),
        "join_s": (changes[BotState.IN_MEETING].at - changes[BotState.JOINING].at).total_seconds(),
    }
    return bot, task, timing


async def _leave(bot: Bot, task: asyncio.Task) -> None:
    bot.request_leave()
    await task


async def _feed_cost(bot: Bot, tree: TreeSampler, seconds: float) -> float:
    """CPU ms per fed frame: (feeding - paused) tree CPU over the frames fed."""
    assert bot.devices is not None
    feed = bot.devices.feed
    width, height = feed.camera.width, feed.camera.height
    pictures = [np.full((height, width, 3), (i * 8) % 256, dtype=np.uint8) for i in range(32)]

    async def changing_pictures() -> None:
        i = 0
        while True:
            feed.show(pictures[i % len(pictures)])
            i += 1
            await asyncio.sleep(1 / feed.camera.fps)

    feed.paused = True
    paused = TreeSampler(tree.pids)
    await paused.run_for(seconds)
    feed.paused = False
    changer = asyncio.create_task(changing_pictures())
    frames_before = feed.frames_fed
    feeding = TreeSampler(tree.pids)
    await feeding.run_for(seconds)
    changer.cancel()
    frames = max(feed.frames_fed - frames_before, 1)
    extra_core_seconds = (feeding.cpu_cores - paused.cpu_cores) * seconds
    return 1000 * extra_core_seconds / frames


async def main(joins: int, call_s: float, feed_s: float) -> dict:
    require_lab_namespace()
    settings = WorkerSettings()
    media = Path(tempfile.mkdtemp(prefix="mb-bench-"))
    async with async_playwright() as person_pw, async_playwright() as bot_pw:
        async with (
            LabMeeting() as meeting,
            SimulatedPerson(person_pw, "person", 440.0, (200, 0, 0), media) as person,
        ):
            await person.join(meeting.url)
            timings = []
            bot = task = None
            for i in range(joins):
                bot, task, timing = await _one_join(bot_pw, meeting.url, settings, f"bot{i}")
                timings.append(timing)
                if i < joins - 1:
                    await _leave(bot, task)
            assert bot is not None and task is not None and bot.devices is not None
            await person.wait_for_participant(bot.request.display_name, timeout_s=20)
            devices = bot.devices
            worker_pid = os.getpid()
            bot_driver = [pid for pid in _driver_pids()][-1:]  # the bot's Playwright started last

            def bot_tree() -> list[int]:
                return [*devices.process_ids(), *bot_driver, worker_pid]

            call = TreeSampler(bot_tree)
            await call.run_for(call_s)
            feed_ms = await _feed_cost(bot, call, feed_s)
            await _leave(bot, task)
    return {
        "join_s": round(statistics.median(t["join_s"] for t in timings), 3),
        "boot_s": round(statistics.median(t["boot_s"] for t in timings), 3),
        "joins": len(timings),
        "cpu_cores": round(call.cpu_cores, 3),
        "pss_mb": round(call.pss_mib, 1),
        "camera_feed_cpu_ms_per_frame": round(feed_ms, 2),
        "call_s": call_s,
        "video": f"{settings.video_width}x{settings.video_height}@{settings.video_fps}",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--joins", type=int, default=5)
    parser.add_argument("--call-s", type=float, default=30.0)
    parser.add_argument("--feed-s", type=float, default=10.0)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.joins, args.call_s, args.feed_s))))
