"""Packets a meeting's senders chose to make other than 20 ms long, or stereo: the
relay reads their length from the packet, and sends 20 ms frames on."""

from __future__ import annotations

import asyncio

import pytest

from bridge_worker.wiring.encoded_frames import EncodedFeed
from bridge_worker.wiring.opus_mix import RATE, OpusMixer
from bridge_worker.wiring.opus_packet import opus_samples
from bridge_worker.wiring.seat_health import SeatCounters
from lab.meeting_frames import MeetingFrames, tone_frames, tone_in

pytestmark = pytest.mark.unit


def _packets(hz: float, seconds: float, ms: int = 20, layout: str = "mono") -> list[bytes]:
    """A tone as libopus packs it in packets of `ms`."""
    return tone_frames(round(seconds * 1000 / ms), hz, ms=ms, layout=layout, bitrate=64_000)


@pytest.mark.parametrize("ms", [10, 20, 40, 60])
def test_a_packets_length_is_read_from_its_first_bytes(ms: int) -> None:
    packets = _packets(440, 0.5, ms)
    assert packets and {opus_samples(p) for p in packets} == {RATE * ms // 1000}


def test_damaged_or_counted_packets() -> None:
    assert opus_samples(b"") is None
    assert opus_samples(bytes([0xFB])) is None  # code 3 with no frame count
    assert opus_samples(bytes([0xFB, 0x03])) == 3 * 960  # three 20 ms CELT frames
    assert opus_samples(bytes([0xFB, 0x00])) is None


class _Target:
    fallback: str | None = None

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, frame: bytes) -> bool:
        self.sent.append(frame)
        return True


@pytest.mark.parametrize("ms", [40, 60])
async def test_a_speaker_in_long_packets_goes_out_in_20_ms_frames(ms: int) -> None:
    meeting, target = MeetingFrames(), _Target()
    feed = EncodedFeed({"bot_a": meeting}, target, SeatCounters())
    running = asyncio.create_task(feed.run())
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n, packet in enumerate(_packets(440, 1.5, ms)):
        await asyncio.sleep(max(start + n * ms / 1000 - loop.time(), 0))
        meeting.say(packet)
    await asyncio.sleep(0.1)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    assert feed.mixing  # the frames were made again, not forwarded
    assert {opus_samples(frame) for frame in target.sent} == {960}
    assert len(target.sent) >= 60  # about 75 in 1.5 s, one each 20 ms
    assert tone_in(target.sent, 440) > 0.5


def test_a_stereo_stream_is_mixed_down_to_mono() -> None:
    mixer = OpusMixer()
    mixed: list[bytes] = []
    for packet in _packets(440, 1.0, layout="stereo"):
        mixer.add("a", packet)
        if (out := mixer.tick()) is not None:
            mixed.append(out)
    assert len(mixed) >= 45 and tone_in(mixed, 440) > 0.5
