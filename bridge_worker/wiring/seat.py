"""A running bot's seat in a virtual room: its meeting goes out to the room, and the
other members' meetings come in as its microphone and camera.

Out: the bot's speaker monitor → AudioBridge; the vendor's stage on the bot's
display → VideoRoom. In: the AudioBridge mix of the others → the bot's microphone;
the others' stages, side by side → the bot's camera.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import av
import numpy as np
import structlog

from bridge_worker.bot import Bot
from bridge_worker.capture.stage_track import StageTrack
from bridge_worker.wiring.audio_bridge import AudioRoom, audio_seat
from bridge_worker.wiring.compositor import compose
from bridge_worker.wiring.video_room import FrameSink, VideoRoom, publishing, watching
from meetbridge.janus_http import JanusError
from meetbridge.janus_rooms import RoomMedia

log = structlog.get_logger(__name__)


def audio_room(media: RoomMedia) -> AudioRoom:
    return AudioRoom(media.janus_url, media.audio_room, media.secret, media.prebuffer)


def video_room(media: RoomMedia) -> VideoRoom:
    return VideoRoom(media.janus_url, media.video_room, media.secret)


class CameraMixer:
    """Keeps the newest frame of each source and shows them composed on the camera."""

    def __init__(self, bot: Bot, sources: Sequence[str]):
        assert bot.devices is not None
        self.feed = bot.devices.feed
        self.sources = list(sources)
        self.latest: dict[str, np.ndarray] = {}

    def on_frame(self, source: str, frame: av.VideoFrame) -> None:
        self.latest[source] = frame.to_ndarray(format="rgb24")
        camera = self.feed.camera
        pictures = [self.latest[s] for s in self.sources if s in self.latest]
        self.feed.show(compose(pictures, camera.width, camera.height))


@contextlib.asynccontextmanager
async def room_seat(bot: Bot, media: RoomMedia, sources: Sequence[str]) -> AsyncIterator[None]:
    """Wire `bot` into the room, receiving the meetings of `sources` (other bots' ids)."""
    devices = bot.devices
    if devices is None:
        raise RuntimeError(f"bot {bot.bot_id} is not running")
    camera = devices.feed.camera
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(audio_seat(audio_room(media), devices.audio, bot.bot_id))
        stage = StageTrack(
            devices.display.name,
            bot.stage_box,
            width=camera.width,
            height=camera.height,
            fps=camera.fps,
        )
        await stack.enter_async_context(publishing(video_room(media), bot.bot_id, stage))
        mixer = CameraMixer(bot, sources)
        watchers = [
            asyncio.create_task(_keep_watching(video_room(media), source, mixer.on_frame))
            for source in sources
        ]

        async def stop_watchers() -> None:
            for task in watchers:
                task.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)

        stack.push_async_callback(stop_watchers)
        yield


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
