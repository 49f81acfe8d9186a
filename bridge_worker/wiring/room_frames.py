"""The encoded relay across hosts: a bot's meeting's Opus frames go into the room's
VideoRoom as an audio-only feed of its own, and other members' feeds are taken there
as their packets arrive, never decoded.

The VideoRoom forwards what a publisher sends untouched (the AudioBridge would decode
and mix), so a frame tapped in bot A's page reaches bot B's page as A's page received
it. Mix-minus holds as on the same host: a seat subscribes only to its sources.

A publisher whose meeting is silent still sends a silence frame every KEEPALIVE_S,
so a subscriber can tell a quiet meeting from a feed that stopped: a source with no
packet for QUIET_S (its page's relay stepped aside, its worker died) makes the
seat's relay step aside too (`source_quiet`), and the AudioBridge, which carried
every member into the microphone all along, is heard instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import structlog
from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from bridge_worker.browser.page_relay import FrameListener
from bridge_worker.wiring.encoded_frames import EncodedFeed, FrameSource
from bridge_worker.wiring.opus_packet_track import OpusPacketTrack
from bridge_worker.wiring.receiver_buffer import replace_track_buffer
from bridge_worker.wiring.seat_health import SeatCounters
from bridge_worker.wiring.video_room import VideoRoom, publishing, subscribed
from meetbridge.janus_http import JanusError
from meetbridge.tasks import stopped

log = structlog.get_logger(__name__)
FEED_SUFFIX = "~opus"  # a bot's frames feed is named after it
OPUS_SILENCE = b"\xf8\xff\xfe"  # one 20 ms Opus frame of silence (CELT, mono)
KEEPALIVE_S = 0.1
QUIET_S = 1.0


def frames_feed(bot_id: str) -> str:
    return bot_id + FEED_SUFFIX


class FrameTap:
    """Stands in for a receiver's jitter buffer: each packet's payload goes to `take`
    as it arrives, and nothing is left for the decoder."""

    def __init__(self, frames: RemoteFrames):
        self.frames = frames

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if packet.payload:
            self.frames.arrived(bytes(packet.payload))
        return False, None


class RemoteFrames:
    """A source elsewhere: its feed's frames, as they arrive (a FrameSource)."""

    def __init__(self) -> None:
        self.listeners: list[FrameListener] = []
        self.received = 0
        self._arrived_at = float("-inf")

    @property
    def fallback(self) -> str | None:
        return None if time.monotonic() - self._arrived_at <= QUIET_S else "source_quiet"

    def arrived(self, frame: bytes) -> None:
        self._arrived_at = time.monotonic()
        self.received += 1
        for listener in list(self.listeners):
            listener(1, frame)  # a feed is one stream: the publisher chose or mixed


@contextlib.asynccontextmanager
async def publishing_frames(
    room: VideoRoom, bot_id: str, relay: FrameSource
) -> AsyncIterator[None]:
    """Publish what `bot_id`'s meeting says, as its page received it, while the block
    runs: one speaker's frames untouched, several mixed (`EncodedFeed`)."""
    track = OpusPacketTrack()
    feed = EncodedFeed({bot_id: relay}, track, SeatCounters())
    tasks = [asyncio.create_task(feed.run()), asyncio.create_task(_keep_alive(track, relay))]
    try:
        async with publishing(room, frames_feed(bot_id), track):
            yield
    finally:
        await stopped(*tasks)
        track.stop()


async def _keep_alive(track: OpusPacketTrack, relay: FrameSource) -> None:
    """A silence frame whenever the meeting sent nothing for KEEPALIVE_S, while the
    page's relay works (once it steps aside, the feed goes quiet: subscribers see it)."""
    while True:
        await asyncio.sleep(KEEPALIVE_S)
        if relay.fallback is None and time.monotonic() - track.sent_at >= KEEPALIVE_S:
            await track.send(OPUS_SILENCE)


def _tap(frames: RemoteFrames, pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
    if track.kind == "audio":
        replace_track_buffer(pc, track, FrameTap(frames))


async def keep_receiving_frames(room: VideoRoom, source: str, frames: RemoteFrames) -> None:
    """Take `source`'s frames feed for as long as the seat lasts; a source publishes
    when its seat is up, so a feed that is not there yet is waited for."""
    while True:
        try:
            async with subscribed(
                room, frames_feed(source), lambda pc, track: _tap(frames, pc, track), timeout_s=3600
            ):
                await asyncio.Event().wait()
        except (JanusError, RuntimeError) as exc:
            log.info("waiting for a room member's frames", source=source, error=str(exc)[:120])
            await asyncio.sleep(1)
