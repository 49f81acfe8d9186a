"""Seat reports: rates from counter snapshots, and when a seat counts as flowing."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from bridge_worker.wiring.seat_health import Loudness, SeatCounters, level_dbfs, seat_media
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


def _sine(amplitude: float, samples: int = 4800) -> bytes:
    t = np.arange(samples) / 48000
    return (amplitude * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()


@pytest.mark.parametrize(
    ("pcm", "dbfs"),
    [
        (_sine(1.0), -3.0),  # a full-scale sine: RMS 1/sqrt(2)
        (_sine(0.5), -9.0),  # the lab's tones: -6 dBFS peaks
        (_sine(0.01), -43.0),
        (np.full(960, -32768, "<i2").tobytes(), 0.0),  # full-scale square
        (bytes(1920), -96.0),  # silence, at the floor
        (np.full(960, 1, "<i2").tobytes(), -90.3),  # one step of 16-bit
    ],
)
def test_level_is_the_rms_of_16_bit_samples_in_dbfs(pcm: bytes, dbfs: float) -> None:
    loudness = Loudness()
    loudness.add(pcm)
    assert level_dbfs(Loudness(), loudness) == pytest.approx(dbfs, abs=0.1)


def test_level_is_over_what_came_between_snapshots() -> None:
    counters = SeatCounters()
    counters.audio_out_loudness.add(_sine(1.0))
    before = counters.snapshot()
    assert level_dbfs(before.audio_out_loudness, counters.audio_out_loudness) is None
    counters.audio_out_loudness.add(_sine(0.01))
    counters.audio_out_loudness.add(b"\x01")  # half a sample: left out
    assert level_dbfs(before.audio_out_loudness, counters.audio_out_loudness) == pytest.approx(
        -43.0, abs=0.1
    )


def test_seat_reports_its_meetings_level_on_janus_and_its_sources_on_one_host() -> None:
    before = SeatCounters()
    after = before.snapshot()
    after.audio_out_loudness.add(_sine(0.5))
    after.heard_from("a", _sine(1.0))
    after.heard_from("gone", _sine(1.0))
    janus = seat_media(before, after, 2.0, "janus", ["a", "b"])
    assert janus.audio_out_dbfs == pytest.approx(-9.0, abs=0.1)
    same_host = seat_media(before, after, 2.0, "same_host", ["a", "b"])
    assert same_host.audio_out_dbfs is None
    assert same_host.audio_in_dbfs == {"a": pytest.approx(-3.0, abs=0.1)}  # b: nothing yet
