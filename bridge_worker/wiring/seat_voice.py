"""What a seat says in the room's AudioBridge: its meeting's sound, as Opus frames.

While the bot's page relays its meeting's encoded frames, those go (one speaker
untouched, several mixed: `EncodedFeed`), as the page received them: nothing is
encoded here, and they come a jitter buffer earlier than the bot's speaker plays
them. Otherwise (no relay, the page stepped aside, or no frames for a second) the
speaker monitor's capture is encoded here (mono). Either way aiortc only packs.

The capture is read all along, on its own clock, so switching to it loses nothing,
and the seat's counters (frames and loudness of what the meeting says) stay true.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiortc.mediastreams import MediaStreamError

from bridge_worker.wiring.encoded_frames import EncodedFeed, FrameSource
from bridge_worker.wiring.opus_encode import MonoOpusEncoder
from bridge_worker.wiring.opus_packet_track import OpusPacketTrack
from bridge_worker.wiring.pulse_media import PulseCaptureTrack
from bridge_worker.wiring.seat_health import SeatCounters
from meetbridge.tasks import stopped


@contextlib.asynccontextmanager
async def seat_voice(
    capture: PulseCaptureTrack, relay: FrameSource | None
) -> AsyncIterator[OpusPacketTrack]:
    """The track to send, for as long as the block runs."""
    voice = OpusPacketTrack()
    feed = EncodedFeed({"meeting": relay}, voice, SeatCounters()) if relay is not None else None
    tasks = [asyncio.create_task(_encode_captured(capture, voice, feed))]
    if feed is not None:
        tasks.append(asyncio.create_task(feed.run()))
    try:
        yield voice
    finally:
        await stopped(*tasks)
        voice.stop()


async def _encode_captured(
    capture: PulseCaptureTrack, voice: OpusPacketTrack, feed: EncodedFeed | None
) -> None:
    """Each captured 20 ms frame, encoded and sent whenever the relay does not carry
    the meeting."""
    encoder = MonoOpusEncoder()
    while True:
        try:
            frame = await capture.recv()
        except MediaStreamError:
            return
        if feed is None or feed.fallback is not None:
            payload = encoder.encode(frame.to_ndarray())
            if payload is not None:
                await voice.send(payload)
