"""Where a picture from a meeting waits before it reaches the room: from a person's
flash leaving their encoder to the bot's stage grab that shows it.

The scene: one lab meeting, a light person (lab/light_person.py: aiortc, no
browser) flashing white on black every 1.5 s, and one bot; the bot's `Stage` is
watched as a room would watch it, and each frame it hands on is timed (wall clock)
with its mean luma. The path holds the meeting's server, the bot's browser receiving,
decoding and drawing the video, and the grab (X DAMAGE, at most at the camera's
frame rate). bench.camera_path times the other end of the bridge's video.

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.stage_path`. Prints one JSON object on
its last line: `stage_path_ms` (median, and range), frames handed and grabs skipped
as unchanged, and the bot's video jitter buffer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time

import av
import numpy as np
from playwright.async_api import async_playwright

from bench.figures import median_ms, range_ms
from bridge_worker.browser.receive_buffers import mean_receive_delays, receive_totals
from bridge_worker.capture.stage import Stage
from lab.bots import running_bot
from lab.light_person_host import HostedLightPerson
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.onsets import delays, flash_onsets
from meetbridge.logs import configure_logging

BOT = "stagepath"
PERIOD_S, ON_S = 1.5, 0.3
MAX_DELAY_MS = 1200.0


async def main(seconds: float) -> dict[str, object]:
    require_lab_namespace()
    frames: list[tuple[float, float]] = []

    def keep(frame: av.VideoFrame) -> None:
        luma = frame.to_ndarray()[: frame.height]  # the Y plane
        frames.append((time.time() * 1000, float(luma.mean())))

    async with async_playwright() as playwright, contextlib.AsyncExitStack() as stack:
        meeting = await stack.enter_async_context(LabMeeting())
        janus = {"janus_url": meeting.janus.http_url, "room": meeting.room}
        ann = await stack.enter_async_context(
            HostedLightPerson(
                name="ann",
                **janus,
                tone_hz=440.0,
                colour=(255, 255, 255),
                size=(160, 90, 10),
                pulse=(PERIOD_S, ON_S),
            )
        )
        bot = await stack.enter_async_context(running_bot(playwright, meeting.url, BOT))
        assert bot.devices is not None
        camera = bot.devices.feed.camera
        stage = Stage(
            bot.devices.display.name,
            bot.stage_box,
            width=camera.width,
            height=camera.height,
            fps=camera.fps,
        )
        grabbing = asyncio.create_task(stage.run())
        unwatch = stage.watch(keep)
        try:
            await asyncio.sleep(6)  # past the start-up: key frames, the stage's box
            received_before = await receive_totals(bot.devices.page)
            handed, repeats = stage.frames, stage.repeats
            start = time.time() * 1000
            await asyncio.sleep(seconds)
            end = time.time() * 1000
            received = mean_receive_delays(received_before, await receive_totals(bot.devices.page))
            handed, repeats = stage.frames - handed, stage.repeats - repeats
        finally:
            unwatch()
            grabbing.cancel()
            await asyncio.gather(grabbing, return_exceptions=True)
        _tone, picture, _late = await ann.onsets(start)
    sent = [at for at in picture if start <= at <= end - MAX_DELAY_MS]
    seen = flash_onsets(np.asarray([f for f in frames if f[0] >= start]).reshape(-1, 2))
    path = delays(sent, seen, MAX_DELAY_MS)
    return {
        "stage_path_ms": median_ms(path),
        "stage_path_ms_range": range_ms(path),
        "onsets": len(path),
        "frames_handed": handed,
        "grabs_unchanged": repeats,
        "bot_receive": received.get("video"),
        "seconds": seconds,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.seconds))))
