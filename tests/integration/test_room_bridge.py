"""Two meetings on two separate Janus servers, bridged through a third (the room):
person A (440 Hz, red) and person B (1000 Hz, blue) hear and see each other, on
either path: Janus (AudioBridge + VideoRoom), or one host (PulseAudio pipes, with the
stages handed over in-process when both bots share a worker process, else through
the VideoRoom)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bridge_worker.room_link import seat_devices
from bridge_worker.wiring.seat import room_seat
from bridge_worker.wiring.seat_io import Source
from lab.bots import running_bot
from lab.janus_server import LabJanus
from lab.media import closest_colour_name
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.room_scene import eventually
from meetbridge.janus_rooms import RoomMedia, create_rooms
from meetbridge.room_plan import Path as RoomPath

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.mark.parametrize(
    ("path", "in_process"),
    [(RoomPath.JANUS, False), (RoomPath.SAME_HOST, False), (RoomPath.SAME_HOST, True)],
    ids=["janus", "same_host", "same_host-in_process"],
)
async def test_people_in_two_meetings_hear_and_see_each_other(
    playwright, lab_media_dir: Path, path: RoomPath, in_process: bool
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        meeting_a = await stack.enter_async_context(LabMeeting())
        meeting_b = await stack.enter_async_context(LabMeeting())
        room_janus = await stack.enter_async_context(LabJanus())
        ann = await stack.enter_async_context(
            SimulatedPerson(playwright, "ann", 440.0, (220, 0, 0), lab_media_dir)
        )
        bob = await stack.enter_async_context(
            SimulatedPerson(playwright, "bob", 1000.0, (0, 0, 220), lab_media_dir)
        )
        await ann.join(meeting_a.url)
        await bob.join(meeting_b.url)
        bot_a = await stack.enter_async_context(running_bot(playwright, meeting_a.url, "bridgea"))
        bot_b = await stack.enter_async_context(running_bot(playwright, meeting_b.url, "bridgeb"))
        await ann.wait_for_participant("bridgea", timeout_s=20)
        await bob.wait_for_participant("bridgeb", timeout_s=20)

        # Before the room: neither meeting hears the other.
        assert await ann.heard_frequency(1.0) is None
        assert await bob.heard_frequency(1.0) is None

        media = RoomMedia(
            room_janus.http_url, audio_room=8101, video_room=8102, secret="room-secret", prebuffer=2
        )
        await create_rooms(media)
        assert bot_a.devices is not None and bot_b.devices is not None
        source_a = Source("bridgea", bot_a.devices.audio.server, in_process)
        source_b = Source("bridgeb", bot_b.devices.audio.server, in_process)
        seat_a = await stack.enter_async_context(
            room_seat(seat_devices(bot_a), media, [source_b], path)
        )
        seat_b = await stack.enter_async_context(
            room_seat(seat_devices(bot_b), media, [source_a], path)
        )
        # Stages go through the VideoRoom only when a member watches from elsewhere.
        assert seat_a.publishes_stage is seat_b.publishes_stage is (not in_process)

        async def ann_hears_bob() -> bool:
            return await ann.heard_frequency(1.0) == pytest.approx(1000.0, abs=5)

        async def bob_hears_ann() -> bool:
            return await bob.heard_frequency(1.0) == pytest.approx(440.0, abs=5)

        async def ann_sees_blue() -> bool:
            return closest_colour_name(await ann.seen_colour("bridgea")) == "blue"

        async def bob_sees_red() -> bool:
            return closest_colour_name(await bob.seen_colour("bridgeb")) == "red"

        await eventually(ann_hears_bob)
        await eventually(bob_hears_ann)
        await eventually(ann_sees_blue)
        await eventually(bob_sees_red)
