"""The receive buffer for a member's stage from the VideoRoom: a frame goes to the
decoder as soon as its last packet is in.

aiortc's video `JitterBuffer` finds a frame's end by the change of timestamp, so it
hands a frame on only when the first packet of the next frame arrives: a frame
interval of latency on moving video, and on a still stage (handed on again once a
second) a change waits the whole second (bench.room_video). Here a VP8 frame is
complete when its first packet (payload descriptor: start of partition 0), its last
(the RTP marker bit) and every sequence number between are in; it goes out at once,
and whatever is older and unfinished is given up, with a PLI (a decoder cannot go
on past a hole: the sender is asked for a key frame). Same interface as aiortc's.
"""

from __future__ import annotations

from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from bridge_worker.wiring.rtp_sequence import HeldPackets

REORDER_SLACK = 100  # packets before the first one seen that may still come
MAX_HELD = 1024  # packets: a key frame of the room's size is a few dozen
VP8_START = 0x10  # descriptor's S bit: the packet starts a partition
VP8_PARTITION = 0x07


def _starts_frame(packet: RtpPacket) -> bool:
    return bool(packet.payload) and packet.payload[0] & (VP8_START | VP8_PARTITION) == VP8_START


class MarkerFrameBuffer(HeldPackets):
    def __init__(self) -> None:
        super().__init__(REORDER_SLACK)
        self.given_up = 0  # packets dropped unfinished or too late

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        sequence = self._extended(packet.sequence_number)
        if sequence < self._next or sequence in self._held:
            self.given_up += sequence < self._next
            return False, None
        self._held[sequence] = packet
        assert self._newest is not None
        self._newest = max(self._newest, sequence)
        if len(self._held) > MAX_HELD:  # no frame completes: start over at the newest
            return self._give_up_to(self._newest), None
        frame = self._complete(packet.timestamp)
        if frame is None:
            return False, None
        first, last = frame
        data = b"".join(getattr(p, "_data", p.payload) for p in self._held_between(first, last))
        pli = self._give_up_to(first)
        self._give_up_to(last + 1, count=False)
        return pli, JitterFrame(data=data, timestamp=packet.timestamp)

    def _complete(self, timestamp: int) -> tuple[int, int] | None:
        """The first and last sequence numbers of the frame at `timestamp`, if it is all in."""
        sequences = sorted(s for s, p in self._held.items() if p.timestamp == timestamp)
        first, last = sequences[0], sequences[-1]
        if not (_starts_frame(self._held[first]) and self._held[last].marker):
            return None
        return (first, last) if last - first + 1 == len(sequences) else None

    def _held_between(self, first: int, last: int) -> list[RtpPacket]:
        return [self._held[s] for s in range(first, last + 1)]

    def _give_up_to(self, sequence: int, *, count: bool = True) -> bool:
        """Drop everything before `sequence`; whether anything unfinished was dropped."""
        dropped = [s for s in self._held if s < sequence]
        for held in dropped:
            del self._held[held]
        self._next = max(self._next, sequence)
        if count:
            self.given_up += len(dropped)
        return count and bool(dropped)
