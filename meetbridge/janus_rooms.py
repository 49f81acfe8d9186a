"""Creating and destroying a virtual room's Janus rooms (AudioBridge + VideoRoom).

Light on purpose (httpx only): the orchestrator uses it, and must not import the
browser or media stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from meetbridge.janus_http import JanusError, JanusHandle, JanusSession
from meetbridge.records import RoomRecord

AUDIO_PLUGIN = "janus.plugin.audiobridge"
VIDEO_PLUGIN = "janus.plugin.videoroom"


@dataclass(frozen=True)
class RoomMedia:
    """Where a room's media meets: one Janus, an AudioBridge room and a VideoRoom."""

    janus_url: str
    audio_room: int
    video_room: int
    secret: str | None = None  # to change or destroy the rooms
    prebuffer: int = 3  # AudioBridge packets (20 ms each) buffered per member
    pin: str | None = None  # to join them (bots, and browsers through the invite proxy)

    @classmethod
    def of_room(cls, room: RoomRecord) -> RoomMedia:
        return cls(
            room.janus_url,
            room.audio_room,
            room.video_room,
            room.secret.get_secret_value(),
            room.prebuffer,
            room.pin.get_secret_value() if room.pin is not None else None,
        )


async def _exists(handle: JanusHandle, room: int) -> bool:
    return bool((await handle.request({"request": "exists", "room": room})).get("exists"))


def _with_secret(body: dict[str, object], secret: str | None) -> dict[str, object]:
    return {**body, "secret": secret} if secret else body


def _with_pin(body: dict[str, object], pin: str | None) -> dict[str, object]:
    return {**body, "pin": pin} if pin else body


async def create_rooms(media: RoomMedia, publishers: int = 16) -> None:
    """Create both rooms (idempotent): private (Janus's `list` does not show them), and
    closed to anyone without the pin when the room has one."""
    async with JanusSession(media.janus_url) as session:
        audio = await session.attach(AUDIO_PLUGIN)
        if not await _exists(audio, media.audio_room):
            await audio.request(
                _with_secret(
                    _with_pin(
                        {
                            "request": "create",
                            "room": media.audio_room,
                            "is_private": True,
                            "sampling_rate": 48000,
                            "default_prebuffering": media.prebuffer,
                            "audiolevel_event": False,
                        },
                        media.pin,
                    ),
                    media.secret,
                )
            )
        video = await session.attach(VIDEO_PLUGIN)
        if not await _exists(video, media.video_room):
            await video.request(
                _with_secret(
                    _with_pin(
                        {
                            "request": "create",
                            "room": media.video_room,
                            "is_private": True,
                            "publishers": publishers,
                            "videocodec": "vp8",
                            "audiocodec": "opus",
                        },
                        media.pin,
                    ),
                    media.secret,
                )
            )


async def destroy_rooms(media: RoomMedia) -> None:
    """Destroy both rooms; members still in them are dropped by Janus."""
    async with JanusSession(media.janus_url) as session:
        for plugin, room in ((AUDIO_PLUGIN, media.audio_room), (VIDEO_PLUGIN, media.video_room)):
            handle = await session.attach(plugin)
            if await _exists(handle, room):
                try:
                    await handle.request(
                        _with_secret({"request": "destroy", "room": room}, media.secret)
                    )
                except JanusError:
                    pass
