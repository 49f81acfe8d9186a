"""Counts what a room seat moves, so its worker can say whether media flows.

The seat's parts bump the counters as frames pass (cheap: an integer each, and a sum
of squares for the level of the meeting's sound); the room link turns two snapshots a
few seconds apart into rates and levels for the API.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from meetbridge.records import SeatMedia, now

FULL_SCALE = 32768.0
SILENCE_DBFS = -96.0  # the floor: 16-bit audio's quantisation step


@dataclass
class Loudness:
    """Running sum of squares of 16-bit samples, to take RMS levels between snapshots."""

    squares: float = 0.0
    samples: int = 0

    def add(self, pcm: bytes) -> None:
        """Count a chunk of signed 16-bit little-endian samples (an odd last byte,
        half a sample, is left out)."""
        values = np.frombuffer(pcm, dtype="<i2", count=len(pcm) // 2).astype(np.float64)
        self.squares += float(np.dot(values, values))
        self.samples += len(values)


def level_dbfs(before: Loudness, after: Loudness) -> float | None:
    """The RMS level of the samples counted between two snapshots, in dBFS (0 is a
    full-scale square wave, a full-scale sine is -3), never below `SILENCE_DBFS`;
    None when nothing was counted."""
    samples = after.samples - before.samples
    if samples <= 0:
        return None
    mean_square = max(after.squares - before.squares, 0.0) / samples
    if mean_square <= 0:
        return SILENCE_DBFS
    return round(max(10 * math.log10(mean_square / FULL_SCALE**2), SILENCE_DBFS), 1)


@dataclass
class SeatCounters:
    audio_out: int = 0  # 20 ms frames of the meeting's sound sent to the room
    audio_in: int = 0  # 20 ms frames of the room's mix played into the microphone
    video_in: dict[str, int] = field(default_factory=dict)  # frames received, per source
    audio_out_loudness: Loudness = field(default_factory=Loudness)  # the meeting's, sent
    audio_in_loudness: dict[str, Loudness] = field(default_factory=dict)  # per piped source
    relayed: int = 0  # encoded frames of another meeting sent as this bot's own

    def snapshot(self) -> SeatCounters:
        return copy.deepcopy(self)

    def heard_from(self, source: str, pcm: bytes) -> None:
        """`source`'s meeting sound, piped into this bot's microphone (same host)."""
        self.audio_in_loudness.setdefault(source, Loudness()).add(pcm)


def seat_media(
    before: SeatCounters, after: SeatCounters, seconds: float, path: str, sources: list[str]
) -> SeatMedia:
    """Rates and levels between two snapshots `seconds` apart, for every current source."""
    seconds = max(seconds, 1e-3)

    def rate(a: int, b: int) -> float:
        return round((b - a) / seconds, 1)

    levels = {
        s: level_dbfs(before.audio_in_loudness.get(s, Loudness()), after.audio_in_loudness[s])
        for s in sources
        if s in after.audio_in_loudness
    }
    return SeatMedia(
        status="wired",
        path=path,
        audio_out_fps=rate(before.audio_out, after.audio_out) if path == "janus" else None,
        audio_in_fps=rate(before.audio_in, after.audio_in),
        video_in_fps={
            s: rate(before.video_in.get(s, 0), after.video_in.get(s, 0)) for s in sources
        },
        audio_out_dbfs=(
            level_dbfs(before.audio_out_loudness, after.audio_out_loudness)
            if path == "janus"
            else None
        ),
        audio_in_dbfs={s: level for s, level in levels.items() if level is not None},
        relay_fps=rate(before.relayed, after.relayed),
        updated_at=now(),
    )
