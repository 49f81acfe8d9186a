"""Pictures of a bot's X display (whole, or a box of it) through python-xlib."""

from __future__ import annotations

import contextlib
import io
import socket

import numpy as np
from PIL import Image
from Xlib import X
from Xlib import display as xdisplay
from Xlib.error import ConnectionClosedError, DisplayError

from vendor_scripts.base import Box


class Screen:
    """A lasting connection to one X display: opening one costs more than a grab
    (setup, keymap, extensions: a third of a bridged bot's capture CPU when done per
    frame). Used by one caller at a time; reconnects after the connection breaks."""

    def __init__(self, display_name: str):
        self.display_name = display_name
        self._conn: xdisplay.Display | None = None

    def grab_bgrx(self, box: Box | None = None) -> np.ndarray:
        """The pixels now, cropped to `box` (screen pixels), as a (height, width, 4)
        BGRX array: what X hands over, with no conversion."""
        if self._conn is None:
            self._conn = xdisplay.Display(self.display_name)
        try:
            screen = self._conn.screen()  # its size is fixed (Xvfb): no round trip for it
            root, screen_w, screen_h = screen.root, screen.width_in_pixels, screen.height_in_pixels
            x, y, width, height = 0, 0, screen_w, screen_h
            if box is not None:
                x, y = max(int(box.x), 0), max(int(box.y), 0)
                width = max(min(int(box.width), screen_w - x), 1)
                height = max(min(int(box.height), screen_h - y), 1)
            raw = root.get_image(x, y, width, height, X.ZPixmap, 0xFFFFFFFF)
        except (ConnectionClosedError, DisplayError, OSError):
            self.close()
            raise
        return np.frombuffer(raw.data, dtype=np.uint8).reshape(height, width, 4)

    def grab(self, box: Box | None = None) -> Image.Image:
        pixels = self.grab_bgrx(box)
        height, width = pixels.shape[:2]
        return Image.frombytes("RGB", (width, height), pixels.tobytes(), "raw", "BGRX")

    def interrupt(self) -> None:
        """Wake a grab waiting on the X server, from any thread: it fails at once
        instead of holding its thread (and whoever waits to close) for ever."""
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.display.socket.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(ConnectionClosedError, DisplayError, OSError):
                conn.close()  # an interrupted or broken connection has nothing to flush


def grab(display_name: str, box: Box | None = None) -> Image.Image:
    """One picture of the display (a screenshot): connects, grabs, disconnects."""
    screen = Screen(display_name)
    try:
        return screen.grab(box)
    finally:
        screen.close()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
