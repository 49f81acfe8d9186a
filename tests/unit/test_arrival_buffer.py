"""The light person's audio receive buffer: a packet leaves as soon as it is in (its
video uses meetbridge's stage buffer, tests/unit/test_video_frame_buffer.py)."""

from __future__ import annotations

from aiortc.rtp import RtpPacket

from lab.light_person import AudioArrivals


def test_audio_packets_leave_as_they_come() -> None:
    buffer = AudioArrivals()
    for sequence in (7, 9, 8):
        packet = RtpPacket(
            payload_type=111,
            sequence_number=sequence,
            timestamp=sequence * 960,
            payload=bytes([sequence]),
        )
        pli, frame = buffer.add(packet)
        assert not pli and frame is not None and frame.data == bytes([sequence])
