"""The Opus encoder for what the worker encodes itself (a mix of several speakers, a
meeting captured from the bot's speaker): mono, 20 ms frames, libopus through PyAV.

Mono because what it encodes is mono already (the bots' devices are), and half the
channels is about half the work: aiortc's own encoder resamples to stereo first.
"""

from __future__ import annotations

import av
import numpy as np

RATE = 48_000
FRAME_SAMPLES = RATE // 50  # 20 ms
BITRATE = 48_000


class MonoOpusEncoder:
    """One 20 ms mono s16 frame in, one Opus frame out. Not thread-safe."""

    def __init__(self, bitrate: int = BITRATE) -> None:
        self._codec = av.AudioCodecContext.create("libopus", "w")
        self._codec.sample_rate = RATE
        self._codec.layout = "mono"
        self._codec.format = "s16"
        self._codec.bit_rate = bitrate
        self._codec.options = {"application": "voip", "frame_duration": "20"}
        self._codec.open()
        self._pts = 0

    def encode(self, samples: np.ndarray | bytes) -> bytes | None:
        """`samples`: FRAME_SAMPLES of s16 (an int16 array, or its bytes). None while
        the encoder still buffers (its first frame)."""
        pcm = (
            np.frombuffer(samples, dtype=np.int16) if isinstance(samples, bytes) else samples
        ).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate, frame.pts = RATE, self._pts
        self._pts += FRAME_SAMPLES
        packets = self._codec.encode(frame)
        return bytes(packets[0]) if packets else None
