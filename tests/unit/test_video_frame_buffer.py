"""The stage's receive buffer: a VP8 frame goes to the decoder the moment its last
packet is in (aiortc's waits for the next frame to start), and a frame left
unfinished is given up with a request for a key frame."""

from __future__ import annotations

import pytest
from aiortc.rtp import RtpPacket

from bridge_worker.wiring.video_frame_buffer import MarkerFrameBuffer

pytestmark = [pytest.mark.unit]

TICKS_PER_FRAME = 6000  # 15 fps on the 90 kHz video clock


def _frame_packets(frame: int, first_sequence: int, count: int) -> list[RtpPacket]:
    """The packets of one VP8 frame: descriptor byte with S set on the first (PID 0),
    the marker on the last; the depayloaded data names frame and part."""
    packets = []
    for part in range(count):
        packet = RtpPacket(
            payload_type=96,
            sequence_number=(first_sequence + part) % 65536,
            timestamp=(frame * TICKS_PER_FRAME) % 2**32,
            marker=int(part == count - 1),
            payload=bytes([0x10 if part == 0 else 0x00, frame % 256, part]),
        )
        packet._data = bytes([frame % 256, part])  # type: ignore[attr-defined]
        packets.append(packet)
    return packets


def test_a_frame_leaves_with_its_last_packet() -> None:
    buffer = MarkerFrameBuffer()
    sequence = 65530  # across the 16-bit wrap
    for frame in range(5):
        packets = _frame_packets(frame, sequence, 3)
        sequence += 3
        outs = [buffer.add(p) for p in packets]
        assert all(out == (False, None) for out in outs[:-1])
        pli, out = outs[-1]
        assert out is not None and not pli
        assert out.timestamp == frame * TICKS_PER_FRAME
        assert out.data == b"".join(bytes([frame, part]) for part in range(3))


def test_packets_out_of_order_still_make_the_frame() -> None:
    buffer = MarkerFrameBuffer()
    first, second, third = _frame_packets(0, 100, 3)
    assert buffer.add(third) == (False, None)
    assert buffer.add(first) == (False, None)
    _, out = buffer.add(second)
    assert out is not None and out.data == bytes([0, 0, 0, 1, 0, 2])


def test_an_unfinished_frame_is_given_up_with_a_pli() -> None:
    buffer = MarkerFrameBuffer()
    lost_one = _frame_packets(0, 100, 3)
    del lost_one[1]
    for packet in lost_one:
        assert buffer.add(packet)[1] is None
    *head, last = _frame_packets(1, 103, 2)
    for packet in head:
        buffer.add(packet)
    pli, out = buffer.add(last)
    assert out is not None and out.timestamp == TICKS_PER_FRAME and pli
    assert buffer.given_up == 2
    # The late packet of the frame given up is dropped, not handed on.
    assert buffer.add(_frame_packets(0, 100, 3)[1]) == (False, None)


def test_a_frame_without_its_start_waits() -> None:
    """Its first packet may still come: a frame is never decoded from its middle."""
    buffer = MarkerFrameBuffer()
    first, second, third = _frame_packets(0, 100, 3)
    buffer.add(second)
    assert buffer.add(third) == (False, None)
    assert buffer.add(first)[1] is not None


def test_a_frame_whose_marker_was_lost_gives_way_to_the_next() -> None:
    buffer = MarkerFrameBuffer()
    head, _lost_marker = _frame_packets(0, 100, 2)
    buffer.add(head)
    *rest, last = _frame_packets(1, 102, 2)
    for packet in rest:
        buffer.add(packet)
    pli, out = buffer.add(last)
    assert out is not None and out.timestamp == TICKS_PER_FRAME and pli
