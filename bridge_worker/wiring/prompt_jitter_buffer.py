"""The receive buffer for the room's audio mix: `prefetch` frames deep, and no deeper
after a loss.

aiortc's `JitterBuffer` hands out a frame once `prefetch` more have arrived behind
it, but it waits at a hole (a lost packet) until the whole buffer (16 packets) is
full. So one lost packet holds everything back, a gap heard as silence, and then it
keeps them: the buffer's whole depth as latency for the rest of the call, on any
real network (bench.room_plane with loss; docs/audio.md).

Here the frame due is the one `prefetch` packets behind the newest that arrived.
One frame leaves per packet that arrives (the receiver decodes what `add` returns),
the oldest held that is due; a missing one is passed over (heard as a short gap); a
frame that fell more than one behind what is due is dropped, so the depth always
comes back to `prefetch`. A packet older than what already left is too late.

For audio only: one packet is one frame (Opus, 20 ms). Same interface as aiortc's
(`add` returns a PLI flag, never set for audio, and the frame to decode).
"""

from __future__ import annotations

from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from bridge_worker.wiring.rtp_sequence import HeldPackets


class PromptJitterBuffer(HeldPackets):
    def __init__(self, prefetch: int) -> None:
        if prefetch < 1:
            raise ValueError("prefetch must be at least one frame")
        super().__init__()
        self.prefetch = prefetch
        self.lost = 0  # frames never handed out: lost, too late or dropped as stale

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        sequence = self._extended(packet.sequence_number)
        if sequence < self._next or sequence in self._held:
            return False, None
        self._held[sequence] = packet
        assert self._newest is not None
        self._newest = max(self._newest, sequence)
        due = self._newest - self.prefetch
        self._pass(due - 1)  # anything older than that is stale
        take = next((held for held in (due - 1, due) if held in self._held), None)
        if take is None:
            return False, None
        self._pass(take)
        chosen = self._held.pop(take)
        self._next = take + 1
        data = getattr(chosen, "_data", chosen.payload)  # depayloaded by the receiver
        return False, JitterFrame(data=data, timestamp=chosen.timestamp)

    def depth(self) -> int:
        """Frames held."""
        return len(self._held)

    def _pass(self, sequence: int) -> None:
        """Give up on everything before `sequence`."""
        if sequence <= self._next:
            return
        for held in [held for held in self._held if held < sequence]:
            del self._held[held]
        self.lost += sequence - self._next
        self._next = sequence
