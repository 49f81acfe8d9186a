"""What an Opus packet says about itself in its first bytes (RFC 6716, 3.1): how
long it plays. The relay forwards 20 ms frames as they are; a meeting whose senders
chose other packet durations (10, 40, 60 ms...) is decoded and encoded again in 20 ms
frames (`opus_mix`)."""

from __future__ import annotations

SILK_SAMPLES = (480, 960, 1920, 2880)  # 10, 20, 40, 60 ms at 48 kHz
HYBRID_SAMPLES = (480, 960)
CELT_SAMPLES = (120, 240, 480, 960)  # 2.5, 5, 10, 20 ms


def opus_samples(packet: bytes) -> int | None:
    """The packet's duration in 48 kHz samples; None for an empty or damaged one."""
    if not packet:
        return None
    config, code = packet[0] >> 3, packet[0] & 0x03
    if config < 12:
        size = SILK_SAMPLES[config % 4]
    elif config < 16:
        size = HYBRID_SAMPLES[config % 2]
    else:
        size = CELT_SAMPLES[config % 4]
    if code == 0:
        count = 1
    elif code < 3:
        count = 2
    elif len(packet) > 1:
        count = packet[1] & 0x3F
    else:
        return None
    return size * count if count else None
