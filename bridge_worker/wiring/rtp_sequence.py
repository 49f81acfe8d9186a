"""RTP sequence numbers are 16 bits and wrap every 21 minutes of 50 packets a second;
receive buffers order packets by a number that does not (`HeldPackets`)."""

from __future__ import annotations

from aiortc.rtp import RtpPacket

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


class HeldPackets:
    """What a receive buffer holds, by unwrapped sequence number, and the oldest one
    it still wants; a sender that starts over starts the buffer over. `reorder_slack`:
    how many packets before the first one seen may still come."""

    def __init__(self, reorder_slack: int = 0) -> None:
        self.reorder_slack = reorder_slack
        self._held: dict[int, RtpPacket] = {}
        self._newest: int | None = None
        self._next = 0  # the oldest sequence number still wanted

    def _extended(self, sequence: int) -> int:
        extended = unwrapped(sequence, self._newest)
        if extended is not None:
            return extended
        self._held.clear()  # the first packet, or the sender started over
        self._newest, self._next = sequence, sequence - self.reorder_slack
        return sequence
