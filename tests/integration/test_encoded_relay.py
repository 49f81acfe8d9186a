"""The encoded audio relay between two bots on one worker: each meeting's Opus frames,
tapped in its bot's page before the jitter buffer, go out of the other bot's page as
its own (real lab meetings, simulated people, the stack)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from playwright.async_api import Playwright

from bridge_worker.room_link import seat_devices
from bridge_worker.wiring.seat import room_seat
from bridge_worker.wiring.seat_io import Source
from lab.bots import bot_settings, running_bot
from lab.janus_server import LabJanus
from lab.media import closest_colour_name, longest_silence_ms
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.room_scene import (
    end_bots,
    eventually,
    hears,
    people_in_meetings,
    room_stack,
    send_bots,
)
from meetbridge.janus_rooms import RoomMedia, create_rooms
from meetbridge.room_plan import Path as RoomPath
from tests.fixtures.vendor_site import link_of, vendors_and_stack

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
VENDOR_TRANSFORMS = ("vendor_receiver_transform", "vendor_sender_transform")


async def test_two_meetings_bridged_through_the_encoded_relay(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        env = {"MEETBRIDGE_AUDIO_RELAY": "encoded"}
        _services, api = await stack.enter_async_context(room_stack(tmp_path, env=env))
        people, links = {}, {}
        for name, tone, colour in (("ann", 440.0, (220, 0, 0)), ("bob", 1000.0, (0, 0, 220))):
            meeting = await stack.enter_async_context(LabMeeting())
            people[name] = await stack.enter_async_context(
                SimulatedPerson(playwright, name, tone, colour, lab_media_dir)
            )
            await people[name].join(meeting.url)
            links[name] = meeting.url
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, links, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()

        await eventually(lambda: hears(people["bob"], 440.0))
        await eventually(lambda: hears(people["ann"], 1000.0))

        async def ann_sees_blue() -> bool:
            return closest_colour_name(await people["ann"].seen_colour("toann")) == "blue"

        await eventually(ann_sees_blue)

        async def both_encoded() -> bool:
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            media = [m["media"] or {} for m in members]
            return [m.get("relay") for m in media] == ["encoded", "encoded"] and all(
                m.get("relay_fps", 0) > 40
                for m in media  # about 50 frames a second
            )

        await eventually(both_encoded, 20)


@pytest.mark.parametrize(
    ("path", "bob_bot_says"),
    [
        ("same_host", VENDOR_TRANSFORMS),  # it reads ann's page's reason
        ("janus", ("source_quiet",)),  # ann's feed in the room stays silent
    ],
)
async def test_a_meeting_with_its_own_transforms_falls_back_to_the_devices_path(
    tmp_path: Path,
    playwright: Playwright,
    lab_media_dir: Path,
    path: str,
    bob_bot_says: tuple[str, ...],
) -> None:
    """Ann's meeting page puts its own encoded transforms on its receivers and senders
    (as vendors with end-to-end encryption do): the relay steps aside, saying why, on
    either room path, and the two meetings still hear each other through the devices
    path."""
    async with contextlib.AsyncExitStack() as stack:
        env = {"MEETBRIDGE_AUDIO_RELAY": "encoded", "MEETBRIDGE_ROOM_PATH": path}
        _services, api = await stack.enter_async_context(room_stack(tmp_path, env=env))
        people, links = await people_in_meetings(
            stack,
            playwright,
            lab_media_dir,
            {"ann": 440.0, "bob": 1000.0},
            own_transforms=frozenset({"ann"}),
        )
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, links, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()

        async def both_on_devices() -> bool:
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            media = [m["media"] or {} for m in members]
            return [m.get("path") for m in media] == [path, path] and all(
                m.get("relay") == "devices"
                and m.get("relay_reason") in says
                and m.get("relay_fps") == 0  # nothing forwarded
                for m, says in zip(media, (VENDOR_TRANSFORMS, bob_bot_says), strict=True)
            )

        await eventually(both_on_devices, 20)
        await eventually(lambda: hears(people["bob"], 440.0))
        await eventually(lambda: hears(people["ann"], 1000.0))


async def test_losing_the_relay_channel_leaves_a_gap_of_at_most_200_ms(
    playwright: Playwright, lab_media_dir: Path
) -> None:
    """Two bots of one process, seated on the same-host path with the relay on; bob's
    bot loses its relay channel mid-call: bob's meeting goes on hearing ann through the
    devices path (which fed the microphone all along), the gap measured in what bob
    hears, and the seat says why."""
    settings = bot_settings(audio_relay="encoded")
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
        bot_a = await stack.enter_async_context(
            running_bot(playwright, meeting_a.url, "bridgea", settings=settings)
        )
        bot_b = await stack.enter_async_context(
            running_bot(playwright, meeting_b.url, "bridgeb", settings=settings)
        )
        assert bot_a.devices and bot_b.devices and bot_b.relay
        media = RoomMedia(room_janus.http_url, audio_room=8201, video_room=8202, secret="s")
        await create_rooms(media)
        source_a = Source("bridgea", bot_a.devices.audio.server, True)
        source_b = Source("bridgeb", bot_b.devices.audio.server, True)
        seat_a = await stack.enter_async_context(
            room_seat(seat_devices(bot_a), media, [source_b], RoomPath.SAME_HOST)
        )
        seat_b = await stack.enter_async_context(
            room_seat(seat_devices(bot_b), media, [source_a], RoomPath.SAME_HOST)
        )
        await seat_a.set_sources([source_b])  # bob's relay is offered now
        assert seat_a.relay_state() == seat_b.relay_state() == ("encoded", None)
        await eventually(lambda: hears(bob, 440.0))
        await asyncio.sleep(2)  # the relayed frames flow

        recording = asyncio.create_task(bob.heard(3.0))
        await asyncio.sleep(1.2)
        await bot_b.relay.session.detach()  # the channel into bob's bot's page is gone
        heard = await recording
        assert seat_b.relay_state() == ("devices", "channel_lost")
        assert longest_silence_ms(heard.samples, heard.rate) <= 200
        assert await hears(bob, 440.0)


async def test_two_speakers_of_one_meeting_are_both_heard_in_the_other(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    """Ann and al speak at once in one meeting (its SFU sends their streams apart): the
    relay mixes them, and bob's meeting hears both."""
    async with contextlib.AsyncExitStack() as stack:
        env = {"MEETBRIDGE_AUDIO_RELAY": "encoded"}
        _services, api = await stack.enter_async_context(room_stack(tmp_path, env=env))
        meeting_a = await stack.enter_async_context(LabMeeting())
        meeting_b = await stack.enter_async_context(LabMeeting())
        people = {}
        for name, tone, meeting in (
            ("ann", 440.0, meeting_a),
            ("al", 700.0, meeting_a),
            ("bob", 1000.0, meeting_b),
        ):
            people[name] = await stack.enter_async_context(
                SimulatedPerson(playwright, name, tone, (200, 0, 0), lab_media_dir)
            )
            await people[name].join(meeting.url)
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, {"ann": meeting_a.url, "bob": meeting_b.url}, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()

        async def bob_hears_both() -> bool:
            return await hears(people["bob"], 440.0) and await hears(people["bob"], 700.0)

        await eventually(bob_hears_both)

        async def relayed() -> bool:
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            media = {m["bot_id"]: m["media"] or {} for m in members}
            return media[bots["bob"]].get("relay") == "encoded" and (
                media[bots["bob"]].get("relay_fps", 0) > 40
            )

        await eventually(relayed, 15)


@pytest.mark.parametrize(
    ("ann_vendor", "bob_vendor"), [("google_meet", "teams"), ("zoom", "jitsi"), ("webex", "janus")]
)
async def test_the_relay_runs_on_every_vendor_page(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path, ann_vendor: str, bob_vendor: str
) -> None:
    """Each reconstructed vendor's page (Webex's in its frame) with the relay's wrapper
    around its peer connections: the meetings hear each other, both bots relaying."""
    async with contextlib.AsyncExitStack() as stack:
        site, api = await vendors_and_stack(stack, tmp_path, MEETBRIDGE_AUDIO_RELAY="encoded")
        people, links = {}, {}
        for name, tone, vendor in (("ann", 440.0, ann_vendor), ("bob", 1000.0, bob_vendor)):
            meeting = await stack.enter_async_context(LabMeeting())
            people[name] = await stack.enter_async_context(
                SimulatedPerson(playwright, name, tone, (200, 0, 0), lab_media_dir)
            )
            await people[name].join(meeting.url)
            links[name] = link_of(site, vendor, meeting)
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, links, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()
        await eventually(lambda: hears(people["bob"], 440.0))
        await eventually(lambda: hears(people["ann"], 1000.0))

        async def both_relay() -> bool:
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            media = [m["media"] or {} for m in members]
            return all(m.get("relay") == "encoded" and m.get("relay_fps", 0) > 40 for m in media)

        await eventually(both_relay, 20)
