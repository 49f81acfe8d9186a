"""Sound into and out of PulseAudio devices: play a file into a sink, record a source.

Used by capture (what a bot hears) and by tests and benchmarks (a tone into a bot's
microphone, the dominant frequency of what it hears).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from meetbridge.process import supervised


def _pulse_env(server: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "PULSE_SERVER": server, "HOME": "/nonexistent"}


@contextlib.asynccontextmanager
async def playing(server: str, sink: str, wav: Path, *, loop: bool = True) -> AsyncIterator[None]:
    """Play `wav` into `sink` (looped) for as long as the block runs."""
    play = f"paplay --device={sink} --latency-msec=20 {str(wav)!r}"
    script = f"while :; do {play} || exit 1; done" if loop else play
    async with supervised(["sh", "-c", script], name="paplay", env=_pulse_env(server)):
        yield


async def record(server: str, source: str, seconds: float, *, rate: int = 48000) -> np.ndarray:
    """Record `seconds` of mono float samples from `source`."""
    wanted = int(seconds * rate) * 2
    argv = [
        "parec",
        f"--device={source}",
        "--format=s16le",
        f"--rate={rate}",
        "--channels=1",
        "--latency-msec=20",
        "--raw",
    ]
    async with supervised(
        argv, name="parec", env=_pulse_env(server), stdout=asyncio.subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        data = await asyncio.wait_for(proc.stdout.readexactly(wanted), seconds + 10)
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def dominant_frequency(samples: np.ndarray, rate: int, *, floor_hz: float = 50.0) -> float | None:
    """The strongest frequency in `samples`, or None when they are (near) silent."""
    if samples.size == 0 or float(np.sqrt(np.mean(samples**2))) < 1e-3:
        return None
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, 1.0 / rate)
    spectrum[freqs < floor_hz] = 0
    return float(freqs[int(np.argmax(spectrum))])
