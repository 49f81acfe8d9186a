"""A bot's seats in a room's Janus VideoRoom: it publishes its meeting's stage and
subscribes to every other member's, handing their frames to a callback (which
composes them into the bot's camera picture). The encoded audio relay publishes and
subscribes audio-only feeds here the same way (`room_frames.py`): the VideoRoom
forwards what it gets untouched.

Publisher ids are derived from bot ids, so members find each other's feeds
without asking anyone; a subscription made before the publisher's media is up
gets `428 No such feed` and is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import av
import structlog
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from bridge_worker.wiring.peer_close import close_peer
from bridge_worker.wiring.receiver_buffer import replace_track_buffer
from bridge_worker.wiring.video_frame_buffer import MarkerFrameBuffer
from meetbridge.invites import GUEST_ID_PREFIX, participant_of
from meetbridge.janus_http import JanusError, JanusHandle, JanusSession
from meetbridge.tasks import stopped

log = structlog.get_logger(__name__)
PLUGIN = "janus.plugin.videoroom"
FrameSink = Callable[[str, av.VideoFrame], None]
TrackTaker = Callable[[RTCPeerConnection, MediaStreamTrack], None]  # a subscribed track


@dataclass(frozen=True)
class VideoRoom:
    janus_url: str
    room: int
    secret: str | None = None
    pin: str | None = None  # the room's join pin (publishers and subscribers)

    def pinned(self, body: dict[str, object]) -> dict[str, object]:
        return {**body, "pin": self.pin} if self.pin else body


def feed_id(bot_id: str) -> int:
    """A stable publisher id for a bot (53 bits: JSON-safe)."""
    return int.from_bytes(hashlib.sha256(bot_id.encode()).digest()[:8], "big") >> 11


async def _answer(pc: RTCPeerConnection, jsep: dict[str, str]) -> dict[str, str]:
    await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    return {"type": "answer", "sdp": pc.localDescription.sdp}


@contextlib.asynccontextmanager
async def publishing(room: VideoRoom, feed: str, track: MediaStreamTrack) -> AsyncIterator[None]:
    """Publish `track` as the feed named `feed` in `room` (a bot's id for its stage)."""
    async with JanusSession(room.janus_url) as session:
        handle = await session.attach(PLUGIN)
        await handle.message(
            room.pinned(
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": room.room,
                    "id": feed_id(feed),
                    "display": feed[:64],
                }
            )
        )
        pc = RTCPeerConnection()
        try:
            pc.addTransceiver(track, direction="sendonly")
            await pc.setLocalDescription(await pc.createOffer())
            data, jsep = await handle.message(
                {
                    "request": "publish",
                    "audio": track.kind == "audio",
                    "video": track.kind == "video",
                },
                jsep={"type": "offer", "sdp": pc.localDescription.sdp},
            )
            if jsep is None:
                raise JanusError(f"VideoRoom gave no answer to our offer: {data}")
            await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
            yield
        finally:
            await close_peer(pc, "video room publisher")
            await handle.detach()


async def _feed_of(handle: JanusHandle, room: VideoRoom, source: str) -> int:
    """The publisher id of `source`: derived from a bot's id; a guest's (a person on
    the join page, whose id Janus chose) found by the name the proxy gave it."""
    if not source.startswith(GUEST_ID_PREFIX):
        return feed_id(source)
    listed = await handle.request({"request": "listparticipants", "room": room.room})
    for participant in listed.get("participants", []):
        guest = participant_of(str(participant.get("display", "")))
        if guest is not None and guest[0] == source and participant.get("publisher"):
            return int(participant["id"])
    raise JanusError(f"428 guest {source} publishes no video yet")


async def _subscribe(
    handle: JanusHandle, room: VideoRoom, source: str, timeout_s: float
) -> tuple[dict, dict]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            feed = await _feed_of(handle, room, source)
            data, jsep = await handle.message(
                room.pinned(
                    {
                        "request": "join",
                        "ptype": "subscriber",
                        "room": room.room,
                        "streams": [{"feed": feed}],
                    }
                )
            )
            if jsep is not None:
                return data, jsep
        except JanusError as exc:
            if "428" not in str(exc) or loop.time() > deadline:
                raise
        await asyncio.sleep(0.3)  # the publisher's media is not up yet


async def _pump(track: MediaStreamTrack, source: str, sink: FrameSink) -> None:
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        assert isinstance(frame, av.VideoFrame)
        sink(source, frame)


@contextlib.asynccontextmanager
async def subscribed(
    room: VideoRoom, source: str, take: TrackTaker, *, timeout_s: float = 15
) -> AsyncIterator[None]:
    """Subscribe to the feed `source` (waiting up to `timeout_s` for it to publish);
    each track it carries goes to `take` before any media flows."""
    async with JanusSession(room.janus_url) as session:
        handle = await session.attach(PLUGIN)
        pc = RTCPeerConnection()
        pc.on("track", functools.partial(take, pc))
        try:
            _, offer = await _subscribe(handle, room, source, timeout_s)
            await handle.message({"request": "start"}, jsep=await _answer(pc, offer))
            yield
        finally:
            await close_peer(pc, "video room subscriber")
            await handle.detach()


@contextlib.asynccontextmanager
async def watching(
    room: VideoRoom, source: str, sink: FrameSink, *, timeout_s: float = 15
) -> AsyncIterator[None]:
    """Receive `source`'s feed; each decoded frame goes to `sink(source, frame)`."""
    pumps: list[asyncio.Task[None]] = []

    def take(pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
        if track.kind != "video":
            return
        replace_track_buffer(pc, track, MarkerFrameBuffer())  # each frame out once whole
        pumps.append(asyncio.create_task(_pump(track, source, sink)))

    try:
        async with subscribed(room, source, take, timeout_s=timeout_s):
            yield
    finally:
        await stopped(*pumps)
