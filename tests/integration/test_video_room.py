"""The room's video plane on its own: a bot's stage (a region of its X display) is
published to a real Janus VideoRoom with aiortc and received by another member."""

from __future__ import annotations

import asyncio
import contextlib

import av
import numpy as np
import pytest
from Xlib import display as xdisplay

from bridge_worker.capture.stage import Stage
from bridge_worker.capture.stage_track import StageTrack
from bridge_worker.devices.display import virtual_display
from bridge_worker.wiring.video_room import (
    VideoRoom,
    publishing,
    watching,
)
from lab.janus_server import LabJanus
from lab.media import closest_colour_name
from meetbridge.janus_rooms import RoomMedia, create_rooms
from meetbridge.process import bot_account
from vendor_scripts.base import Box

pytestmark = [pytest.mark.integration]


def paint(display_name: str, rgb: tuple[int, int, int]) -> None:
    """Fill the display's root window with one colour (a stand-in for a meeting's stage)."""
    conn = xdisplay.Display(display_name)
    try:
        root = conn.screen().root
        root.change_attributes(background_pixel=(rgb[0] << 16) | (rgb[1] << 8) | rgb[2])
        root.clear_area()
        conn.sync()
    finally:
        conn.close()


async def test_a_stage_published_by_one_member_is_seen_by_the_other() -> None:
    account = bot_account("meetbridge-bot")
    received: dict[str, av.VideoFrame] = {}

    def keep(source: str, frame: av.VideoFrame) -> None:
        received[source] = frame

    async with contextlib.AsyncExitStack() as stack:
        janus = await stack.enter_async_context(LabJanus())
        room = VideoRoom(janus.http_url, 7001, secret="room-secret", pin="room-pin")
        await create_rooms(RoomMedia(janus.http_url, 7000, 7001, "room-secret", pin="room-pin"))
        screens = {}
        for bot, rgb in (("bot-a", (220, 0, 0)), ("bot-b", (0, 0, 220))):
            screen = await stack.enter_async_context(
                virtual_display(width=640, height=360, run_as=account)
            )
            paint(screen.name, rgb)
            screens[bot] = screen

            async def whole_screen() -> Box:
                return Box(0, 0, 640, 360)

            stage = Stage(screen.name, whole_screen, width=320, height=180, fps=15)
            capture = asyncio.create_task(stage.run())
            stack.push_async_callback(asyncio.gather, capture, return_exceptions=True)
            stack.callback(capture.cancel)
            track = StageTrack(stage)
            stack.callback(track.stop)
            await stack.enter_async_context(publishing(room, bot, track))
        await stack.enter_async_context(watching(room, "bot-a", keep))  # bot-b watches a
        await stack.enter_async_context(watching(room, "bot-b", keep))  # bot-a watches b
        async with asyncio.timeout(15):
            while len(received) < 2:
                await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # past the first (key) frames
        seen = {
            source: tuple(int(c) for c in np.asarray(frame.to_image()).reshape(-1, 3).mean(0))
            for source, frame in received.items()
        }
    assert closest_colour_name(seen["bot-a"]) == "red", seen
    assert closest_colour_name(seen["bot-b"]) == "blue", seen
