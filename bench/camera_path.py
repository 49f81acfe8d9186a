"""Where a bridged picture waits on its way into the far meeting: from the worker's
`show()` on a bot's camera to a person in the bot's meeting.

The scene: one lab meeting, one light person (lab/light_person.py: aiortc, no
browser) who receives the bot's video and times each frame when it is complete, and
one bot whose camera shows black, then white for a moment, every 1.5 s at a random
phase of its frame clock (a bridged stage changes when the far meeting paints, not
on the camera's tick). Between the changes the page repeats the picture at the
camera's frame rate, as it does in a room.

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.camera_path`. Prints one JSON object on
its last line: `camera_path_ms` (median show() -> complete at the person, and its
range), and from the bot page's own statistics over the run: frames the page handed
its camera track, frames WebRTC encoded and sent (fewer if some were dropped on the
way), the mean encode time, the mean wait of a packet in the sender's pacer, and
the sender's target bitrate (its bandwidth estimate's share for this video).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from typing import Any

from playwright.async_api import Page, async_playwright

from bench.figures import median_ms, range_ms
from bridge_worker.devices.camera import solid_frame
from bridge_worker.devices.camera_feed import CameraFeed
from lab.bots import running_bot
from lab.light_person_host import HostedLightPerson
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.onsets import delays
from meetbridge.logs import configure_logging

BOT = "camerapath"
EVERY_S, WHITE_S = 1.5, 0.4
MAX_DELAY_MS = 1200.0


async def _outbound(page: Page) -> dict[str, Any]:
    """The bot page's video sender statistics, summed over its peer connections."""
    return await page.evaluate(
        """async () => {
          const out = {framesEncoded: 0, framesSent: 0, totalEncodeTime: 0,
                       totalPacketSendDelay: 0, packetsSent: 0, keyFramesEncoded: 0};
          for (const pc of window.__meetbridgeConnections ? window.__meetbridgeConnections() : []) {
            (await pc.getStats()).forEach((r) => {
              if (r.type !== "outbound-rtp" || r.kind !== "video") return;
              for (const key of Object.keys(out)) out[key] += r[key] || 0;
              out.limitation = r.qualityLimitationReason;
              out.size = `${r.frameWidth}x${r.frameHeight}`;
              out.targetBitrate = r.targetBitrate;
            });
          }
          const camera = window.__meetbridgeCamera || {};
          out.handed = camera.frames || 0;
          return out;
        }"""
    )


async def _flash(feed: CameraFeed, shown: list[float], stop: asyncio.Event) -> None:
    width, height = feed.camera.width, feed.camera.height
    black, white = (
        solid_frame((0, 0, 0), width, height),
        solid_frame((255, 255, 255), width, height),
    )
    feed.show(black)
    while not stop.is_set():
        await asyncio.sleep(EVERY_S - WHITE_S + random.uniform(0, 1 / feed.camera.fps))
        shown.append(time.time() * 1000)
        feed.show(white.copy())  # a new picture each time: the feed sends it on
        await asyncio.sleep(WHITE_S)
        feed.show(black.copy())


async def main(seconds: float) -> dict[str, object]:
    require_lab_namespace()
    shown: list[float] = []
    async with async_playwright() as playwright, contextlib.AsyncExitStack() as stack:
        meeting = await stack.enter_async_context(LabMeeting())
        janus = {"janus_url": meeting.janus.http_url, "room": meeting.room}
        person = await stack.enter_async_context(
            HostedLightPerson(
                name="ann", **janus, tone_hz=440.0, colour=(220, 0, 0), size=(160, 90, 5)
            )
        )
        bot = await stack.enter_async_context(running_bot(playwright, meeting.url, BOT))
        assert bot.devices is not None
        await person.hear(BOT)
        stop = asyncio.Event()
        flashing = asyncio.create_task(_flash(bot.devices.feed, shown, stop))
        try:
            await asyncio.sleep(6)  # past the start-up: key frames, bandwidth estimate
            before = await _outbound(bot.devices.page)
            start = time.time() * 1000
            await asyncio.sleep(seconds)
            end = time.time() * 1000
            after = await _outbound(bot.devices.page)
        finally:
            stop.set()
            await flashing
        got = await person.received(BOT, start)
    sent = [at for at in shown if start <= at <= end - MAX_DELAY_MS]
    path = delays(sent, got.flash_onsets(), MAX_DELAY_MS)
    counts = {
        key: after[key] - before.get(key, 0)
        for key in after
        if isinstance(after[key], (int, float))
    }
    encoded = counts.get("framesEncoded", 0)
    return {
        "camera_path_ms": median_ms(path),
        "camera_path_ms_range": range_ms(path),
        "onsets": len(path),
        "frames_handed": counts.get("handed"),
        "frames_encoded": encoded,
        "frames_sent": counts.get("framesSent"),
        "encode_ms": round(1000 * counts.get("totalEncodeTime", 0) / encoded, 2)
        if encoded
        else None,
        "pacer_ms": round(1000 * counts["totalPacketSendDelay"] / counts["packetsSent"], 1)
        if counts.get("packetsSent")
        else None,
        "target_kbps": round(after["targetBitrate"] / 1000) if after.get("targetBitrate") else None,
        "limitation": after.get("limitation"),
        "size": after.get("size"),
        "seconds": seconds,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.seconds))))
