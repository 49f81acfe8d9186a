"""A bot's stage as a WebRTC video track, for publishing it to the room's VideoRoom."""

from __future__ import annotations

import asyncio

import av
from aiortc import VideoStreamTrack

from bridge_worker.capture.stage import Stage


class StageTrack(VideoStreamTrack):
    """Hands the encoder the newest frame of a `Stage`; a frame the encoder had no
    time for is replaced, never queued (queued frames are latency)."""

    def __init__(self, stage: Stage):
        super().__init__()
        self._next: asyncio.Queue[av.VideoFrame] = asyncio.Queue(maxsize=1)
        self._unwatch = stage.watch(self._put)

    def _put(self, frame: av.VideoFrame) -> None:
        if self._next.full():
            self._next.get_nowait()
        self._next.put_nowait(frame)

    async def recv(self) -> av.VideoFrame:
        return await self._next.get()

    def stop(self) -> None:
        super().stop()
        self._unwatch()
