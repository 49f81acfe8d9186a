"""Seat reports: rates from counter snapshots, and when a seat counts as flowing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge_worker.wiring.seat_health import SeatCounters, seat_media
from meetbridge.records import SeatMedia, now

pytestmark = [pytest.mark.unit]


def test_rates_are_frames_per_second_between_snapshots_for_current_sources() -> None:
    before = SeatCounters(audio_out=10, audio_in=0, video_in={"a": 5, "gone": 9})
    after = SeatCounters(audio_out=110, audio_in=90, video_in={"a": 35, "gone": 9, "b": 2})
    media = seat_media(before, after, 2.0, "janus", ["a", "b", "c"])
    assert (media.audio_out_fps, media.audio_in_fps) == (50.0, 45.0)
    assert media.video_in_fps == {"a": 15.0, "b": 1.0, "c": 0.0}


def test_snapshot_is_a_copy() -> None:
    counters = SeatCounters(video_in={"a": 1})
    snap = counters.snapshot()
    counters.video_in["a"] += 1
    assert snap.video_in == {"a": 1}


@pytest.mark.parametrize(
    ("change", "flowing"),
    [
        ({}, True),
        ({"audio_in_fps": 0.0}, False),
        ({"audio_out_fps": 0.0}, False),
        ({"video_in_fps": {"a": 15.0}}, False),  # b's picture does not arrive
        ({"status": "error"}, False),
        ({"updated_at": now() - timedelta(seconds=30)}, False),  # the worker went quiet
    ],
)
def test_flowing_needs_fresh_audio_both_ways_and_every_sources_video(
    change: dict, flowing: bool
) -> None:
    fields = {
        "status": "wired",
        "audio_out_fps": 50.0,
        "audio_in_fps": 50.0,
        "video_in_fps": {"a": 15.0, "b": 14.0},
        "updated_at": now(),
    }
    media = SeatMedia(**(fields | change))
    assert media.flowing({"a", "b"}, now(), stale_after_s=10) is flowing
