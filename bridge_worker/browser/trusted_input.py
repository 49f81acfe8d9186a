"""Clicks and keys through the bot's own X display (XTest), as a person's devices make them.

What Playwright sends reaches the page through the browser's automation channel: its
mouse moves carry no movement (`movementX`/`movementY` are 0), a trace some web
clients read as a bot, and it cannot reach the browser's own dialogs ("Open
xdg-open?" after a page tries to launch the vendor's app). XTest input is made by the
display server, like a real mouse's: the pointer glides onto the target from
elsewhere in a few steps, then presses. The connection is opened on first use and
closed with the bot's devices.
"""

from __future__ import annotations

import asyncio
import contextlib

from playwright.async_api import Locator
from Xlib import XK, X
from Xlib import display as xdisplay
from Xlib.ext import xtest

from vendor_scripts.page_script import ACTION_TIMEOUT_MS

GLIDE_STEPS = 8  # pointer moves from its start to the target
STEP_PAUSE_S = 0.012  # between moves: ~100 ms a glide, the pace of a quick hand
PRESS_HOLD_S = 0.06  # button or key held down
APPROACH_FROM = (-140, -90)  # where a glide starts, relative to the target's centre
TYPING_PAUSE_S = 0.03  # between characters
# X keysym names of the characters whose names are not the characters themselves.
CHAR_KEYSYMS = {
    " ": "space",
    "@": "at",
    ".": "period",
    "-": "minus",
    "_": "underscore",
    "*": "asterisk",
    "!": "exclam",
    "#": "numbersign",
    "$": "dollar",
    "%": "percent",
    "&": "ampersand",
    "+": "plus",
    "=": "equal",
    ",": "comma",
    ":": "colon",
    ";": "semicolon",
    "/": "slash",
    "?": "question",
    "'": "apostrophe",
    '"': "quotedbl",
    "(": "parenleft",
    ")": "parenright",
}

# Where the page's viewport sits on the screen (the window's frame and toolbars above).
VIEWPORT_ORIGIN_JS = (
    "() => [window.screenX + (window.outerWidth - window.innerWidth),"
    " window.screenY + (window.outerHeight - window.innerHeight)]"
)


class XTestInput:
    """Trusted input on one X display (`vendor_scripts.base.TrustedInput`)."""

    def __init__(self, display_name: str) -> None:
        self.display_name = display_name
        self._conn: xdisplay.Display | None = None
        self._lock = asyncio.Lock()  # one gesture at a time: a glide is not interleaved

    def _display(self) -> xdisplay.Display:
        if self._conn is None:
            self._conn = xdisplay.Display(self.display_name)
            if not self._conn.has_extension("XTEST"):
                raise RuntimeError(f"display {self.display_name} has no XTEST extension")
        return self._conn

    async def click(self, target: Locator) -> None:
        await target.wait_for(state="visible", timeout=ACTION_TIMEOUT_MS)
        await target.scroll_into_view_if_needed(timeout=ACTION_TIMEOUT_MS)
        box = await target.bounding_box()  # in the top page's viewport, frames included
        if box is None:
            raise RuntimeError("the element to click has no box on screen")
        left, top = await target.page.evaluate(VIEWPORT_ORIGIN_JS)
        x = round(left + box["x"] + box["width"] / 2)
        y = round(top + box["y"] + box["height"] / 2)
        async with self._lock:
            await self._glide(x + APPROACH_FROM[0], y + APPROACH_FROM[1], x, y)
            await self._button(1)

    async def press(self, key: str) -> None:
        async with self._lock:
            conn = self._display()
            keycode = conn.keysym_to_keycode(XK.string_to_keysym(key))
            if keycode == 0:
                raise ValueError(f"no key {key!r} on display {self.display_name}")
            xtest.fake_input(conn, X.KeyPress, keycode)
            conn.sync()
            await asyncio.sleep(PRESS_HOLD_S)
            xtest.fake_input(conn, X.KeyRelease, keycode)
            conn.sync()

    async def type_text(self, target: Locator, text: str) -> None:
        """Click into `target`, then type `text` key by key (Shift where a character
        needs it). Characters the keyboard map lacks are refused before any is typed."""
        conn = self._display()
        keys = [self._key_for(conn, char) for char in text]
        await self.click(target)
        shift = conn.keysym_to_keycode(XK.string_to_keysym("Shift_L"))
        async with self._lock:
            for keycode, shifted in keys:
                if shifted:
                    xtest.fake_input(conn, X.KeyPress, shift)
                xtest.fake_input(conn, X.KeyPress, keycode)
                xtest.fake_input(conn, X.KeyRelease, keycode)
                if shifted:
                    xtest.fake_input(conn, X.KeyRelease, shift)
                conn.sync()
                await asyncio.sleep(TYPING_PAUSE_S)

    def _key_for(self, conn: xdisplay.Display, char: str) -> tuple[int, bool]:
        """The key that makes `char`, and whether Shift must be held for it."""
        keysym = XK.string_to_keysym(CHAR_KEYSYMS.get(char, char))
        if keysym == X.NoSymbol:
            raise ValueError(f"cannot type {char!r} on display {self.display_name}")
        for keycode, index in conn.keysym_to_keycodes(keysym):
            if index in (0, 1):
                return keycode, index == 1
        raise ValueError(f"cannot type {char!r} on display {self.display_name}")

    async def _glide(self, from_x: int, from_y: int, to_x: int, to_y: int) -> None:
        conn = self._display()
        screen = conn.screen()
        from_x = min(max(from_x, 0), screen.width_in_pixels - 1)
        from_y = min(max(from_y, 0), screen.height_in_pixels - 1)
        for step in range(GLIDE_STEPS + 1):
            x = from_x + (to_x - from_x) * step // GLIDE_STEPS
            y = from_y + (to_y - from_y) * step // GLIDE_STEPS
            xtest.fake_input(conn, X.MotionNotify, x=x, y=y)
            conn.sync()
            await asyncio.sleep(STEP_PAUSE_S)

    async def _button(self, button: int) -> None:
        conn = self._display()
        xtest.fake_input(conn, X.ButtonPress, button)
        conn.sync()
        await asyncio.sleep(PRESS_HOLD_S)
        xtest.fake_input(conn, X.ButtonRelease, button)
        conn.sync()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # the display may be gone already
                conn.close()
