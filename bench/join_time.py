"""Join time and cost of one bot in a 2-person lab call.

Run inside the lab network namespace: `make bench` or
`infra/lab/netns-run .venv/bin/python -m bench.join_time`.
Prints one JSON object on its last line:
- join_s: devices up (browser started) to in_meeting, median of 5 joins;
- boot_s: bot start to devices up, median (not in the target, reported for context);
- cpu_cores: everything that serves the bot, averaged over 30 s of a call with one
  person at 640x360 15 fps: Xvfb, its PulseAudio daemon, Chromium's whole tree, the
  Playwright driver and the worker process (camera feed, status checks);
- pss_mb: the bot's own processes (Xvfb, PulseAudio, Chromium's whole tree);
- worker_pss_mb: the worker process and its Playwright driver, which all the bots
  of one worker share (one bot per worker pays all of it);
- camera_feed_cpu_ms_per_frame: see bench.camera_feed (a new picture every frame).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

from playwright.async_api import async_playwright

from bench import camera_feed
from bench.resources import TreeSampler, scratch_dir
from bridge_worker.bot import Bot
from bridge_worker.settings import WorkerSettings
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.person import SimulatedPerson
from meetbridge.lifecycle import BotState, StateChange
from meetbridge.logs import configure_logging
from vendor_scripts.base import MeetingRequest
from vendor_scripts.registry import load_client


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


async def main(joins: int, call_s: float, feed_s: float) -> dict:
    require_lab_namespace()
    settings = WorkerSettings(lab_hosts=["127.0.0.1"])
    media = scratch_dir("mb-bench-")
    async with async_playwright() as bot_pw:
        worker = camera_feed.worker_pids()  # this process and the bot's driver, only
        feed_ms = await camera_feed.measure(bot_pw, settings, feed_s)
        async with (
            async_playwright() as person_pw,
            LabMeeting() as meeting,
            SimulatedPerson(person_pw, "person", 440.0, (200, 0, 0), media) as person,
        ):
            await person.join(meeting.url)
            timings = []
            for i in range(joins):
                bot, task, timing = await _one_join(bot_pw, meeting.url, settings, f"bot{i}")
                timings.append(timing)
                if i < joins - 1:
                    await _leave(bot, task)
            devices = bot.devices
            assert devices is not None
            await person.wait_for_participant(bot.request.display_name, timeout_s=20)
            own = TreeSampler(devices.process_ids)
            shared = TreeSampler(lambda: worker)
            await asyncio.gather(own.run_for(call_s), shared.run_for(call_s))
            # The samplers run in this (worker) process: do not bill their CPU to the bot.
            sampling_cores = (own.own_cpu_s + shared.own_cpu_s) / call_s
            await _leave(bot, task)
    return {
        "join_s": round(statistics.median(t["join_s"] for t in timings), 3),
        "boot_s": round(statistics.median(t["boot_s"] for t in timings), 3),
        "joins": len(timings),
        "cpu_cores": round(own.cpu_cores + shared.cpu_cores - sampling_cores, 3),
        "cpu_cores_bot_processes": round(own.cpu_cores, 3),
        "cpu_cores_worker": round(shared.cpu_cores - sampling_cores, 3),
        "pss_mb": round(own.pss_mib, 1),
        "worker_pss_mb": round(shared.pss_mib, 1),
        "camera_feed_cpu_ms_per_frame": round(feed_ms, 2),
        "call_s": call_s,
        "video": f"{settings.video_width}x{settings.video_height}@{settings.video_fps}",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--joins", type=int, default=5)
    parser.add_argument("--call-s", type=float, default=30.0)
    parser.add_argument("--feed-s", type=float, default=5.0)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.joins, args.call_s, args.feed_s))))
