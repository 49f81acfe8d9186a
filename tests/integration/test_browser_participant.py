"""A person with no vendor app joins a room from meetbridge's join page, beside the
meetings its real bots sit in (lab Janus meetings with simulated people, the stack,
a room Janus): the meetings hear the guest's tone and see the guest's picture in their
bot's camera; the guest hears and sees every meeting; once the guest leaves, the
meetings stop hearing it. The same in a room of one meeting, where the guest also
mutes (the meeting stops hearing them) and turns the camera off (the bot shows their
name in its place), and back."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from playwright.async_api import Page, Playwright, expect

from lab.guest_page import guest_page, hears_tones, phase, sees_colour
from lab.media import closest_colour_name
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.room_scene import end_bots, eventually, hears, room_stack, send_bots
from lab.stack import Stack
from meetbridge.invites import participant_of
from meetbridge.janus_http import JanusSession
from meetbridge.janus_rooms import AUDIO_PLUGIN
from meetbridge.room_store import RoomStore
from tests.fixtures.artifacts import screenshot

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

GUEST_TONE, GUEST_COLOUR = 700.0, (0, 200, 0)
PEOPLE = {"ann": (440.0, (220, 0, 0)), "bob": (1000.0, (0, 0, 220))}
LEFT, RIGHT, WHOLE = (0.1, 0.4), (0.6, 0.9), (0.25, 0.75)  # of a bot's camera picture


async def _room_with_people(
    stack: contextlib.AsyncExitStack,
    tmp_path: Path,
    playwright: Playwright,
    media_dir: Path,
    names: list[str],
) -> tuple[Stack, httpx.AsyncClient, dict[str, SimulatedPerson], dict[str, str], dict]:
    """Each of `names` in a lab meeting of their own, a bot in each, one room of them."""
    services, api = await stack.enter_async_context(room_stack(tmp_path / "stack"))
    people, links = {}, {}
    for name in names:
        meeting = await stack.enter_async_context(LabMeeting())
        tone, colour = PEOPLE[name]
        people[name] = await stack.enter_async_context(
            SimulatedPerson(playwright, name, tone, colour, media_dir)
        )
        await people[name].join(meeting.url)
        links[name] = meeting.url
    bots: dict[str, str] = {}
    stack.push_async_callback(end_bots, api, bots)
    await send_bots(api, links, bots)
    created = await api.post("/v1/rooms", json={"bots": [bots[n] for n in names]})
    assert created.status_code == 201, created.text
    return services, api, people, bots, created.json()


async def _join_as_guest(
    stack: contextlib.AsyncExitStack,
    api: httpx.AsyncClient,
    room: dict,
    playwright: Playwright,
    media_dir: Path,
) -> Page:
    made = await api.post(f"/v1/rooms/{room['id']}/invites", json={"expires_in_s": 600})
    assert made.status_code == 201, made.text
    page, errors = await stack.enter_async_context(
        guest_page(playwright, media_dir, made.json()["url"], GUEST_TONE, GUEST_COLOUR)
    )
    await phase(page, "lobby")
    await page.fill("#name", "Gus")
    await page.click("#join")
    state = await phase(page, "joined", "problem")
    assert state["phase"] == "joined", (state, errors)

    async def listed() -> bool:
        guests = (await api.get(f"/v1/rooms/{room['id']}")).json()["guests"]
        return guests == [{"invite_id": made.json()["id"], "name": "Gus"}]

    await eventually(listed, 10)
    return page


async def muted_in_audio_bridge(services: Stack, room_id: str) -> bool | None:
    """Whether the room's AudioBridge has its guest muted (None: no guest there)."""
    client = aioredis.Redis.from_url(services.redis_url, decode_responses=True)
    try:
        room = await RoomStore(client).get(room_id)
    finally:
        await client.aclose()
    assert room is not None
    async with JanusSession(room.janus_url) as session:
        handle = await session.attach(AUDIO_PLUGIN)
        listed = await handle.request({"request": "listparticipants", "room": room.audio_room})
    for participant in listed.get("participants", []):
        if participant_of(str(participant.get("display", ""))) is not None:
            return bool(participant.get("muted"))
    return None


def colour_of(rgb: tuple[float, float, float] | None) -> str | None:
    return None if rgb is None else closest_colour_name(rgb)


async def test_a_guest_joins_two_bridged_meetings_from_the_browser(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        _services, api, people, bots, room = await _room_with_people(
            stack, tmp_path, playwright, lab_media_dir, ["ann", "bob"]
        )
        ann, bob = people["ann"], people["bob"]
        await eventually(lambda: hears(ann, PEOPLE["bob"][0]))  # bridged before the guest
        page = await _join_as_guest(stack, api, room, playwright, lab_media_dir)

        for person in (ann, bob):
            await eventually(lambda p=person: hears(p, GUEST_TONE))
        # Each bot's camera: the other meeting's stage, then the guest's picture.
        for person, other in ((ann, "bob"), (bob, "ann")):

            async def guest_beside_other(p: SimulatedPerson = person, o: str = other) -> bool:
                shown = f"to{p.name}"
                left = colour_of(await p.seen_colour(shown, LEFT))
                right = colour_of(await p.seen_colour(shown, RIGHT))
                return left == colour_of(PEOPLE[o][1]) and right == "green"

            await eventually(guest_beside_other)
        await eventually(lambda: hears_tones(page, PEOPLE["ann"][0], PEOPLE["bob"][0]))
        for name in ("ann", "bob"):

            async def guest_sees(n: str = name) -> bool:
                return colour_of(await sees_colour(page, bots[n])) == colour_of(PEOPLE[n][1])

            await eventually(guest_sees)

        await page.click("#leave")
        await phase(page, "left")
        for person in (ann, bob):

            async def guest_gone(p: SimulatedPerson = person) -> bool:
                return not await hears(p, GUEST_TONE, 0.5)

            await eventually(guest_gone, 15)
        assert await hears(ann, PEOPLE["bob"][0])  # the meetings stay bridged


async def test_a_guest_joins_a_room_of_one_meeting(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    """Someone with no vendor app joins one meeting through its bot, mutes and unmutes,
    and turns the camera off and on again."""
    async with contextlib.AsyncExitStack() as stack:
        services, api, people, bots, room = await _room_with_people(
            stack, tmp_path, playwright, lab_media_dir, ["ann"]
        )
        ann = people["ann"]
        page = await _join_as_guest(stack, api, room, playwright, lab_media_dir)
        await eventually(lambda: hears(ann, GUEST_TONE))

        async def ann_sees_the_guest() -> bool:
            return colour_of(await ann.seen_colour("toann", WHOLE)) == "green"

        await eventually(ann_sees_the_guest)
        await eventually(lambda: hears_tones(page, PEOPLE["ann"][0]))

        async def guest_sees_ann() -> bool:
            return colour_of(await sees_colour(page, bots["ann"])) == "red"

        await eventually(guest_sees_ann)

        # Mute: the meeting stops hearing the guest (the browser sends silence and the
        # AudioBridge has them muted); Unmute, from the keyboard: heard again.
        mute = page.get_by_role("button", name="Mute")
        await mute.click()
        await expect(mute).to_have_attribute("aria-pressed", "true")

        async def ann_hears_no_guest() -> bool:
            return not await hears(ann, GUEST_TONE, 0.5)

        await eventually(ann_hears_no_guest, 10)
        assert await muted_in_audio_bridge(services, room["id"]) is True
        await mute.focus()
        await page.keyboard.press("Space")
        await expect(mute).to_have_attribute("aria-pressed", "false")
        await eventually(lambda: hears(ann, GUEST_TONE), 10)
        assert await muted_in_audio_bridge(services, room["id"]) is False

        # Camera off: the bot's camera no longer shows the guest's green (a picture of
        # their name instead); on again: green.
        camera = page.get_by_role("button", name="Camera off")
        await camera.click()
        await expect(camera).to_have_attribute("aria-pressed", "true")

        async def ann_sees(colour: str) -> bool:
            return colour_of(await ann.seen_colour("toann", WHOLE)) == colour

        await eventually(lambda: ann_sees("black"), 10)
        await expect(page.locator("#self-caption")).to_have_text("You · camera off")
        await screenshot(page, "join_page", "3-camera-off")
        await camera.focus()
        await page.keyboard.press("Enter")
        await expect(camera).to_have_attribute("aria-pressed", "false")
        await eventually(lambda: ann_sees("green"), 10)
