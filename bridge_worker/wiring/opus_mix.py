"""Several Opus streams into one, for a bot's page to send as its own: decode, mix,
encode, one 20 ms frame per tick.

Used by the encoded relay when more than one stream speaks at once (two members'
meetings, or two speakers of one meeting: an SFU sends one stream per speaker), and
for a stream whose packets are not 20 ms long (cut again into 20 ms frames here).
Each stream keeps a short queue of decoded samples, downmixed to mono (its jitter
slack, at most QUEUE_FRAMES frames' worth: beyond that the oldest go, so the delay
comes back down); a tick takes the oldest 20 ms of each stream that has any, sums
them (clipped), and encodes the sum. A stream short of 20 ms adds what it has.
"""

from __future__ import annotations

import av
import numpy as np

from bridge_worker.wiring.opus_encode import FRAME_SAMPLES, RATE, MonoOpusEncoder

__all__ = ["FRAME_SAMPLES", "RATE", "OpusMixer"]
QUEUE_FRAMES = 3


class OpusMixer:
    """Decoders per stream and one encoder. Not thread-safe: one event loop."""

    def __init__(self) -> None:
        self._decoders: dict[object, av.AudioCodecContext] = {}
        self._queues: dict[object, np.ndarray] = {}  # float32 mono samples
        self._encoder = MonoOpusEncoder()

    def add(self, stream: object, payload: bytes) -> None:
        """One Opus frame of `stream`, decoded into its queue."""
        decoder = self._decoders.get(stream)
        if decoder is None:
            decoder = self._decoders[stream] = av.AudioCodecContext.create("opus", "r")
            decoder.sample_rate = RATE
            decoder.layout = "stereo"
            decoder.open()
            self._queues[stream] = np.zeros(0, dtype=np.float32)
        try:
            frames = decoder.decode(av.Packet(payload))
        except av.error.FFmpegError:
            return  # a damaged frame: its 20 ms are silence here
        for frame in frames:
            samples = frame.to_ndarray().astype(np.float32)
            if frame.format.is_planar:
                mono = samples.mean(axis=0)
            else:
                mono = samples.reshape(-1, len(frame.layout.channels)).mean(axis=1)
            if np.issubdtype(frame.to_ndarray().dtype, np.floating):
                mono = mono * 32767.0
            queued = np.concatenate((self._queues[stream], mono.astype(np.float32)))
            keep = max(QUEUE_FRAMES * FRAME_SAMPLES, mono.size + FRAME_SAMPLES)  # 60 ms packets
            self._queues[stream] = queued[-keep:]

    def forget(self, stream: object) -> None:
        self._decoders.pop(stream, None)
        self._queues.pop(stream, None)

    def tick(self) -> bytes | None:
        """The next mixed Opus frame, or None when no stream had anything queued."""
        taken = [queue[:FRAME_SAMPLES] for queue in self._queues.values() if queue.size]
        if not taken:
            return None
        for stream, queue in self._queues.items():
            self._queues[stream] = queue[FRAME_SAMPLES:]
        mixed = np.zeros(FRAME_SAMPLES, dtype=np.float32)
        for samples in taken:
            mixed[: samples.size] += samples
        return self._encoder.encode(np.clip(mixed, -32768, 32767).astype(np.int16))
