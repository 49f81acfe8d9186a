"""The injected camera backend: frames from the worker into the page's canvas track."""

from __future__ import annotations

import asyncio
import io
import json
from importlib import resources
from typing import TYPE_CHECKING, Final

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, WebSocketRoute

# Never reaches the network: Playwright answers it in-process (route_web_socket).
FEED_URL = "wss://camera.meetbridge.invalid/feed"
JPEG_QUALITY = 80


def encode_jpeg(frame: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    out = io.BytesIO()
    Image.fromarray(frame, "RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


class InjectedCamera:
    """Feeds every page of a browser context that opened the camera."""

    backend: Final = "injected"
    repeats_last_frame = True  # the page repeats the last picture at the frame rate

    def __init__(self, *, width: int, height: int, fps: int, label: str = "meetbridge camera"):
        self.width, self.height, self.fps, self.label = width, height, fps, label
        self._sockets: set[WebSocketRoute] = set()
        # A still picture is sent every tick; encode it once. Frames are never
        # modified after they are handed over, so identity is a safe cache key.
        self._last_frame: np.ndarray | None = None
        self._last_payload = b""

    def browser_args(self) -> list[str]:
        return []

    def init_script(self) -> str:
        config = {
            "url": FEED_URL,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "label": self.label,
        }
        source = resources.files(__package__).joinpath("camera_injected.js").read_text()
        return source.replace("__MEETBRIDGE_CAMERA_CONFIG__", json.dumps(config))

    async def attach(self, context: BrowserContext) -> None:
        await context.add_init_script(self.init_script())
        await context.route_web_socket(FEED_URL, self._accept)

    def _accept(self, socket: WebSocketRoute) -> None:
        """A page opened the camera: give it the current picture at once."""
        self._sockets.add(socket)
        socket.on_close(lambda *_: self._sockets.discard(socket))
        if self._last_payload:
            socket.send(self._last_payload)

    async def send(self, frame: np.ndarray) -> None:
        if frame is not self._last_frame:
            self._last_payload = await asyncio.to_thread(encode_jpeg, frame)
            self._last_frame = frame
        for socket in list(self._sockets):
            socket.send(self._last_payload)

    async def aclose(self) -> None:
        self._sockets.clear()
