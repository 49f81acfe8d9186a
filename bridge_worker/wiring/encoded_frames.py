"""The encoded relay: one meeting's Opus frames, as its bot's page received them, sent
by another bot's page as its own.

A worker runs all its bots on one event loop: a seat takes the page relays of sources
in the same process from here (`offering`); frames of sources elsewhere come through
the room's VideoRoom (`room_frames.py`). An SFU sends one stream per speaker: while
one stream speaks its frames are forwarded untouched (`ActiveSpeaker`); while several
speak at once (of one meeting or of several sources), or a speaker's packets are not
20 ms long (the length a bot's page sends), they are decoded, mixed and encoded in
20 ms frames (`opus_mix.py`). Stereo is mixed down to mono there; untouched, a stereo
frame goes as it is (every Opus decoder takes either).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from bridge_worker.browser.page_relay import FrameListener, PageRelay
from bridge_worker.wiring.opus_mix import FRAME_SAMPLES, OpusMixer
from bridge_worker.wiring.opus_packet import opus_samples
from bridge_worker.wiring.seat_health import SeatCounters
from meetbridge.tasks import stopped

_relays: dict[str, PageRelay] = {}
DTX_MAX_BYTES = 3  # Opus DTX / comfort-noise frames: the speaker is silent
HOLD_S = 0.2  # a speaker keeps the floor this long after its last speech frame
QUEUE_FRAMES = 4  # frames waiting to go into the target's page (its own queue holds 2)
MIX_TICK_S = 0.02
NO_FRAMES_S = 1.0  # no frame from any source this long: the devices path carries it


class FrameSource(Protocol):
    """Where a meeting's frames come from: a page relay, or a feed in the room."""

    listeners: list[FrameListener]

    @property
    def fallback(self) -> str | None:
        """Why its frames cannot be trusted to carry the meeting, or None."""
        ...


class FrameTarget(Protocol):
    """Where the frames go: a bot's page, or the seat's feed in the room."""

    @property
    def fallback(self) -> str | None: ...

    async def send(self, frame: bytes) -> bool:
        """Send `frame` next; False when it cannot."""
        ...


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

    current: Hashable | None = None
    _spoke_at: float = float("-inf")

    def takes(self, stream: Hashable, frame: bytes, at: float) -> bool:
        """Whether `stream`'s `frame`, arrived at `at`, is to be forwarded."""
        speaking = len(frame) > DTX_MAX_BYTES
        if stream == self.current:
            if speaking:
                self._spoke_at = at
            return True
        if speaking and (self.current is None or at - self._spoke_at > HOLD_S):
            self.current, self._spoke_at = stream, at
            return True
        return False


class EncodedFeed:
    """What the seat's sources' meetings say, into the target page for as long as it
    runs: one speaking stream's frames untouched; several at once (streams of several
    sources, or several speakers of one meeting) decoded, mixed and encoded."""

    def __init__(
        self, sources: dict[str, FrameSource], target: FrameTarget, counters: SeatCounters
    ):
        self.sources, self.target, self.counters = sources, target, counters
        self._speaker = ActiveSpeaker()
        self._spoke: dict[tuple[str, int], float] = {}  # stream -> its last speech frame
        self._odd: dict[tuple[str, int], float] = {}  # stream -> its last non-20 ms frame
        self._mixer: OpusMixer | None = None  # while several speak at once
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_FRAMES)
        self._listeners: dict[str, FrameListener] = {}
        self._last_frame_at = time.monotonic()  # the feed's start counts as a frame

    @property
    def source_ids(self) -> frozenset[str]:
        return frozenset(self.sources)

    @property
    def mixing(self) -> bool:
        return self._mixer is not None

    def _on_frame(self, source: str, receiver: int, frame: bytes) -> None:
        at = self._last_frame_at = time.monotonic()
        stream = (source, receiver)
        if len(frame) > DTX_MAX_BYTES:
            self._spoke[stream] = at
            if opus_samples(frame) != FRAME_SAMPLES:
                self._odd[stream] = at
        speaking = [s for s, spoke in self._spoke.items() if at - spoke <= HOLD_S]
        odd = any(at - seen <= NO_FRAMES_S for seen in self._odd.values())
        if len(speaking) > 1 or odd:
            if self._mixer is None:
                self._mixer = OpusMixer()
            self._mixer.add(stream, frame)
            return
        self._mixer = None
        if self._speaker.takes(stream, frame, at):
            self._put(frame)

    def _put(self, frame: bytes) -> None:
        if self.fallback is not None:
            return  # a source cannot be trusted: the target's own frames carry them all
        if self._queue.full():  # the target's page is behind: the oldest goes
            self._queue.get_nowait()
        self._queue.put_nowait(frame)

    @property
    def fallback(self) -> str | None:
        """Why the relay stepped aside (the target's or any source's reason, or no
        frames coming: the bot's own frames, fed by the devices path, go out
        meanwhile), or None."""
        reasons = [self.target.fallback, *(source.fallback for source in self.sources.values())]
        for reason in reasons:
            if reason is not None:
                return reason
        if time.monotonic() - self._last_frame_at > NO_FRAMES_S:
            return "no_frames"
        return None

    async def _mix_ticks(self) -> None:
        """While several speak: one mixed 20 ms frame per tick."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += MIX_TICK_S
            await asyncio.sleep(max(next_at - loop.time(), 0))
            if self._mixer is not None and (frame := self._mixer.tick()) is not None:
                self._put(frame)

    async def run(self) -> None:
        for source, relay in self.sources.items():
            listener: FrameListener = partial(self._on_frame, source)
            self._listeners[source] = listener
            relay.listeners.append(listener)
        ticks = asyncio.create_task(self._mix_ticks())
        try:
            while True:
                frame = await self._queue.get()
                if await self.target.send(frame):
                    self.counters.relayed += 1
        finally:
            await stopped(ticks)
            for source, relay in self.sources.items():
                relay.listeners.remove(self._listeners[source])
