"""The kernel camera backend: a v4l2loopback device fed through pyvirtualcam.

Only selected when a loopback device exists (see camera.find_loopback_devices). The
bot account must be able to open the device (e.g. be in the `video` group).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext


class LoopbackCamera:
    backend: Final = "v4l2loopback"
    repeats_last_frame = False  # a loopback device must be written every frame

    def __init__(self, device: Path, *, width: int, height: int, fps: int):
        import pyvirtualcam  # optional extra: pip install meetbridge[v4l2]

        self.width, self.height, self.fps, self.device = width, height, fps, device
        self._camera: Any = pyvirtualcam.Camera(
            width=width,
            height=height,
            fps=fps,
            device=str(device),
            fmt=pyvirtualcam.PixelFormat.RGB,
        )

    def browser_args(self) -> list[str]:
        return []

    async def attach(self, context: BrowserContext) -> None:
        """Chromium finds the device by itself."""

    async def send(self, frame: np.ndarray) -> None:
        await asyncio.to_thread(self._camera.send, frame)

    async def aclose(self) -> None:
        self._camera.close()
