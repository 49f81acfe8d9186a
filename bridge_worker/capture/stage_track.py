"""What a bot sees of its meeting, as a WebRTC video track: the vendor's stage on the
bot's X display, grabbed at the camera frame rate and scaled to the room's size.

The box is asked for again every second (people join and leave, tiles move); the
bot's own self view is never in it (vendor_scripts report the stage without it),
or two bridged bots would film each other's screens in an endless mirror.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Awaitable, Callable

import av
import numpy as np
from aiortc import VideoStreamTrack

from bridge_worker.capture.screen import Screen
from vendor_scripts.base import Box

BoxSource = Callable[[], Awaitable[Box | None]]
BOX_REFRESH_S = 1.0
VIDEO_CLOCK = 90000


class StageTrack(VideoStreamTrack):
    def __init__(self, display: str, stage: BoxSource, *, width: int, height: int, fps: int):
        super().__init__()
        self.display, self.stage = display, stage
        self.size, self.fps = (width, height), fps
        self._box: Box | None = None
        self._box_at = 0.0
        self._started: float | None = None
        self._frames = 0
        self._screen = Screen(display)

    def stop(self) -> None:
        super().stop()
        self._screen.close()

    async def _current_box(self) -> Box | None:
        if time.monotonic() - self._box_at > BOX_REFRESH_S:
            self._box, self._box_at = await self.stage(), time.monotonic()
        return self._box

    def _picture(self, box: Box | None) -> av.VideoFrame:
        """The stage now, scaled and converted for the encoder in one swscale pass."""
        width, height = self.size
        if box is None:  # nobody on stage: a black picture, not the bot's whole screen
            return av.VideoFrame.from_ndarray(np.zeros((height, width, 3), np.uint8), "rgb24")
        grabbed = av.VideoFrame.from_ndarray(self._screen.grab_bgrx(box), format="bgra")
        return grabbed.reformat(width=width, height=height, format="yuv420p")

    async def recv(self) -> av.VideoFrame:
        if self._started is None:
            self._started = time.monotonic()
        due = self._started + self._frames / self.fps
        await asyncio.sleep(max(due - time.monotonic(), 0))
        frame = await asyncio.to_thread(self._picture, await self._current_box())
        frame.pts = int(self._frames * VIDEO_CLOCK / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._frames += 1
        return frame
