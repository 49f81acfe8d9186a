"""The encoded relay between bots of one worker process: one meeting's Opus frames,
as its bot's page received them, sent by another bot's page as its own.

A worker runs all its bots on one event loop: a seat whose single source sits in the
same process takes the source's page relay from here (`offering`) and forwards what it
taps. An SFU sends one stream per speaker: the frames of one speaker at a time are
forwarded untouched (`ActiveSpeaker`: while two talk at once, the first keeps the
floor). Mixing several at once (decode, mix, encode) is not built yet: a seat with
more than one source stays on the devices path.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bridge_worker.browser.page_relay import PageRelay
from bridge_worker.wiring.seat_health import SeatCounters

_relays: dict[str, PageRelay] = {}
DTX_MAX_BYTES = 3  # Opus DTX / comfort-noise frames: the speaker is silent
HOLD_S = 0.2  # a speaker keeps the floor this long after its last speech frame
QUEUE_FRAMES = 4  # frames waiting to go into the target's page (its own queue holds 2)


@contextlib.contextmanager
def offering(bot_id: str, relay: PageRelay) -> Iterator[None]:
    """Let seats in this process forward `bot_id`'s meeting while the block runs."""
    _relays[bot_id] = relay
    try:
        yield
    finally:
        if _relays.get(bot_id) is relay:
            del _relays[bot_id]


def offered(bot_id: str) -> PageRelay | None:
    return _relays.get(bot_id)


@dataclass
class ActiveSpeaker:
    """Which of a meeting's receivers has the floor: the one whose last speech frame
    (larger than DTX) is newest, kept HOLD_S after it falls silent. Pure."""

    current: int | None = None
    _spoke_at: float = float("-inf")

    def takes(self, receiver: int, frame: bytes, at: float) -> bool:
        """Whether `receiver`'s `frame`, arrived at `at`, is to be forwarded."""
        speaking = len(frame) > DTX_MAX_BYTES
        if receiver == self.current:
            if speaking:
                self._spoke_at = at
            return True
        if speaking and (self.current is None or at - self._spoke_at > HOLD_S):
            self.current, self._spoke_at = receiver, at
            return True
        return False


class EncodedForward:
    """Forwards one source's tapped frames into a target page, for as long as it runs."""

    def __init__(
        self, source: str, source_relay: PageRelay, target: PageRelay, counters: SeatCounters
    ):
        self.source, self.source_relay, self.target = source, source_relay, target
        self.counters = counters
        self._speaker = ActiveSpeaker()
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_FRAMES)

    def _on_frame(self, receiver: int, frame: bytes) -> None:
        if not self._speaker.takes(receiver, frame, time.monotonic()):
            return
        if self._queue.full():  # the target's page is behind: the oldest goes
            self._queue.get_nowait()
        self._queue.put_nowait(frame)

    @property
    def fallback(self) -> str | None:
        """Why the relay stepped aside (either page's reason), or None while it runs."""
        return self.source_relay.fallback or self.target.fallback

    async def run(self) -> None:
        self.source_relay.listeners.append(self._on_frame)
        try:
            while True:
                frame = await self._queue.get()
                if await self.target.send(frame):
                    self.counters.relayed += 1
        finally:
            self.source_relay.listeners.remove(self._on_frame)
