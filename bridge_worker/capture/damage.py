"""When pixels change on a bot's X display, through the DAMAGE extension.

The stage is grabbed when the meeting's video paints into it, not on a blind clock:
a new picture leaves without waiting for the next tick (half a frame period on
average), and a stage that stands still costs nothing to grab, scale and send.
Events come on a connection of their own, read on the event loop; grabs keep theirs
in a thread (python-xlib connections are not shared between threads).
"""

from __future__ import annotations

import asyncio
import contextlib

from Xlib import display as xdisplay
from Xlib.error import DisplayError
from Xlib.ext import damage

from vendor_scripts.base import Box


class ScreenChanges:
    """Damage on the root window (it covers every window drawn on the display).
    Use from one event loop: `open` there, `wait` there, `close` there."""

    def __init__(self, conn: xdisplay.Display):
        self._conn = conn
        self._damage = conn.screen().root.damage_create(damage.DamageReportBoundingBox)
        conn.flush()
        self._areas: list[Box] = []  # damaged since the last `wait`
        self.broken = False
        self._arrived = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        # Kept: once the display is gone the connection raises on fileno() too.
        self._fd = conn.fileno()
        self._loop.add_reader(self._fd, self._read)

    @classmethod
    def open(cls, display_name: str) -> ScreenChanges | None:
        """Watch `display_name`; None when it has no DAMAGE extension (grab on a clock)."""
        try:
            conn = xdisplay.Display(display_name)
        except DisplayError:
            return None
        if not conn.has_extension("DAMAGE"):
            conn.close()
            return None
        conn.damage_query_version()  # the extension's handshake, before any request
        return cls(conn)

    def _read(self) -> None:
        damaged = False
        try:
            while self._conn.pending_events():
                event = self._conn.next_event()
                if event.type == self._conn.extension_event.DamageNotify:
                    area = event.area
                    self._areas.append(Box(area.x, area.y, area.width, area.height))
                    damaged = True
            if damaged:  # empty the damage region, so the next drawing is reported again
                self._conn.damage_subtract(self._damage)
                self._conn.flush()
        except Exception:  # noqa: BLE001 - the display went away: grab on a clock
            self._loop.remove_reader(self._fd)
            self.broken = True
        if damaged or self.broken:
            self._arrived.set()

    async def wait(self, box: Box | None, timeout_s: float) -> bool:
        """True as soon as something inside `box` (anywhere, for None) has changed
        since the last call; False once `timeout_s` passes without."""
        deadline = self._loop.time() + timeout_s
        while True:
            if self.broken:
                return True
            changed = any(box is None or area.overlaps(box) for area in self._areas)
            self._areas.clear()
            self._arrived.clear()
            remaining = deadline - self._loop.time()
            if changed or remaining <= 0:
                return changed
            with contextlib.suppress(TimeoutError):  # not wait_for: see meetbridge.tasks
                async with asyncio.timeout(remaining):
                    await self._arrived.wait()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the loop may be closing: close the socket anyway
            self._loop.remove_reader(self._fd)
        with contextlib.suppress(Exception):
            self._conn.close()
