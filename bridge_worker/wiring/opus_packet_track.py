"""An aiortc audio track of ready Opus frames: aiortc sends each as a packet as it is
(`pack`, no encode). What a seat publishes: its meeting's frames feed in the VideoRoom
(`room_frames.py`), its voice in the AudioBridge (`seat_voice.py`).
"""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import av
from aiortc import MediaStreamTrack

RATE = 48_000
FRAME_TICKS = RATE // 50  # 20 ms in RTP timestamp units
QUEUE_FRAMES = 4


class OpusPacketTrack(MediaStreamTrack):
    """An audio track of ready Opus frames: aiortc sends a packet as it is (no encode).

    Its RTP timestamps follow the clock in 20 ms steps, so a gap in the frames is a gap
    in the timestamps, and never go backwards."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.fallback: str | None = None  # a FrameTarget; the feed never steps aside
        self.sent_at = float("-inf")
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_FRAMES)
        self._start = time.monotonic()
        self._pts = -FRAME_TICKS

    async def send(self, frame: bytes) -> bool:
        if self._queue.full():  # the sender is behind: the oldest goes
            self._queue.get_nowait()
        self._queue.put_nowait(frame)
        self.sent_at = time.monotonic()
        return True

    async def recv(self) -> av.Packet:  # type: ignore[override]
        frame = await self._queue.get()
        now_ticks = int((time.monotonic() - self._start) * RATE) // FRAME_TICKS * FRAME_TICKS
        self._pts = max(self._pts + FRAME_TICKS, now_ticks)
        packet = av.Packet(frame)
        packet.pts, packet.time_base = self._pts, Fraction(1, RATE)
        return packet
