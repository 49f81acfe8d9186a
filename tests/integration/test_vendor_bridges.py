"""Meetings of different vendors bridged over the API: people hear and see each other.

ann sits in one vendor's meeting, bob in another's: a lab Janus meeting, or a
reconstructed vendor meeting (served on the vendor's host name in the lab, its call
on a lab Janus where that person's browser sits). One bot each, sent by their links
through the API to a worker that trusts the lab's certificate authority (a setting
refused outside the lab), and one room.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from lab.media import closest_colour_name
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.room_scene import end_bots, eventually, hears, send_bots
from tests.fixtures.vendor_site import link_of, vendors_and_stack

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.mark.parametrize(
    ("ann_vendor", "bob_vendor"),
    [("janus", "jitsi"), ("google_meet", "teams"), ("zoom", "jitsi"), ("webex", "google_meet")],
)
async def test_two_vendors_meetings_hear_and_see_each_other(
    tmp_path: Path, playwright, lab_media_dir: Path, ann_vendor: str, bob_vendor: str
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        site, api = await vendors_and_stack(stack, tmp_path)
        ann_meeting = await stack.enter_async_context(LabMeeting())
        bob_meeting = await stack.enter_async_context(LabMeeting())
        links = {}
        for person, vendor, meeting in (
            ("ann", ann_vendor, ann_meeting),
            ("bob", bob_vendor, bob_meeting),
        ):
            links[person] = link_of(site, vendor, meeting)
        ann = await stack.enter_async_context(
            SimulatedPerson(playwright, "ann", 440.0, (220, 0, 0), lab_media_dir)
        )
        bob = await stack.enter_async_context(
            SimulatedPerson(playwright, "bob", 1000.0, (0, 0, 220), lab_media_dir)
        )
        await ann.join(ann_meeting.url)
        await bob.join(bob_meeting.url)  # the Janus room behind bob's meeting

        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, links, bots)
        for person, vendor in (("ann", ann_vendor), ("bob", bob_vendor)):
            assert (await api.get(f"/v1/bots/{bots[person]}")).json()["vendor"] == vendor

        created = await api.post("/v1/rooms", json={"bots": [bots["ann"], bots["bob"]]})
        assert created.status_code == 201, created.text

        async def bob_hears_ann() -> bool:
            return await bob.heard_frequency(1.0) == pytest.approx(440.0, abs=5)

        async def ann_hears_bob() -> bool:
            return await ann.heard_frequency(1.0) == pytest.approx(1000.0, abs=5)

        async def bob_sees_red() -> bool:
            return closest_colour_name(await bob.seen_colour("tobob")) == "red"

        async def ann_sees_blue() -> bool:
            return closest_colour_name(await ann.seen_colour("toann")) == "blue"

        await eventually(bob_hears_ann)
        await eventually(ann_hears_bob)
        await eventually(bob_sees_red)
        await eventually(ann_sees_blue)


THREE = {"ann": ("google_meet", 440.0), "bob": ("teams", 1000.0), "cat": ("zoom", 1500.0)}


async def test_a_room_of_three_vendors_and_one_of_them_let_go(
    tmp_path: Path, playwright, lab_media_dir: Path
) -> None:
    """Meet, Teams and Zoom in one room: each person hears both others, never
    themselves; removing the Teams bot leaves Meet and Zoom bridged."""
    async with contextlib.AsyncExitStack() as stack:
        three_slots = {"MEETBRIDGE_WORKER_CONCURRENCY": "3", "MEETBRIDGE_WARM_POOL_SIZE": "0"}
        site, api = await vendors_and_stack(stack, tmp_path, **three_slots)
        people: dict[str, SimulatedPerson] = {}
        links: dict[str, str] = {}
        for name, (vendor, tone) in THREE.items():
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

        for name, person in people.items():
            for other, (_vendor, tone) in THREE.items():
                if other != name:
                    await eventually(lambda p=person, f=tone: hears(p, f))
            assert not await hears(person, THREE[name][1])  # never their own echo

        await api.delete(f"/v1/rooms/{room['id']}/bots/{bots['bob']}")

        async def bob_gone() -> bool:
            return not await hears(people["ann"], THREE["bob"][1], 0.5)

        await eventually(bob_gone, 30)
        await eventually(lambda: hears(people["ann"], THREE["cat"][1]), 30)
        await eventually(lambda: hears(people["cat"], THREE["ann"][1]), 30)
