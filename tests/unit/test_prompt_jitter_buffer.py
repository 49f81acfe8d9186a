"""The room's audio receive buffer: a lost packet costs one short gap, not lasting
latency (aiortc's own buffer waits at the hole until 16 packets pile up, and then
keeps them)."""

from __future__ import annotations

import pytest
from aiortc.rtp import RtpPacket

from bridge_worker.wiring.prompt_jitter_buffer import PromptJitterBuffer

pytestmark = [pytest.mark.unit]

SAMPLES_PER_PACKET = 960  # 20 ms of Opus at 48 kHz


def _packet(sequence: int) -> RtpPacket:
    packet = RtpPacket(
        payload_type=111,
        sequence_number=sequence % 65536,
        timestamp=(sequence * SAMPLES_PER_PACKET) % 2**32,
        payload=bytes([sequence % 256]),
    )
    packet._data = packet.payload  # type: ignore[attr-defined]  # the receiver's depayloaded data
    return packet


def _feed(buffer: PromptJitterBuffer, sequences: list[int]) -> dict[int, int]:
    """Which packet's frame came out when each packet arrived: {arrived: frame seq}."""
    out = {}
    for sequence in sequences:
        _, frame = buffer.add(_packet(sequence))
        if frame is not None:
            out[sequence] = frame.timestamp // SAMPLES_PER_PACKET
    return out


@pytest.mark.parametrize("prefetch", [1, 2, 4])
def test_a_frame_leaves_when_prefetch_more_have_arrived(prefetch: int) -> None:
    out = _feed(PromptJitterBuffer(prefetch), list(range(20)))
    assert out == {arrived: arrived - prefetch for arrived in range(prefetch, 20)}


def test_a_sender_that_starts_over_is_followed() -> None:
    buffer = PromptJitterBuffer(1)
    _feed(buffer, list(range(30000, 30010)))
    out = _feed(buffer, list(range(100, 110)))
    assert out == {arrived: arrived - 1 for arrived in range(101, 110)}


@pytest.mark.parametrize("prefetch", [1, 2])
def test_a_lost_packet_is_a_gap_and_the_buffer_stays_as_deep(prefetch: int) -> None:
    buffer = PromptJitterBuffer(prefetch)
    lost = 10
    out = _feed(buffer, [s for s in range(60) if s != lost])
    assert lost not in out.values() and buffer.lost == 1
    # Every frame after the loss still leaves `prefetch` packets after it arrived
    # (one more for the frame the hole held up): no lasting delay.
    for arrived, frame in out.items():
        assert arrived - frame <= prefetch + 1, (arrived, frame)
    assert sorted(out.values()) == [s for s in range(60 - prefetch) if s != lost]
    assert buffer.depth() == prefetch


def test_a_late_packet_after_its_gap_is_ignored() -> None:
    buffer = PromptJitterBuffer(2)
    out = _feed(buffer, [0, 1, 2, 4, 5, 6, 3, 7, 8])
    assert 3 not in out.values()
    assert out[8] == 6 and buffer.depth() == 2


def test_losses_across_the_sequence_wrap_are_gaps_too() -> None:
    buffer = PromptJitterBuffer(2)
    start = 65530
    sequences = [s for s in range(start, start + 20) if s not in (65535, 65537)]
    out = _feed(buffer, sequences)
    assert 65535 not in out.values() and 65537 not in out.values()
    # Two losses three apart: the frame between them fell behind what was due, and
    # was dropped rather than kept as latency.
    assert 2 <= buffer.lost <= 3 and buffer.depth() == 2
    assert all(arrived - frame <= 3 for arrived, frame in out.items())
