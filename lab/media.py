"""Media a simulated person sends, and the analysis of what a person receives.

Chromium's fake capture devices loop a WAV file (microphone) and a Y4M file (camera).
A pure tone and a flat colour are easy to recognise on the far side even after
Opus/VP8 coding, so tests can tell who hears and sees whom.
"""

from __future__ import annotations

import secrets
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

# Named colours the lab uses; assertions compare names, not exact RGB, because
# VP8 and the YUV round trip shift each channel by a few steps.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "magenta": (255, 0, 255),
    "cyan": (0, 255, 255),
}

MIN_FREQUENCY_HZ = 50.0  # below this is DC offset and rumble, never a test tone
_TOOL_TIMEOUT_S = 60.0


def _run_tool(argv: list[str]) -> None:
    """Run a short one-shot tool; `subprocess.run` kills it on timeout or error."""
    subprocess.run(
        argv,
        check=True,
        timeout=_TOOL_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def make_tone_wav(path: Path, freq_hz: float, seconds: float = 30, rate: int = 48000) -> Path:
    """A mono 16-bit sine WAV at -6 dBFS (headroom so Opus never clips it)."""
    _run_tool(
        [
            "sox",
            "-n",
            "-r",
            str(rate),
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "synth",
            str(seconds),
            "sine",
            str(freq_hz),
            "gain",
            "-6",
        ]
    )
    return path


def make_colour_y4m(
    path: Path,
    rgb: tuple[int, int, int],
    width: int = 640,
    height: int = 360,
    fps: int = 15,
    seconds: float = 2,
) -> Path:
    """A flat-colour yuv420p Y4M clip; Chromium's fake camera loops it."""
    colour = "0x{:02x}{:02x}{:02x}".format(*rgb)
    return _lavfi_y4m(path, f"color=c={colour}:s={width}x{height}:r={fps}", seconds)


def _lavfi_y4m(path: Path, source: str, seconds: float, filters: str | None = None) -> Path:
    """A yuv420p Y4M clip of an ffmpeg lavfi `source` (through `filters`, if any)."""
    argv = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source]
    if filters:
        argv += ["-vf", filters]
    _run_tool([*argv, "-t", str(seconds), "-pix_fmt", "yuv420p", str(path)])
    return path


def _cached(path: Path, make: Callable[[Path], Path]) -> Path:
    """`path`, made once: written under a temporary name, then renamed atomically,
    so parallel makers never expose a half-written file."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{secrets.token_hex(4)}-{path.name}")
    try:
        make(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def tone_wav(folder: Path, freq_hz: float) -> Path:
    """The cached tone file for `freq_hz` in `folder` (made on first use)."""
    return _cached(folder / f"tone-{freq_hz:g}hz.wav", lambda p: make_tone_wav(p, freq_hz))


def colour_y4m(
    folder: Path, rgb: tuple[int, int, int], size: tuple[int, int, int] = (640, 360, 15)
) -> Path:
    """The cached flat-colour clip for `rgb` (width, height, fps) in `folder`."""
    name = "colour-{:02x}{:02x}{:02x}".format(*rgb) + "-{}x{}@{}.y4m".format(*size)
    width, height, fps = size
    return _cached(
        folder / name, lambda p: make_colour_y4m(p, rgb, width=width, height=height, fps=fps)
    )


def make_pulse_wav(
    path: Path, freq_hz: float, period_s: float, on_s: float, seconds: float = 30
) -> Path:
    """Tone bursts (`on_s` of every `period_s`) at -6 dBFS: each burst's onset is an
    instant both ends can time, for latency measurements. 10 ms ramps keep a burst's
    energy within ~100 Hz of its tone (a hard edge clicks across the spectrum)."""
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    phase = np.mod(t, period_s)
    ramp = 0.010
    envelope = np.clip(np.minimum(phase, on_s - phase) / ramp, 0.0, 1.0) * (phase < on_s)
    samples = 0.5 * envelope * np.sin(2 * np.pi * freq_hz * t)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def make_flash_y4m(
    path: Path, rgb: tuple[int, int, int], period_s: float, on_s: float, fps: int = 30
) -> Path:
    """Black with a flat `rgb` flash for `on_s` of every `period_s` (the video's onsets)."""
    colour = "0x{:02x}{:02x}{:02x}".format(*rgb)
    flash = f"lt(mod(t\\,{period_s:g})\\,{on_s:g})"
    return _lavfi_y4m(
        path,
        f"color=c=black:s=320x180:r={fps}",
        2 * period_s,
        f"drawbox=x=0:y=0:w=iw:h=ih:color={colour}:t=fill:enable='{flash}'",
    )


def pulse_wav(folder: Path, freq_hz: float, period_s: float, on_s: float) -> Path:
    name = f"pulse-{freq_hz:g}hz-{period_s:g}-{on_s:g}-r10.wav"
    return _cached(folder / name, lambda p: make_pulse_wav(p, freq_hz, period_s, on_s))


def flash_y4m(folder: Path, rgb: tuple[int, int, int], period_s: float, on_s: float) -> Path:
    name = "flash-{:02x}{:02x}{:02x}".format(*rgb) + f"-{period_s:g}-{on_s:g}.y4m"
    return _cached(folder / name, lambda p: make_flash_y4m(p, rgb, period_s, on_s))


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency in `samples` (Hann-windowed FFT, ignoring < 50 Hz)."""
    data = np.asarray(samples, dtype=np.float64)
    if data.size < 2:
        raise ValueError("need at least two samples")
    data = data - data.mean()
    spectrum = np.abs(np.fft.rfft(data * np.hanning(data.size)))
    freqs = np.fft.rfftfreq(data.size, d=1.0 / rate)
    spectrum[freqs < MIN_FREQUENCY_HZ] = 0.0
    return float(freqs[int(np.argmax(spectrum))])


def rms(samples: np.ndarray) -> float:
    """Root mean square level (full scale = 1.0)."""
    data = np.asarray(samples, dtype=np.float64)
    return float(np.sqrt(np.mean(data**2))) if data.size else 0.0


def closest_colour_name(rgb: tuple[float, float, float]) -> str:
    """The name in COLOURS nearest to `rgb` (Euclidean distance in RGB)."""
    point = np.asarray(rgb, dtype=np.float64)
    return min(COLOURS, key=lambda name: float(np.linalg.norm(point - COLOURS[name])))


def tone_strength(samples: np.ndarray, rate: int, freq_hz: float, band_hz: float = 8.0) -> float:
    """A tone's peak relative to the strongest peak of the spectrum (1.0: the strongest).

    A mix of several tones has several peaks; the dominant frequency names only one.
    Silence gives 0.
    """
    if samples.size == 0 or float(np.sqrt(np.mean(samples**2))) < 1e-3:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, 1.0 / rate)
    spectrum[freqs < 50] = 0
    band = spectrum[(freqs > freq_hz - band_hz) & (freqs < freq_hz + band_hz)]
    return float(band.max()) / float(spectrum.max()) if band.size else 0.0


def longest_silence_ms(samples: np.ndarray, rate: int, window_ms: float = 10.0) -> float:
    """The longest run of quiet windows in a recording of a steady sound, in ms: a
    window is quiet below a tenth of the recording's median window level (a gap in the
    sound, whatever its loudness)."""
    size = max(int(rate * window_ms / 1000), 1)
    count = samples.size // size
    if count == 0:
        return 0.0
    windows = np.asarray(samples[: count * size], dtype=np.float64).reshape(count, size)
    levels = np.sqrt(np.mean(windows**2, axis=1))
    quiet = levels < 0.1 * float(np.median(levels))
    longest = run = 0
    for is_quiet in quiet:
        run = run + 1 if is_quiet else 0
        longest = max(longest, run)
    return longest * window_ms
