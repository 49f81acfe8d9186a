"""Mixing Opus streams: two tones in, one stream out that holds both."""

from __future__ import annotations

import pytest

from bridge_worker.wiring.opus_mix import OpusMixer
from lab.meeting_frames import tone_frames, tone_in

pytestmark = pytest.mark.unit


def test_two_streams_are_mixed_into_one_that_holds_both() -> None:
    mixer = OpusMixer()
    mixed: list[bytes] = []
    for low, high in zip(tone_frames(50, 440), tone_frames(50, 1000), strict=True):
        mixer.add("a", low)
        mixer.add("b", high)
        if (out := mixer.tick()) is not None:
            mixed.append(out)
    assert len(mixed) >= 45
    assert tone_in(mixed, 440) > 0.3 and tone_in(mixed, 1000) > 0.3
    assert mixer.tick() is None  # nothing queued: nothing to send


def test_a_stream_that_runs_ahead_is_held_to_a_short_queue() -> None:
    mixer = OpusMixer()
    for payload in tone_frames(20, 440):
        mixer.add("a", payload)
    ticks = 0
    while mixer.tick() is not None:
        ticks += 1
    assert ticks <= 3
