"""Swapping an aiortc audio receiver's jitter buffer for one of ours.

aiortc fixes an audio receiver's jitter buffer at 4 frames (80 ms) and offers no API
to change it. The room's mix wants a shallower one (`PromptJitterBuffer`), and the
encoded relay wants none at all (`room_frames.FrameTap`: each packet's payload handed
on as it arrives, nothing decoded), and a member's stage one that hands a frame on as
soon as it is whole (`MarkerFrameBuffer`). Done before any packet arrives; checked by
tests/integration/test_audio_bridge.py and test_room_frames.py.
"""

from __future__ import annotations

from typing import Protocol

from aiortc import MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

_ATTRIBUTE = "_RTCRtpReceiver__jitter_buffer"


class ReceiveBuffer(Protocol):
    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        """Take a packet; return (send a PLI?, the frame now due to be decoded)."""
        ...


def replace_jitter_buffer(receiver: RTCRtpReceiver, buffer: ReceiveBuffer) -> None:
    if not isinstance(getattr(receiver, _ATTRIBUTE, None), JitterBuffer):
        raise RuntimeError("this aiortc keeps its jitter buffer elsewhere: update receiver_buffer")
    setattr(receiver, _ATTRIBUTE, buffer)


def replace_track_buffer(
    pc: RTCPeerConnection, track: MediaStreamTrack, buffer: ReceiveBuffer
) -> None:
    """The same for the receiver of `track` (a remote track `pc` announced)."""
    for transceiver in pc.getTransceivers():
        if transceiver.receiver.track is track:
            replace_jitter_buffer(transceiver.receiver, buffer)
            return
    raise RuntimeError("no receiver of this track")
