"""A meeting's Opus frames as a bot's page relay hands them to the worker, without a
browser: for tests of what the worker does with them (the room's feeds, a seat's
voice in the AudioBridge)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import av
import numpy as np

from bridge_worker.browser.page_relay import FrameListener
from lab.media import tone_strength

RATE = 48_000


@dataclass
class MeetingFrames:
    """A FrameSource: what a bot's page relay gives the worker, said on cue."""

    listeners: list[FrameListener] = field(default_factory=list)
    fallback: str | None = None

    def say(self, frame: bytes) -> None:
        for listener in list(self.listeners):
            listener(1, frame)

    async def said(self, frame: bytes) -> None:
        """`say`, for `on_the_clock`."""
        self.say(frame)


def tone_frames(
    count: int, hz: float = 440.0, *, ms: int = 20, layout: str = "mono", bitrate: int = 32_000
) -> list[bytes]:
    """`count` Opus packets of `ms` each of a tone, from libopus (real payloads)."""
    encoder = av.AudioCodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = RATE, layout, "s16"
    encoder.bit_rate = bitrate
    encoder.options = {"frame_duration": str(ms)}
    encoder.open()
    channels = 2 if layout == "stereo" else 1
    step = RATE * ms // 1000
    frames: list[bytes] = []
    n = 0
    while len(frames) < count:
        t = (np.arange(step) + step * n) / RATE
        pcm = (8000 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(
            np.repeat(pcm, channels).reshape(1, -1), format="s16", layout=layout
        )
        frame.sample_rate, frame.pts = RATE, step * n
        frames.extend(bytes(p) for p in encoder.encode(frame))
        n += 1
    return frames[:count]


def tone_in(payloads: list[bytes], hz: float) -> float:
    """How strongly Opus `payloads`, decoded end to end (first 0.2 s left out when
    there is more), hold a tone of `hz` (lab.media.tone_strength, 0-1)."""
    decoder = av.AudioCodecContext.create("opus", "r")
    decoder.sample_rate, decoder.layout = RATE, "mono"
    decoder.open()
    pcm = [f.to_ndarray().reshape(-1) for p in payloads for f in decoder.decode(av.Packet(p))]
    samples = np.concatenate(pcm).astype(np.float64)
    if samples.size > RATE // 2:
        samples = samples[RATE // 5 :]
    return tone_strength(samples / max(np.abs(samples).max(), 1e-9), RATE, hz)


async def on_the_clock(frames: list[bytes], send: Callable[[bytes], Awaitable[object]]) -> None:
    """Each of `frames` to `send`, one each 20 ms by the clock (as a meeting's arrive)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n, frame in enumerate(frames):
        await asyncio.sleep(max(start + 0.02 * n - loop.time(), 0))
        await send(frame)
