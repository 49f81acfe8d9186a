"""The encoded relay's room plane on its own: Opus frames published in a real Janus
VideoRoom by one member reach another member byte for byte, undecoded; a quiet
meeting keeps its feed alive with silence frames, and a feed whose relay stepped aside
goes quiet, so its subscribers step aside too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest

from bridge_worker.wiring.room_frames import (
    OPUS_SILENCE,
    QUIET_S,
    RemoteFrames,
    keep_receiving_frames,
    publishing_frames,
)
from bridge_worker.wiring.video_room import VideoRoom
from lab.janus_server import LabJanus
from lab.meeting_frames import MeetingFrames, tone_frames
from meetbridge.janus_rooms import RoomMedia, create_rooms

pytestmark = [pytest.mark.integration]


async def until(condition: Callable[[], bool], timeout_s: float = 15) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.05)


async def test_frames_cross_the_room_untouched_and_a_stopped_feed_goes_quiet() -> None:
    meeting = MeetingFrames()
    got: list[bytes] = []
    async with contextlib.AsyncExitStack() as stack:
        janus = await stack.enter_async_context(LabJanus())
        await create_rooms(RoomMedia(janus.http_url, 7100, 7101, "room-secret", pin="pin"))
        room = VideoRoom(janus.http_url, 7101, secret="room-secret", pin="pin")
        remote = RemoteFrames()
        remote.listeners.append(lambda _stream, frame: got.append(frame))
        receiving = asyncio.create_task(keep_receiving_frames(room, "bot-a", remote))
        stack.push_async_callback(asyncio.gather, receiving, return_exceptions=True)
        stack.callback(receiving.cancel)
        assert remote.fallback == "source_quiet"  # nothing came yet
        await stack.enter_async_context(publishing_frames(room, "bot-a", meeting))

        # The meeting is silent: the feed is kept alive with silence frames.
        await until(lambda: remote.fallback is None)
        assert set(got) == {OPUS_SILENCE}

        # The meeting speaks: its frames arrive as sent, in order, none decoded.
        spoken = tone_frames(50)
        got.clear()
        for frame in spoken:
            meeting.say(frame)
            await asyncio.sleep(0.02)
        await until(lambda: len([f for f in got if f != OPUS_SILENCE]) >= len(spoken))
        assert [f for f in got if f != OPUS_SILENCE] == spoken

        # The bot's page steps aside: nothing more is published, and the feed goes quiet.
        meeting.fallback = "channel_lost"
        await asyncio.sleep(0.3)  # what was on its way
        got.clear()
        await asyncio.sleep(QUIET_S + 0.3)
        assert got == [] and remote.fallback == "source_quiet"
