"""A meeting's Opus frames as a bot's page relay hands them to the worker, without a
browser: for tests of what the worker does with them (the room's feeds, a seat's
voice in the AudioBridge)."""

from __future__ import annotations

from dataclasses import dataclass, field

import av
import numpy as np

from bridge_worker.browser.page_relay import FrameListener

RATE = 48_000


@dataclass
class MeetingFrames:
    """A FrameSource: what a bot's page relay gives the worker, said on cue."""

    listeners: list[FrameListener] = field(default_factory=list)
    fallback: str | None = None

    def say(self, frame: bytes) -> None:
        for listener in list(self.listeners):
            listener(1, frame)


def tone_frames(count: int, hz: float = 440.0) -> list[bytes]:
    """`count` 20 ms Opus frames of a tone, from libopus (real payloads, ~100 bytes)."""
    encoder = av.AudioCodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = RATE, "mono", "s16"
    encoder.bit_rate = 32_000
    encoder.open()
    frames: list[bytes] = []
    for n in range(count + 5):
        t = (np.arange(960) + 960 * n) / RATE
        pcm = (8000 * np.sin(2 * np.pi * hz * t)).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate, frame.pts = RATE, 960 * n
        frames.extend(bytes(p) for p in encoder.encode(frame))
    return frames[:count]
