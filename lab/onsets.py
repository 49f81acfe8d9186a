"""When things start: tone-burst and flash onsets, and the delays between two ends.

The latency benchmark and the demo send tone bursts and flashes, record them where
they are sent and where they arrive (with wall-clock times; every browser runs on
this one machine's clock), and time each onset at both ends with these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lab.videoroom_page import Timings

BAND_HZ = 60.0  # half-width of the band around a burst's tone


def band_envelope(samples: np.ndarray, rate: int, freq_hz: float) -> np.ndarray:
    """The amplitude of the band around `freq_hz` (analytic signal of the band-passed input).

    Filtered through an FFT of twice the length (zeros after the samples): a filter
    in the frequency domain is circular, so without them the tone at one end of a
    recording rings into the other (a tone that stopped seemed to come back in the
    last milliseconds: bench.bridge_latency's removal read "still reached")."""
    n = samples.size
    padded = 2 * n
    spectrum = np.fft.fft(np.asarray(samples, dtype=np.float64), padded)
    freqs = np.fft.fftfreq(padded, 1.0 / rate)
    keep = (freqs > freq_hz - BAND_HZ) & (freqs < freq_hz + BAND_HZ)  # positive side only
    return np.abs(np.fft.ifft(np.where(keep, 2.0 * spectrum, 0.0)))[:n]


def _rising_edges(times_ms: np.ndarray, values: np.ndarray, min_gap_ms: float) -> list[float]:
    """Times where `values` crosses half-way from its low to its high level, after
    staying below that for at least `min_gap_ms` (a burst's start, not its ripple)."""
    if values.size < 2:
        return []
    low, high = np.percentile(values, 5), np.percentile(values, 95)
    if high <= 1e-9 or high - low <= 0.2 * high:
        return []  # no on and off to speak of
    above = values > (low + high) / 2
    onsets: list[float] = []
    last_above = -np.inf
    for i in np.flatnonzero(above):
        if times_ms[i] - last_above >= min_gap_ms and i > 0 and not above[i - 1]:
            onsets.append(float(times_ms[i]))
        last_above = times_ms[i]
    return onsets


def tone_onsets(
    samples: np.ndarray, rate: int, start_ms: float, freq_hz: float, min_gap_ms: float = 300
) -> list[float]:
    """Wall-clock times (ms) at which bursts of `freq_hz` start in a recording whose
    first sample was at `start_ms`."""
    times = start_ms + np.arange(samples.size) * 1000.0 / rate
    return timed_tone_onsets(samples, times, rate, freq_hz, min_gap_ms)


def timed_tone_onsets(
    samples: np.ndarray, times_ms: np.ndarray, rate: int, freq_hz: float, min_gap_ms: float = 300
) -> list[float]:
    """As `tone_onsets`, for samples that each carry their own wall-clock time."""
    return _rising_edges(times_ms, band_envelope(samples, rate, freq_hz), min_gap_ms)


def flash_onsets(frames: np.ndarray, min_gap_ms: float = 300) -> list[float]:
    """Wall-clock times (ms) of the frames where a flash starts; `frames` holds rows of
    (time in ms, mean luma) for every frame shown."""
    if frames.size == 0:
        return []
    return _rising_edges(frames[:, 0], frames[:, 1], min_gap_ms)


def periodic_schedule(
    onsets: Sequence[float], period_ms: float, start: float, end: float
) -> list[float]:
    """The onsets of a source that repeats every `period_ms`, from `start` to `end`,
    phased on the earliest of the detected `onsets`: a starved page detects an onset
    late (never early), so the earliest detection is the truest."""
    if not onsets:
        return []
    first = onsets[0]
    residuals = [((t - first + period_ms / 2) % period_ms) - period_ms / 2 for t in onsets]
    phase = first + min(residuals)
    k = np.ceil((start - phase) / period_ms)
    return [
        float(phase + i * period_ms) for i in range(int(k), int((end - phase) // period_ms) + 1)
    ]


def delays(sent: Sequence[float], received: Sequence[float], max_ms: float) -> list[float]:
    """For each sent onset, the delay to the first received onset after it (within
    `max_ms`; a burst lost on the way has no delay rather than the next one's)."""
    out = []
    arrivals = np.asarray(sorted(received))
    for at in sent:
        later = arrivals[(arrivals > at) & (arrivals <= at + max_ms)]
        if later.size:
            out.append(float(later[0] - at))
    return out


def _schedule(sent: Timings, onsets: list[float], period_ms: float) -> list[float]:
    end = sent.start_ms + sent.samples.size * 1000.0 / sent.rate
    return periodic_schedule(onsets, period_ms, sent.start_ms, end)


def burst_schedule(sent: Timings, freq_hz: float, period_ms: float) -> list[float]:
    """When a sender's bursts of `freq_hz` (every `period_ms`) left, over its recording."""
    return _schedule(sent, tone_onsets(sent.samples, sent.rate, sent.start_ms, freq_hz), period_ms)


def burst_delays(
    sent: Timings, got: Timings, freq_hz: float, period_ms: float, max_ms: float
) -> list[float]:
    """Delay of each burst of `freq_hz` from the sender's own track to a receiver."""
    arrived = tone_onsets(got.samples, got.rate, got.start_ms, freq_hz)
    return delays(burst_schedule(sent, freq_hz, period_ms), arrived, max_ms)


def flash_delays(sent: Timings, got: Timings, period_ms: float, max_ms: float) -> list[float]:
    """Delay of each flash from the sender's own picture to a receiver's."""
    emitted = _schedule(sent, flash_onsets(sent.frames), period_ms)
    return delays(emitted, flash_onsets(got.frames), max_ms)
