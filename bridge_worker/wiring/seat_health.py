"""Counts what a room seat moves, so its worker can say whether media flows.

The seat's parts bump the counters as frames pass (cheap: an integer each); the
room link turns two snapshots a few seconds apart into rates for the API.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from meetbridge.records import SeatMedia, now


@dataclass
class SeatCounters:
    audio_out: int = 0  # 20 ms frames of the meeting's sound sent to the room
    audio_in: int = 0  # 20 ms frames of the room's mix played into the microphone
    video_in: dict[str, int] = field(default_factory=dict)  # frames received, per source

    def snapshot(self) -> SeatCounters:
        return copy.deepcopy(self)


def seat_media(
    before: SeatCounters, after: SeatCounters, seconds: float, path: str, sources: list[str]
) -> SeatMedia:
    """Rates between two snapshots `seconds` apart, for every current source."""
    seconds = max(seconds, 1e-3)

    def rate(a: int, b: int) -> float:
        return round((b - a) / seconds, 1)

    return SeatMedia(
        status="wired",
        path=path,
        audio_out_fps=rate(before.audio_out, after.audio_out) if path == "janus" else None,
        audio_in_fps=rate(before.audio_in, after.audio_in),
        video_in_fps={
            s: rate(before.video_in.get(s, 0), after.video_in.get(s, 0)) for s in sources
        },
        updated_at=now(),
    )
