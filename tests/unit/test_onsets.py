"""Onset timing for the latency benchmark, on synthetic bursts with known delays."""

from __future__ import annotations

import numpy as np
import pytest

from lab.onsets import band_envelope, delays, flash_onsets, periodic_schedule, tone_onsets

pytestmark = [pytest.mark.unit]
RATE = 48000


def bursts(freq_hz: float, starts_s: list[float], seconds: float, noise: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    on = np.zeros_like(t)
    for start in starts_s:
        on[(t >= start) & (t < start + 0.2)] = 1.0
    rng = np.random.default_rng(1)
    return 0.5 * on * np.sin(2 * np.pi * freq_hz * t) + noise * rng.standard_normal(t.size)


def test_burst_onsets_are_timed_to_a_millisecond_even_with_another_tone_and_noise() -> None:
    starts = [0.5, 1.5, 2.5, 3.5]
    mixed = bursts(440, starts, 4.5, noise=0.02) + bursts(1000, [0.9, 1.9], 4.5)
    found = tone_onsets(mixed, RATE, start_ms=10_000.0, freq_hz=440)
    assert found == pytest.approx([10_000 + s * 1000 for s in starts], abs=2.0)


def test_a_tone_that_stopped_does_not_ring_into_the_end_of_the_recording() -> None:
    """A steady tone for the first half, then near silence: the envelope stays low to
    the last sample (a circular filter brought the tone back at the very end)."""
    t = np.arange(4 * RATE) / RATE
    samples = np.where(t < 2.0, 0.2 * np.sin(2 * np.pi * 1000 * t), 0.0)
    samples = samples + 1e-4 * np.random.default_rng(2).standard_normal(t.size)
    envelope = band_envelope(samples, RATE, 1000)
    assert np.median(envelope[:RATE]) == pytest.approx(0.2, rel=0.05)
    assert envelope[int(2.5 * RATE) :].max() < 0.01


def test_silence_has_no_onsets() -> None:
    assert tone_onsets(np.zeros(RATE), RATE, 0.0, 440) == []


def test_flash_onsets_are_the_first_bright_frame_after_a_dark_one() -> None:
    times = np.arange(0, 3000, 1000 / 30)
    luma = np.where(np.mod(times, 1000) < 200, 200.0, 20.0)
    luma[np.mod(times, 1000) < 200] += 5  # coding noise on the flash
    found = flash_onsets(np.column_stack([times + 7.0, luma]))
    assert found == pytest.approx([1007.0, 2007.0], abs=0.1)  # it began mid-flash


def test_delays_pair_each_sent_onset_with_the_next_arrival_and_skip_lost_ones() -> None:
    sent = [0.0, 1000.0, 2000.0]
    received = [120.0, 2150.0, 2900.0]  # the second burst was lost
    assert delays(sent, received, max_ms=500) == [120.0, 150.0]


def test_a_periodic_schedule_takes_the_earliest_phase_of_late_detections() -> None:
    detected = [1030.0, 2510.0, 4000.0, 5650.0]  # truly every 1500 ms from 1000; some late
    assert periodic_schedule(detected, 1500, start=0, end=7000) == [1000, 2500, 4000, 5500, 7000]
