"""The encoded audio relay between two bots on one worker: each meeting's Opus frames,
tapped in its bot's page before the jitter buffer, go out of the other bot's page as
its own (real lab meetings, simulated people, the stack)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from playwright.async_api import Playwright

from lab.media import closest_colour_name
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.room_scene import end_bots, eventually, hears, room_stack, send_bots

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


async def test_a_meeting_with_its_own_transforms_falls_back_to_the_devices_path(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    """Ann's meeting page puts its own encoded transforms on its receivers and senders
    (as vendors with end-to-end encryption do): the relay steps aside, saying why, and
    the two meetings still hear each other through the devices path."""
    async with contextlib.AsyncExitStack() as stack:
        env = {"MEETBRIDGE_AUDIO_RELAY": "encoded"}
        _services, api = await stack.enter_async_context(room_stack(tmp_path, env=env))
        people, links = {}, {}
        for name, tone, own in (("ann", 440.0, True), ("bob", 1000.0, False)):
            meeting = await stack.enter_async_context(LabMeeting(own_transforms=own))
            people[name] = await stack.enter_async_context(
                SimulatedPerson(playwright, name, tone, (200, 0, 0), lab_media_dir)
            )
            await people[name].join(meeting.url)
            links[name] = meeting.url
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, links, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()

        async def both_on_devices() -> bool:
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            media = [m["media"] or {} for m in members]
            return all(
                m.get("relay") == "devices"
                and m.get("relay_reason")
                in ("vendor_receiver_transform", "vendor_sender_transform")
                and m.get("relay_fps") == 0
                for m in media
            )

        await eventually(both_on_devices, 20)
        await eventually(lambda: hears(people["bob"], 440.0))
        await eventually(lambda: hears(people["ann"], 1000.0))
