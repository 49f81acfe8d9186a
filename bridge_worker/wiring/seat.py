"""A running bot's seat in a virtual room: its meeting goes out to the room, and the
other members' meetings come in as its microphone and camera.

Out: the bot's speaker monitor → AudioBridge; the vendor's stage on the bot's
display → VideoRoom. In: the AudioBridge mix of the others → the bot's microphone;
the others' stages, side by side → the bot's camera. On the same-host path the
audio skips Janus: each other member's speaker monitor is piped straight into the
bot's microphone (PulseAudio mixes them); and the stages of members in this worker
process are taken straight from their `Stage`, so the VideoRoom carries only what
crosses processes (a seat publishes only while some source is elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import av
import structlog

from bridge_worker.bot import Bot
from bridge_worker.capture.stage import Stage
from bridge_worker.capture.stage_track import StageTrack
from bridge_worker.wiring import local_stages
from bridge_worker.wiring.audio_bridge import AudioRoom, audio_seat
from bridge_worker.wiring.compositor import compose
from bridge_worker.wiring.plan import Path
from bridge_worker.wiring.pulse_pipe import pulse_pipe
from bridge_worker.wiring.seat_health import SeatCounters
from bridge_worker.wiring.video_room import FrameSink, VideoRoom, publishing, watching
from meetbridge.janus_http import JanusError
from meetbridge.janus_rooms import RoomMedia

log = structlog.get_logger(__name__)


def audio_room(media: RoomMedia, receive_prefetch: int) -> AudioRoom:
    return AudioRoom(
        media.janus_url, media.audio_room, media.secret, media.prebuffer, receive_prefetch
    )


def video_room(media: RoomMedia) -> VideoRoom:
    return VideoRoom(media.janus_url, media.video_room, media.secret)


class CameraMixer:
    """Keeps the newest frame of each source and shows them composed on the camera."""

    def __init__(self, bot: Bot, sources: Sequence[str], counters: SeatCounters):
        assert bot.devices is not None
        self.counters = counters
        self.feed = bot.devices.feed
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


@dataclass(frozen=True)
class Source:
    """Another member whose meeting this seat shows and plays."""

    bot_id: str
    audio_server: str | None = None  # its PulseAudio daemon (the same-host path reads it)
    in_process: bool = False  # its bot runs in this worker process (its stage is at hand)


class RoomSeat:
    """A bot's live seat: its sources can change without touching its stage, or, on the
    Janus path, its audio (the AudioBridge mixes whoever is in the room)."""

    def __init__(self, bot: Bot, media: RoomMedia, path: Path, stage: Stage):
        assert bot.devices is not None
        self.bot_id, self.media, self.path, self.audio = bot.bot_id, media, path, bot.devices.audio
        self.stage = stage
        self.counters = SeatCounters()
        self.mixer = CameraMixer(bot, [], self.counters)
        self._watchers: dict[str, tuple[bool, asyncio.Task[None]]] = {}  # direct?, task
        self._pipes: dict[str, tuple[str, contextlib.AsyncExitStack]] = {}
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
        """Show exactly `sources` (in this order, side by side on the camera); on the
        same-host path, play exactly their meetings into the microphone. Audio is
        rewired first: a member that leaves must stop being heard at once."""
        if self.path is Path.SAME_HOST:
            await self._set_pipes(sources)
        wanted = {s.bot_id: self._direct(s) for s in sources}
        for bot_id, (direct, task) in list(self._watchers.items()):
            if wanted.get(bot_id) != direct:  # gone, or now reached the other way
                del self._watchers[bot_id]
                await _stopped(task)
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
        if wanted and self._publisher is None:
            publisher = contextlib.AsyncExitStack()
            try:
                track = StageTrack(self.stage)
                publisher.callback(track.stop)
                await publisher.enter_async_context(
                    publishing(video_room(self.media), self.bot_id, track)
                )
            except BaseException:
                await asyncio.shield(publisher.aclose())
                raise
            self._publisher = publisher
        elif not wanted and self._publisher is not None:
            publisher, self._publisher = self._publisher, None
            await publisher.aclose()

    async def _set_pipes(self, sources: Sequence[Source]) -> None:
        servers = {s.bot_id: s.audio_server for s in sources if s.audio_server}
        for bot_id, (server, pipe) in list(self._pipes.items()):
            if servers.get(bot_id) != server:  # gone, or its daemon changed
                del self._pipes[bot_id]
                await pipe.aclose()
        for bot_id, server in servers.items():
            if bot_id not in self._pipes:
                pipe = contextlib.AsyncExitStack()
                await pipe.enter_async_context(
                    pulse_pipe(
                        server,
                        self.audio.speaker_monitor,
                        self.audio.server,
                        self.audio.mic_sink,
                        self._heard,
                    )
                )
                self._pipes[bot_id] = (server, pipe)

    def _heard(self) -> None:
        self.counters.audio_in += 1

    async def aclose(self) -> None:
        await self.set_sources([])
        self.mixer.drop_held()


@contextlib.asynccontextmanager
async def room_seat(
    bot: Bot, media: RoomMedia, sources: Sequence[Source], path: Path = Path.JANUS
) -> AsyncIterator[RoomSeat]:
    """Wire `bot` into the room, receiving the meetings of `sources` (other bots).

    Torn down audio first: a bot that leaves the room must stop being heard at once.
    """
    devices = bot.devices
    if devices is None:
        raise RuntimeError(f"bot {bot.bot_id} is not running")
    camera = devices.feed.camera
    async with contextlib.AsyncExitStack() as stack:
        stage = Stage(
            devices.display.name,
            bot.stage_box,
            width=camera.width,
            height=camera.height,
            fps=camera.fps,
        )
        capture = asyncio.create_task(stage.run())
        stack.push_async_callback(_stopped, capture)
        stack.enter_context(local_stages.offering(bot.bot_id, stage))
        seat = RoomSeat(bot, media, path, stage)
        stack.push_async_callback(seat.aclose)
        if path is Path.JANUS:
            await stack.enter_async_context(
                audio_seat(
                    audio_room(media, bot.settings.room_receive_prefetch),
                    devices.audio,
                    bot.bot_id,
                    seat.counters,
                )
            )
        await seat.set_sources(sources)
        yield seat


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


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
