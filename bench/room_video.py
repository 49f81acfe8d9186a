"""The room's video plane alone: from a paint on bot A's display to the frame that
shows it at bot B's seat, through the room's VideoRoom (the cross-host path) and
directly in-process (the same-host path), on an idle machine, no browsers.

Bot A's display flips between black and white every FLIP_S at a random phase of the
stage's frame clock; each flip is timed when X has it (after XSync). Its `Stage`
grabs it as a room seat would; B receives it (a) straight from the stage, as a seat
in the same process does, and (b) through the VideoRoom: A's `StageTrack`, aiortc's
VP8 encode, Janus, aiortc's receive buffer and decode. A frame is timed when the
watcher is handed it and its mean luma crosses the middle. The difference of the two
is what the VideoRoom leg adds. Also reported: the encoder's and decoder's time per
frame, from the same frames.

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.room_video`. Prints one JSON object on
its last line: `direct_ms`, `room_ms` (medians over the flips, with ranges),
`room_added_ms`, `flips`, the machine's busy cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time

import av
import numpy as np
from Xlib import display as xdisplay

from bench.figures import median_ms, range_ms
from bench.resources import machine_busy
from bridge_worker.capture.stage import Stage
from bridge_worker.capture.stage_track import StageTrack
from bridge_worker.devices.display import virtual_display
from bridge_worker.wiring.video_room import VideoRoom, publishing, watching
from lab.janus_server import LabJanus
from meetbridge.janus_rooms import RoomMedia, create_rooms
from meetbridge.process import bot_account
from meetbridge.tasks import stopped
from vendor_scripts.base import Box

WIDTH, HEIGHT, FPS = 640, 360, 15
FLIP_S = 1.6
MAX_DELAY_S = 1.5


class Painter:
    """Paints the display's root window in one grey level, timing when X has it."""

    def __init__(self, name: str):
        self.conn = xdisplay.Display(name)
        self.root = self.conn.screen().root

    def paint(self, level: int) -> float:
        self.root.change_attributes(background_pixel=(level << 16) | (level << 8) | level)
        self.root.clear_area()
        self.conn.sync()
        return time.time()

    def close(self) -> None:
        self.conn.close()


class Arrivals:
    """When a watcher's frames crossed from dark to light or back."""

    def __init__(self) -> None:
        self.at: list[tuple[float, bool]] = []  # (wall time, light?)
        self._light: bool | None = None

    def on_frame(self, _source: str, frame: av.VideoFrame) -> None:
        luma = float(np.asarray(frame.planes[0]).mean())
        light = luma > 128
        if light != self._light:
            self.at.append((time.time(), light))
            self._light = light


def delays(flips: list[tuple[float, bool]], arrivals: Arrivals) -> list[float]:
    """For every flip, the first arrival of its level after it (within MAX_DELAY_S)."""
    found = []
    for at, light in flips:
        later = [t for t, lit in arrivals.at if lit == light and at <= t <= at + MAX_DELAY_S]
        if later:
            found.append((later[0] - at) * 1000)
    return found


async def main(flips: int) -> dict[str, object]:
    account = bot_account("meetbridge-bot")
    direct, room = Arrivals(), Arrivals()
    async with contextlib.AsyncExitStack() as stack:
        janus = await stack.enter_async_context(LabJanus())
        await create_rooms(RoomMedia(janus.http_url, 7300, 7301, "bench-secret"))
        video_room = VideoRoom(janus.http_url, 7301, secret="bench-secret")
        screen = await stack.enter_async_context(
            virtual_display(width=WIDTH, height=HEIGHT, run_as=account)
        )
        painter = Painter(screen.name)
        stack.callback(painter.close)
        painter.paint(0)

        async def whole_screen() -> Box:
            return Box(0, 0, WIDTH, HEIGHT)

        stage = Stage(screen.name, whole_screen, width=WIDTH, height=HEIGHT, fps=FPS)
        capture = asyncio.create_task(stage.run())
        stack.push_async_callback(stopped, capture)
        stack.callback(stage.watch(lambda frame: direct.on_frame("a", frame)))
        track = StageTrack(stage)
        stack.callback(track.stop)
        await stack.enter_async_context(publishing(video_room, "bot-a", track))
        await stack.enter_async_context(watching(video_room, "bot-a", room.on_frame))
        await asyncio.sleep(3)  # past the first key frames

        async def flipping() -> list[tuple[float, bool]]:
            done = []
            for n in range(flips):
                await asyncio.sleep(FLIP_S + random.uniform(0, 1 / FPS))
                light = n % 2 == 0
                done.append((painter.paint(255 if light else 0), light))
            await asyncio.sleep(MAX_DELAY_S)
            return done

        done, machine = await machine_busy(flipping())
    direct_ms, room_ms = delays(done, direct), delays(done, room)
    direct_median, room_median = median_ms(direct_ms), median_ms(room_ms)
    return {
        "direct_ms": direct_median,
        "direct_ms_range": range_ms(direct_ms),
        "room_ms": room_median,
        "room_ms_range": range_ms(room_ms),
        "room_added_ms": (
            round(room_median - direct_median, 1)
            if room_median is not None and direct_median is not None
            else None
        ),
        "flips": len(done),
        "room_flips_seen": len(room_ms),
        "size": f"{WIDTH}x{HEIGHT}@{FPS}",
        **machine,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flips", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.flips))))
