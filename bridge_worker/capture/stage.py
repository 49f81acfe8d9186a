"""What a bot sees of its meeting: the vendor's stage on the bot's X display, grabbed
at the camera frame rate and scaled to the room's size, for whoever watches it.

One grab per change however many watch: the VideoRoom publisher (for members in
other worker processes) and, directly, the seats of members in this process (who
then skip a VP8 encode, Janus, a jitter buffer and a decode). Grabs follow the
display's changes (X DAMAGE, `capture/damage.py`) up to the frame rate; nothing is
grabbed while nobody watches. A grab that finds the picture as it was (a video that
repaints a still picture: a tile with the camera off, a shared slide) is not handed
on, except once every `STILL_REFRESH_S`: each handed frame costs every watcher a
camera picture (a JPEG encode and a trip into the page) or a VP8 encode.

The box is asked for again every second (people join and leave, tiles move); the
bot's own self view is never in it (vendor_scripts report the stage without it),
or two bridged bots would film each other's screens in an endless mirror.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import math
import threading
import time
from collections.abc import Awaitable, Callable

import av
import numpy as np
import structlog

from bridge_worker.capture.damage import ScreenChanges
from bridge_worker.capture.screen import Screen
from vendor_scripts.base import Box

BoxSource = Callable[[], Awaitable[Box | None]]
StageSink = Callable[[av.VideoFrame], None]
log = structlog.get_logger(__name__)
BOX_REFRESH_S = 1.0
GRAB_RETRY_S = 1.0
STILL_REFRESH_S = 1.0  # a still stage is grabbed and handed on again this often
VIDEO_CLOCK = 90000
TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)


class Stage:
    """Grabs a bot's stage while watched (`run` as a task) and hands each frame, in
    yuv420p at the room's size, to every watcher. Frames are shared: read-only.
    (yuv420p: what the encoder takes, and swscale scales into it several times faster
    than into rgb24; watchers that need rgb convert at the room's size.)"""

    def __init__(self, display: str, stage: BoxSource, *, width: int, height: int, fps: int):
        self.display, self.stage = display, stage
        self.size, self.fps = (width, height), fps
        self.frames = 0  # handed to the watchers
        self.repeats = 0  # grabs that found the picture unchanged, not handed on
        self._last: np.ndarray | None = None  # the last picture handed on, as planes
        self._box: Box | None = None
        self._box_at = 0.0
        self._sinks: list[StageSink] = []
        self._watched = asyncio.Event()
        self.ended = asyncio.Event()  # set once `run` is over: watchers look elsewhere
        self._screen = Screen(display)
        self._screen_lock = threading.Lock()  # grabs run in a thread; close waits for one
        self._epoch = time.monotonic()

    def watch(self, sink: StageSink) -> Callable[[], None]:
        """Hand every frame from now on to `sink`; returns the call that stops it."""
        self._sinks.append(sink)
        self._watched.set()

        def unwatch() -> None:
            with contextlib.suppress(ValueError):
                self._sinks.remove(sink)
            if not self._sinks:
                self._watched.clear()

        return unwatch

    async def run(self) -> None:
        """Grab while anyone watches, until cancelled: as soon as the stage changes (at
        most at the frame rate), and at least every `STILL_REFRESH_S` while it stands
        still (receivers that join late need a picture). Without X DAMAGE, on a clock."""
        loop = asyncio.get_running_loop()
        period = 1.0 / self.fps
        changes = ScreenChanges.open(self.display)
        try:
            next_at = grabbed_at = handed_at = loop.time()
            while True:
                if not self._sinks:
                    await self._watched.wait()
                    next_at, grabbed_at, handed_at = loop.time(), -math.inf, -math.inf
                await asyncio.sleep(max(next_at - loop.time(), 0))
                try:
                    box = await self._current_box()
                    if changes is not None:
                        await changes.wait(box, grabbed_at + STILL_REFRESH_S - loop.time())
                    grabbed_at = loop.time()
                    may_skip = grabbed_at - handed_at < STILL_REFRESH_S
                    frame = await asyncio.to_thread(self._picture, box, may_skip)
                except Exception as exc:  # noqa: BLE001 - the page or X hiccups: go on
                    log.warning("stage grab failed", display=self.display, error=str(exc)[:200])
                    next_at = loop.time() + GRAB_RETRY_S
                    continue
                if frame is None:
                    self.repeats += 1
                else:
                    handed_at = grabbed_at
                    frame.pts = int((time.monotonic() - self._epoch) * VIDEO_CLOCK)
                    frame.time_base = TIME_BASE
                    self.frames += 1
                    for sink in list(self._sinks):
                        sink(frame)
                # A slow grab (busy host) skips ticks instead of bursting to catch up.
                next_at = max(next_at + period, grabbed_at + period)
        finally:
            self.ended.set()
            if changes is not None:
                changes.close()
            self._screen.interrupt()  # a grab stuck on X must not hold up the close
            await asyncio.shield(asyncio.to_thread(self._close_screen))

    async def _current_box(self) -> Box | None:
        if time.monotonic() - self._box_at > BOX_REFRESH_S:
            self._box, self._box_at = await self.stage(), time.monotonic()
        return self._box

    def _picture(self, box: Box | None, skip_unchanged: bool) -> av.VideoFrame | None:
        """The stage now, scaled and converted in one swscale pass; None if it is the
        picture last handed on and `skip_unchanged` (compared at the room's size: for a
        1280x640 stage a tenth of the grab's bytes, and the watchers never see finer)."""
        width, height = self.size
        if box is None:  # nobody on stage: a black picture, not the bot's whole screen
            black = av.VideoFrame.from_ndarray(np.zeros((height, width, 3), np.uint8), "rgb24")
            frame = black.reformat(format="yuv420p")
        else:
            with self._screen_lock:
                pixels = self._screen.grab_bgrx(box)
            # wraps the grab (a copy of its own) without another copy, which would cost
            # more than the grab itself (docs/video.md)
            grabbed = av.VideoFrame.from_numpy_buffer(pixels, format="bgra")
            frame = grabbed.reformat(width=width, height=height, format="yuv420p")
        planes = frame.to_ndarray()  # Y, U and V, without the planes' row padding
        if skip_unchanged and self._last is not None and np.array_equal(planes, self._last):
            return None
        self._last = planes
        return frame

    def _close_screen(self) -> None:
        with self._screen_lock:
            self._screen.close()
