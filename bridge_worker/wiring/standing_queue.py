"""Finds the part of an audio queue's delay that never drains, so it can be dropped.

A queue between two clocks (parec → relay → pacat; parec → aiortc's sender) fills
while one side starts up or stalls, and from then on both sides move at the same
rate: what was queued then stays queued for good, as latency. In front of pacat
the backlog sat at its whole cap in every run of bench.room_plane, on every bridged
word (docs/audio.md). A burst must still pass (dropping it would be a needless
glitch), so only a level that never went below `allowance` for a whole window is
taken as standing, and that excess goes at once (one short glitch, then none).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class StandingQueue:
    """Watches one queue's level; `excess` says how many bytes to drop now."""

    def __init__(
        self,
        allowance: int,
        *,
        window_s: float = 1.0,
        align: int = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`allowance`: bytes the queue may keep for good (jitter slack); `align`:
        drops are whole samples (2 bytes of s16 mono)."""
        self.allowance, self.window_s, self.align = allowance, window_s, align
        self.dropped = 0  # bytes, over the queue's life
        self._clock = clock
        self._window_start: float | None = None
        self._lowest = math.inf

    def excess(self, level: int) -> int:
        """Tell the queue's level (call at every read or write); returns the bytes
        to drop now: the lowest level of a finished window above the allowance."""
        now = self._clock()
        if self._window_start is None:
            self._window_start = now
        self._lowest = min(self._lowest, level)
        if now - self._window_start < self.window_s:
            return 0
        standing = int(self._lowest) - self.allowance
        self._window_start, self._lowest = now, math.inf
        if standing <= 0:
            return 0
        drop = standing - standing % self.align
        self.dropped += drop
        return drop
