"""How long a person in the meeting holds the bot's camera and voice before playing them.

The far side's jitter buffers are where people wait for the bridge: a receiver holds
the bot's video for the jitter it sees, and lip sync then holds the bot's audio back
to match (Janus sends a publisher's tracks as one stream). The scene is light enough
for a 2-core machine (one lab meeting, one person sending a small picture, one bot
whose camera shows a moving picture at its frame rate, with the uneven timing of
stage grabs), so the figures measure the stream, not a starved machine.

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.camera_receive`. Prints one JSON object
on its last line: per window, the person's mean jitter-buffer delays (ms) for the
bot's audio and video (`buffer_ms` held, `target_ms` aimed at with lip sync,
`minimum_ms` for jitter alone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random

import numpy as np
from playwright.async_api import async_playwright

from bench.resources import scratch_dir
from bridge_worker.browser.receive_buffers import mean_receive_delays
from bridge_worker.devices.camera_feed import CameraFeed
from lab.bots import running_bot
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.person import SimulatedPerson
from meetbridge.logs import configure_logging

BOT = "camerabench"
GRAB_JITTER_S = 0.02  # stage grabs follow the meeting's paints, not a clock


async def _moving_picture(feed: CameraFeed, stop: asyncio.Event) -> None:
    """A gradient sliding sideways: every frame new, and cheap for VP8 (a stage is not noise)."""
    width, height = feed.camera.width, feed.camera.height
    base = (
        np.linspace(0, 255, width, dtype=np.float32)[None, :, None].repeat(height, 0).repeat(3, 2)
    )
    pictures = [np.roll(base, 4 * k, axis=1).astype(np.uint8) for k in range(8)]
    frame = 0
    while not stop.is_set():
        feed.show(pictures[frame % len(pictures)])
        frame += 1
        period = 1 / feed.camera.fps
        await asyncio.sleep(period + random.uniform(-GRAB_JITTER_S, GRAB_JITTER_S))


async def main(windows: int, seconds: float) -> dict[str, object]:
    require_lab_namespace()
    media = scratch_dir("mb-bench-camera-")
    result: list[dict[str, dict[str, float]]] = []
    async with async_playwright() as playwright, contextlib.AsyncExitStack() as stack:
        meeting = await stack.enter_async_context(LabMeeting())
        person = await stack.enter_async_context(
            SimulatedPerson(playwright, "ann", 440.0, (220, 0, 0), media, video_size=(160, 90, 10))
        )
        await person.join(meeting.url)
        bot = await stack.enter_async_context(running_bot(playwright, meeting.url, BOT))
        assert bot.devices is not None
        stop = asyncio.Event()
        moving = asyncio.create_task(_moving_picture(bot.devices.feed, stop))
        try:
            await asyncio.sleep(8)  # past the start-up: key frames, bandwidth estimate
            for _ in range(windows):
                if moving.done():
                    moving.result()  # the picture stopped moving: say why
                before = await person.receive_totals(BOT)
                await asyncio.sleep(seconds)
                result.append(mean_receive_delays(before, await person.receive_totals(BOT)))
        finally:
            stop.set()
            await moving
    return {"windows_s": seconds, "receiver_jitter_buffers": result}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a window")
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.windows, args.seconds))))
