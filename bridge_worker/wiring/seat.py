"""A running bot's seat in a virtual room: its meeting goes out to the room, and the
other members' meetings come in as its microphone and camera.

Out: the vendor's stage on the bot's display, grabbed for whoever watches it (members
in this worker process take its frames directly, the others through the VideoRoom;
a seat publishes only while some source is elsewhere). In: the others' stages, side
by side, become the bot's camera. Audio, both ways, is the seat's audio leg
(`audio_leg`: PulseAudio pipes on the same host, else the Janus AudioBridge), and,
with the encoded relay, the sources' Opus frames sent by the bot's page as its own
(taken from their pages in this process, or from their feeds in the VideoRoom).
The seat is given `SeatDevices`, never the bot itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence

import av
import structlog

from bridge_worker.browser.page_relay import PageRelay
from bridge_worker.capture.stage import Stage
from bridge_worker.capture.stage_track import StageTrack
from bridge_worker.devices.camera_feed import CameraFeed
from bridge_worker.wiring import encoded_frames, local_stages
from bridge_worker.wiring.audio_bridge import AudioRoom
from bridge_worker.wiring.audio_leg import AudioLeg, audio_leg
from bridge_worker.wiring.compositor import compose
from bridge_worker.wiring.encoded_frames import EncodedFeed, FrameSource
from bridge_worker.wiring.room_frames import (
    RemoteFrames,
    keep_receiving_frames,
    publishing_frames,
)
from bridge_worker.wiring.seat_health import SeatCounters
from bridge_worker.wiring.seat_io import SeatDevices, Source
from bridge_worker.wiring.video_room import FrameSink, VideoRoom, publishing, watching
from meetbridge.janus_http import JanusError
from meetbridge.janus_rooms import RoomMedia
from meetbridge.room_plan import Path
from meetbridge.tasks import stopped

log = structlog.get_logger(__name__)


def audio_room(media: RoomMedia, receive_prefetch: int) -> AudioRoom:
    return AudioRoom(
        media.janus_url,
        media.audio_room,
        media.secret,
        media.prebuffer,
        receive_prefetch,
        media.pin,
    )


def video_room(media: RoomMedia) -> VideoRoom:
    return VideoRoom(media.janus_url, media.video_room, media.secret, media.pin)


class CameraMixer:
    """Keeps the newest frame of each source and shows them composed on the camera."""

    def __init__(self, feed: CameraFeed, sources: Sequence[str], counters: SeatCounters):
        self.counters = counters
        self.feed = feed
        self.sources = list(sources)
        self.latest: dict[str, av.VideoFrame] = {}
        self._period = 1.0 / self.feed.camera.fps
        self._shown_at = 0.0
        self._held: asyncio.TimerHandle | None = None  # a frame waiting for its turn

    def on_frame(self, source: str, frame: av.VideoFrame) -> None:
        """Keep the frame; compose at most at the camera's frame rate, whatever the
        number of sources (each composition scales every source: not per frame). A
        frame that comes too soon is shown when its turn comes, not with the next
        frame: a still stage sends its next one a second later."""
        if source not in self.sources:
            return
        self.counters.video_in[source] = self.counters.video_in.get(source, 0) + 1
        self.latest[source] = frame
        # 3/4 of a period: frames of a source at the camera's rate arrive with jitter,
        # and a frame held back waits a whole period (latency, and half the rate).
        wait = 0.75 * self._period - (time.monotonic() - self._shown_at)
        if wait <= 0:
            self.show()
        elif self._held is None:
            self._held = asyncio.get_running_loop().call_later(wait, self.show)

    def show(self) -> None:
        self.drop_held()
        self._shown_at = time.monotonic()
        camera = self.feed.camera
        pictures = [
            self.latest[s].to_ndarray(format="rgb24") for s in self.sources if s in self.latest
        ]
        self.feed.show(compose(pictures, camera.width, camera.height))

    def drop_held(self) -> None:
        """Cancel a held frame's turn (it is shown now, or the seat is closing)."""
        if self._held is not None:
            self._held.cancel()
            self._held = None


class RoomSeat:
    """A bot's live seat: its sources can change without touching its stage, or, on the
    Janus path, its audio (the AudioBridge mixes whoever is in the room)."""

    def __init__(
        self,
        bot_id: str,
        media: RoomMedia,
        path: Path,
        stage: Stage,
        audio: AudioLeg,
        mixer: CameraMixer,
        relay: PageRelay | None = None,
    ):
        self.bot_id, self.media, self.path = bot_id, media, path
        self.stage, self.audio, self.mixer, self.relay = stage, audio, mixer, relay
        self._feed: tuple[EncodedFeed, asyncio.Task[None]] | None = None
        self._relay_why: str | None = "off" if relay is None else None
        self._remote: dict[str, tuple[RemoteFrames, asyncio.Task[None]]] = {}
        self._frames_publisher: contextlib.AsyncExitStack | None = None
        self.counters = mixer.counters
        self._watchers: dict[str, tuple[bool, asyncio.Task[None]]] = {}  # direct?, task
        self._publisher: contextlib.AsyncExitStack | None = None

    @property
    def sources(self) -> list[str]:
        return list(self.mixer.sources)

    @property
    def publishes_stage(self) -> bool:
        """Whether this bot's stage goes to the VideoRoom (some source is elsewhere)."""
        return self._publisher is not None

    def _direct(self, source: Source) -> bool:
        """Whether `source`'s stage is taken in-process rather than from the VideoRoom."""
        return self.path is Path.SAME_HOST and source.in_process

    async def set_sources(self, sources: Sequence[Source]) -> None:
        """Play exactly `sources`' meetings into the microphone and show them (in this
        order, side by side) on the camera. Audio is rewired first: a member that
        leaves must stop being heard at once."""
        await self.audio.set_sources(sources)
        await self._set_relayed(sources)
        await self._set_watched(sources)

    def relay_state(self) -> tuple[str, str | None]:
        """`encoded` while another meeting's frames go out as this bot's own, else
        `devices` and why."""
        feed = self._feed[0] if self._feed else None
        if feed is not None and feed.fallback is None:
            return "encoded", None
        return "devices", feed.fallback if feed else self._relay_why

    async def _set_relayed(self, sources: Sequence[Source]) -> None:
        """Feed the sources' frames into this bot's page: taken from their pages where
        they run in this process, else from their feeds in the room (which this seat
        publishes too, while some source is elsewhere); the devices path carries the
        rest, and everything whenever the relay steps aside."""
        frames, why = self._relayable(sources)
        self._relay_why = why
        wanted = frozenset(frames)
        if self._feed is not None and self._feed[0].source_ids != wanted:
            _, task = self._feed
            self._feed = None
            await stopped(task)
        for bot_id in set(self._remote) - wanted:
            _, task = self._remote.pop(bot_id)
            await stopped(task)
        publish = self.relay is not None and any(not self._direct(s) for s in sources)
        await self._set_publishing_frames(publish)
        if frames and self._feed is None and self.relay is not None:
            feed = EncodedFeed(frames, self.relay, self.counters)
            self._feed = (feed, asyncio.create_task(feed.run()))

    def _relayable(self, sources: Sequence[Source]) -> tuple[dict[str, FrameSource], str | None]:
        if self.relay is None:
            return {}, "off"
        if not sources:
            return {}, "no_source"
        if any(s.in_browser for s in sources):
            return {}, "guest_source"  # a person's audio reaches the room decoded only
        frames: dict[str, FrameSource] = {}
        for source in sources:
            if self._direct(source):
                relay = encoded_frames.offered(source.bot_id)
                if relay is None:
                    return {}, "source_without_relay"
                frames[source.bot_id] = relay
            else:
                frames[source.bot_id] = self._remote_frames(source.bot_id)
        return frames, None

    def _remote_frames(self, source: str) -> RemoteFrames:
        """`source`'s frames feed in the room, received from now on."""
        if source not in self._remote:
            frames = RemoteFrames()
            receiving = keep_receiving_frames(video_room(self.media), source, frames)
            task = asyncio.create_task(receiving)
            self._remote[source] = (frames, task)
        return self._remote[source][0]

    async def _set_publishing_frames(self, wanted: bool) -> None:
        relay = self.relay if wanted else None
        self._frames_publisher = await _switched(
            self._frames_publisher,
            None
            if relay is None
            else lambda: publishing_frames(video_room(self.media), self.bot_id, relay),
        )

    async def _set_watched(self, sources: Sequence[Source]) -> None:
        wanted = {s.bot_id: self._direct(s) for s in sources}
        for bot_id, (direct, task) in list(self._watchers.items()):
            if wanted.get(bot_id) != direct:  # gone, or now reached the other way
                del self._watchers[bot_id]
                await stopped(task)
                if bot_id not in wanted:
                    self.mixer.latest.pop(bot_id, None)
        # Members elsewhere watch this bot's stage in the VideoRoom; in-process ones
        # take it directly, so with none elsewhere nothing is encoded at all.
        await self._set_publishing(not all(wanted.values()))
        self.mixer.sources = list(wanted)
        for bot_id, direct in wanted.items():
            if bot_id not in self._watchers:
                watch = (
                    local_stages.keep_watching_local(bot_id, self.mixer.on_frame)
                    if direct
                    else _keep_watching(video_room(self.media), bot_id, self.mixer.on_frame)
                )
                self._watchers[bot_id] = (direct, asyncio.create_task(watch))
        self.mixer.show()

    async def _set_publishing(self, wanted: bool) -> None:
        self._publisher = await _switched(
            self._publisher,
            (lambda: publishing_stage(video_room(self.media), self.bot_id, self.stage))
            if wanted
            else None,
        )

    async def aclose(self) -> None:
        """Audio first (no longer heard, at once), then the pictures."""
        await self._set_relayed([])
        await self.audio.aclose()
        await self._set_watched([])
        self.mixer.drop_held()


@contextlib.asynccontextmanager
async def room_seat(
    devices: SeatDevices,
    media: RoomMedia,
    sources: Sequence[Source],
    path: Path = Path.JANUS,
    *,
    receive_prefetch: int = 2,
) -> AsyncIterator[RoomSeat]:
    """Wire a bot into the room, receiving the meetings of `sources` (other bots).

    `receive_prefetch`: 20 ms frames of the room's mix buffered before playing (Janus
    path). Torn down audio first: a bot that leaves the room must stop being heard at once.
    """
    camera = devices.feed.camera
    async with contextlib.AsyncExitStack() as stack:
        stage = Stage(
            devices.display,
            devices.stage_box,
            width=camera.width,
            height=camera.height,
            fps=camera.fps,
        )
        capture = asyncio.create_task(stage.run())
        stack.push_async_callback(stopped, capture)
        stack.enter_context(local_stages.offering(devices.bot_id, stage))
        if devices.relay is not None:
            stack.enter_context(encoded_frames.offering(devices.bot_id, devices.relay))
        mixer = CameraMixer(devices.feed, [], SeatCounters())
        leg = await stack.enter_async_context(
            audio_leg(
                path,
                devices.audio,
                devices.bot_id,
                audio_room(media, receive_prefetch),
                mixer.counters,
                devices.relay,
            )
        )
        seat = RoomSeat(devices.bot_id, media, path, stage, leg, mixer, devices.relay)
        stack.push_async_callback(seat.aclose)
        await seat.set_sources(sources)
        yield seat


async def _switched(
    current: contextlib.AsyncExitStack | None,
    opening: Callable[[], contextlib.AbstractAsyncContextManager[None]] | None,
) -> contextlib.AsyncExitStack | None:
    """A publication kept open while wanted: `opening` opens it if it is not open yet;
    None closes the open one. Returns what is open now."""
    if opening is not None and current is None:
        publisher = contextlib.AsyncExitStack()
        try:
            await publisher.enter_async_context(opening())
        except BaseException:
            await asyncio.shield(publisher.aclose())
            raise
        return publisher
    if opening is None and current is not None:
        await current.aclose()
        return None
    return current


@contextlib.asynccontextmanager
async def publishing_stage(room: VideoRoom, bot_id: str, stage: Stage) -> AsyncIterator[None]:
    """Publish `stage` as `bot_id`'s feed in `room` while the block runs."""
    track = StageTrack(stage)
    try:
        async with publishing(room, bot_id, track):
            yield
    finally:
        track.stop()


async def _keep_watching(room: VideoRoom, source: str, sink: FrameSink) -> None:
    """Watch `source` for as long as the seat lasts; members publish when they are
    ready, so a source that is not there yet is waited for, not an error."""
    while True:
        try:
            async with watching(room, source, sink, timeout_s=3600):
                await asyncio.Event().wait()
        except (JanusError, RuntimeError) as exc:
            log.info("waiting for a room member's video", source=source, error=str(exc)[:120])
            await asyncio.sleep(1)
