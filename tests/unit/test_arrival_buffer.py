"""The light person's receive buffer: a frame leaves as soon as its last packet is in."""

from __future__ import annotations

from aiortc.rtp import RtpPacket

from lab.light_person import ArrivalBuffer


def _packet(sequence: int, timestamp: int, payload: bytes, *, marker: bool = False) -> RtpPacket:
    return RtpPacket(
        payload_type=96,
        sequence_number=sequence,
        timestamp=timestamp,
        marker=int(marker),
        payload=payload,
    )


def test_audio_packets_leave_as_they_come() -> None:
    buffer = ArrivalBuffer("audio")
    for sequence in (7, 9, 8):
        pli, frame = buffer.add(_packet(sequence, sequence * 960, bytes([sequence])))
        assert not pli and frame is not None and frame.data == bytes([sequence])


def test_a_video_frame_leaves_at_its_marker_not_at_the_next_frame() -> None:
    buffer = ArrivalBuffer("video")
    assert buffer.add(_packet(65534, 100, b"a")) == (False, None)
    assert buffer.add(_packet(65535, 100, b"b")) == (False, None)
    pli, frame = buffer.add(_packet(0, 100, b"c", marker=True))  # across the wrap
    assert not pli and frame is not None
    assert (frame.data, frame.timestamp) == (b"abc", 100)


def test_a_video_frame_with_a_hole_is_dropped_and_a_key_frame_asked_for() -> None:
    buffer = ArrivalBuffer("video")
    buffer.add(_packet(1, 100, b"a"))
    assert buffer.add(_packet(3, 100, b"c", marker=True)) == (True, None)
    # the next whole frame goes through
    buffer.add(_packet(4, 200, b"d"))
    pli, frame = buffer.add(_packet(5, 200, b"e", marker=True))
    assert not pli and frame is not None and frame.data == b"de"


def test_a_frame_whose_marker_was_lost_gives_way_to_the_next() -> None:
    buffer = ArrivalBuffer("video")
    buffer.add(_packet(1, 100, b"a"))  # its marker packet never comes
    buffer.add(_packet(3, 200, b"c"))
    pli, frame = buffer.add(_packet(4, 200, b"d", marker=True))
    assert not pli and frame is not None and frame.data == b"cd"
