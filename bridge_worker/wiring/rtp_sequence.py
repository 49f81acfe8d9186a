"""RTP sequence numbers are 16 bits and wrap every 21 minutes of 50 packets a second;
receive buffers order packets by a number that does not."""

from __future__ import annotations

RESTART_GAP = 1000  # a sequence number this far back: the sender started over


def unwrapped(sequence: int, newest: int | None) -> int | None:
    """`sequence` unwrapped next to `newest` (the newest unwrapped so far); None when
    there is no newest yet or the sender started over (the caller starts afresh)."""
    if newest is None:
        return None
    delta = (sequence - newest) & 0xFFFF
    if delta >= 0x8000:
        delta -= 0x10000
    return newest + delta if delta > -RESTART_GAP else None
