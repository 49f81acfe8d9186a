"""Mixing Opus streams: two tones in, one stream out that holds both."""

from __future__ import annotations

import av
import numpy as np
import pytest

from bridge_worker.wiring.opus_mix import FRAME_SAMPLES, RATE, OpusMixer
from lab.media import tone_strength

pytestmark = pytest.mark.unit


def _opus_frames(freq_hz: float, count: int) -> list[bytes]:
    encoder = av.AudioCodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = RATE, "mono", "s16"
    encoder.bit_rate = 64_000
    encoder.open()
    packets: list[bytes] = []
    t = np.arange(count * FRAME_SAMPLES) / RATE
    pcm = (np.sin(2 * np.pi * freq_hz * t) * 8000).astype(np.int16)
    for index in range(count):
        frame = av.AudioFrame.from_ndarray(
            pcm[index * FRAME_SAMPLES : (index + 1) * FRAME_SAMPLES].reshape(1, -1),
            format="s16",
            layout="mono",
        )
        frame.sample_rate, frame.pts = RATE, index * FRAME_SAMPLES
        packets.extend(bytes(p) for p in encoder.encode(frame))
    return packets


def _decoded(payloads: list[bytes]) -> np.ndarray:
    decoder = av.AudioCodecContext.create("opus", "r")
    decoder.sample_rate, decoder.layout = RATE, "mono"
    decoder.open()
    out = [f.to_ndarray().reshape(-1) for p in payloads for f in decoder.decode(av.Packet(p))]
    return np.concatenate(out).astype(np.float64)


def test_two_streams_are_mixed_into_one_that_holds_both() -> None:
    mixer = OpusMixer()
    mixed: list[bytes] = []
    for low, high in zip(_opus_frames(440, 50), _opus_frames(1000, 50), strict=True):
        mixer.add("a", low)
        mixer.add("b", high)
        if (out := mixer.tick()) is not None:
            mixed.append(out)
    assert len(mixed) >= 45
    samples = _decoded(mixed)[RATE // 5 :]
    samples /= max(np.abs(samples).max(), 1e-9)
    assert tone_strength(samples, RATE, 440) > 0.3 and tone_strength(samples, RATE, 1000) > 0.3
    assert mixer.tick() is None  # nothing queued: nothing to send


def test_a_stream_that_runs_ahead_is_held_to_a_short_queue() -> None:
    mixer = OpusMixer()
    for payload in _opus_frames(440, 20):
        mixer.add("a", payload)
    ticks = 0
    while mixer.tick() is not None:
        ticks += 1
    assert ticks <= 3
