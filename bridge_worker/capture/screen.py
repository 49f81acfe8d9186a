"""Pictures of a bot's X display (whole, or a box of it), through MIT-SHM.

mss asks the X server to write the pixels into memory both share (XShmGetImage on a
memfd handed over the socket, so the server's user need not own it), instead of
sending them down the socket as python-xlib's XGetImage does: a stage-sized grab is
several times cheaper, and a bridged bot grabs its stage up to its camera's frame
rate (docs/video.md). Where MIT-SHM is missing, mss falls back to XGetImage.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import io
import os
import socket

import mss
import numpy as np
from mss.exception import ScreenShotError
from PIL import Image

from vendor_scripts.base import Box


def _xcb_socket_fd(grabber: mss.MSS) -> int | None:
    """The X connection's socket under an mss grabber (mss keeps its XCB connection
    in its backend: reached here only to interrupt a grab stuck on a stopped server)."""
    conn = getattr(getattr(grabber, "_impl", None), "conn", None)
    if conn is None:
        return None
    fd = int(_libxcb().xcb_get_file_descriptor(ctypes.addressof(conn)))
    return fd if fd >= 0 else None


@functools.cache
def _libxcb() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    lib.xcb_get_file_descriptor.argtypes = [ctypes.c_void_p]
    lib.xcb_get_file_descriptor.restype = ctypes.c_int
    return lib


class Screen:
    """A lasting connection to one X display: opening one (and its shared memory)
    costs more than a grab. Used by one caller at a time; reconnects after the
    connection breaks."""

    def __init__(self, display_name: str):
        self.display_name = display_name
        self._grabber: mss.MSS | None = None
        self._size = (0, 0)

    def _connected(self) -> mss.MSS:
        if self._grabber is None:
            grabber = mss.MSS(display=self.display_name, backend="xshmgetimage")
            whole = grabber.monitors[0]  # the root window (Xvfb: its size is fixed)
            self._grabber, self._size = grabber, (int(whole["width"]), int(whole["height"]))
        return self._grabber

    def grab_bgrx(self, box: Box | None = None) -> np.ndarray:
        """The pixels now, cropped to `box` (screen pixels), as a (height, width, 4)
        BGRX array: what X hands over, with no conversion (writable, not shared)."""
        try:
            grabber = self._connected()
            screen_w, screen_h = self._size
            x, y, width, height = 0, 0, screen_w, screen_h
            if box is not None:
                x, y = min(max(int(box.x), 0), screen_w - 1), min(max(int(box.y), 0), screen_h - 1)
                width = max(min(int(box.width), screen_w - x), 1)
                height = max(min(int(box.height), screen_h - y), 1)
            shot = grabber.grab({"left": x, "top": y, "width": width, "height": height})
        except Exception:
            self.close()  # a broken or interrupted connection: the next grab reconnects
            raise
        return np.frombuffer(shot.raw, dtype=np.uint8).reshape(height, width, 4)

    def grab(self, box: Box | None = None) -> Image.Image:
        pixels = self.grab_bgrx(box)
        height, width = pixels.shape[:2]
        return Image.frombuffer("RGB", (width, height), pixels, "raw", "BGRX", 0, 1)

    def interrupt(self) -> None:
        """Wake a grab waiting on the X server, from any thread: it fails at once
        instead of holding its thread (and whoever waits to close) for ever."""
        grabber = self._grabber
        fd = _xcb_socket_fd(grabber) if grabber is not None else None
        if fd is None:
            return
        with contextlib.suppress(OSError):  # already closed: nothing waits on it
            shadow = socket.socket(fileno=os.dup(fd))  # a shutdown reaches the shared socket
            with shadow:
                shadow.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        grabber, self._grabber = self._grabber, None
        if grabber is not None:
            with contextlib.suppress(ScreenShotError, OSError):
                grabber.close()


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
