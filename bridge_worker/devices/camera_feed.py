"""Feeds a camera the current picture, ticking at the camera's frame rate.

A camera never stops sending: receivers that join late need fresh frames (and key
frames) even when the picture does not change. Backends that repeat the last
picture themselves (`repeats_last_frame`) are only sent pictures that changed.
A new picture is sent at once, not at the next tick (a bridged room's video is
late enough already), and the ticking goes on from there.
"""

from __future__ import annotations

import asyncio
import contextlib

import numpy as np

from bridge_worker.devices.camera import VirtualCamera, solid_frame

IDLE_RGB = (32, 36, 48)


class CameraFeed:
    def __init__(self, camera: VirtualCamera, picture: np.ndarray | None = None):
        self.camera = camera
        self.picture = (
            picture if picture is not None else solid_frame(IDLE_RGB, camera.width, camera.height)
        )
        self.paused = False  # camera "off": the far side keeps the last frame
        self.frames_fed = 0
        self._changed = asyncio.Event()

    def show(self, picture: np.ndarray) -> None:
        """Switch to a new picture (do not modify it afterwards)."""
        if picture.shape != (self.camera.height, self.camera.width, 3):
            raise ValueError(
                f"picture must be {self.camera.height}x{self.camera.width}x3, got {picture.shape}"
            )
        self.picture = picture
        self._changed.set()

    async def run(self) -> None:
        """Send the current picture every 1/fps seconds until cancelled."""
        loop = asyncio.get_running_loop()
        period = 1.0 / self.camera.fps
        next_at = loop.time()
        repeats = self.camera.repeats_last_frame
        sent: np.ndarray | None = None
        while True:
            if not self.paused and not (repeats and self.picture is sent):
                sent = self.picture
                await self.camera.send(sent)
                self.frames_fed += 1
            next_at += period
            delay = next_at - loop.time()
            if delay < 0:  # fell behind (slow host): skip ticks instead of bursting
                next_at = loop.time()
                delay = 0
            self._changed.clear()
            with contextlib.suppress(TimeoutError):  # not wait_for: see meetbridge.tasks
                async with asyncio.timeout(delay):
                    await self._changed.wait()
                next_at = loop.time()  # a new picture: send it now, tick from here
