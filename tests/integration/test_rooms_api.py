"""Rooms over HTTP: bots in two meetings put in a room make their people hear and
see each other; a bot removed from the room stops reaching the other meeting."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio as aioredis

from lab.media import closest_colour_name
from lab.room_scene import eventually, room_scene
from meetbridge.records import bot_key

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

PEOPLE = {"ann": (440.0, (220, 0, 0)), "bob": (1000.0, (0, 0, 220))}


@pytest.mark.parametrize(
    ("setting", "path", "relay"),
    [
        ("auto", "same_host", "devices"),  # one host: auto takes PulseAudio pipes
        ("auto", "same_host", "encoded"),
        ("janus", "janus", "devices"),
        ("janus", "janus", "encoded"),  # the relay's frames through the VideoRoom
    ],
)
async def test_a_room_bridges_two_meetings_and_lets_one_go(
    tmp_path: Path, playwright, lab_media_dir: Path, setting: str, path: str, relay: str
) -> None:
    env = {"MEETBRIDGE_ROOM_PATH": setting, "MEETBRIDGE_AUDIO_RELAY": relay}
    async with room_scene(tmp_path, playwright, lab_media_dir, PEOPLE, env=env) as scene:
        ann, bob, api = scene.people["ann"], scene.people["bob"], scene.api
        bots = [scene.bots["ann"], scene.bots["bob"]]
        assert await bob.heard_frequency(1.0) is None  # not bridged yet

        created = await api.post("/v1/rooms", json={"bots": bots})
        assert created.status_code == 201, created.text
        room = created.json()
        assert room["health"] == "wired" and [m["bot_id"] for m in room["members"]] == bots

        async def bob_hears_ann() -> bool:
            return await bob.heard_frequency(1.0) == pytest.approx(440.0, abs=5)

        async def ann_hears_bob() -> bool:
            return await ann.heard_frequency(1.0) == pytest.approx(1000.0, abs=5)

        async def bob_sees_red() -> bool:
            return closest_colour_name(await bob.seen_colour("tobob")) == "red"

        await eventually(bob_hears_ann)
        await eventually(ann_hears_bob)
        await eventually(bob_sees_red)

        async def media_flows() -> bool:
            return bool((await api.get(f"/v1/rooms/{room['id']}")).json()["media_flowing"])

        await eventually(media_flows)
        for member in (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]:
            media = member["media"]
            assert media["path"] == path and media["status"] == "wired", media
            assert media["relay"] == relay, media
            assert list(media["video_in_fps"]) == [b for b in bots if b != member["bot_id"]]

        async def levels_reported() -> bool:
            """Each member's meeting sends its person's steady tone (peaks at -6 dBFS):
            its level reads about -9 dBFS, on either path."""
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            levels = [member["audio_level_dbfs"] for member in members]
            return all(level is not None and -15 < level < -4 for level in levels)

        await eventually(levels_reported)

        async def receive_buffers_reported() -> bool:
            """Each bot says how long its browser held its meeting's sound and picture."""
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            held = [member["media"]["meeting_receive"] for member in members]
            return all(
                set(received) == {"audio", "video"}
                and all(0 < kind["buffer_ms"] < 5000 for kind in received.values())
                for received in held
            )

        await eventually(receive_buffers_reported)
        again = await api.post("/v1/rooms", json={"bots": [bots[0]]})
        assert again.status_code == 409  # a bot is in at most one room

        removed = await api.delete(f"/v1/rooms/{room['id']}/bots/{bots[0]}")
        assert removed.status_code == 200 and removed.json()["health"] == "degraded"
        assert removed.json()["media_flowing"] is False

        async def bob_hears_nothing() -> bool:
            return await bob.heard_frequency(0.5) is None

        # How fast (the issue asks for 2 s) is a figure for a benchmark, not a timed
        # assertion on a shared machine; here: it stops, and soon.
        await eventually(bob_hears_nothing, 10)
        closed = await api.delete(f"/v1/rooms/{room['id']}")
        assert closed.json()["closed"] is True


async def test_bots_on_two_workers_are_wired_across_them(
    tmp_path: Path, playwright, lab_media_dir: Path
) -> None:
    """Each worker has its own PulseAudio daemons and displays; the room crosses them
    on the cross-host path (forced: both workers share this host)."""
    one_slot_each = {
        "MEETBRIDGE_WORKER_CONCURRENCY": "1",
        "MEETBRIDGE_WARM_POOL_SIZE": "0",
        "MEETBRIDGE_ROOM_PATH": "janus",
    }
    async with room_scene(
        tmp_path, playwright, lab_media_dir, PEOPLE, workers=2, env=one_slot_each
    ) as scene:
        bots = list(scene.bots.values())
        client = aioredis.Redis.from_url(scene.services.redis_url, decode_responses=True)
        try:
            workers = {await client.hget(bot_key(bot_id), "worker") for bot_id in bots}
        finally:
            await client.aclose()
        assert len(workers) == 2, workers  # one bot per worker process
        assert (await scene.api.post("/v1/rooms", json={"bots": bots})).status_code == 201
        ann, bob = scene.people["ann"], scene.people["bob"]

        async def bob_hears_ann() -> bool:
            return await bob.heard_frequency(1.0) == pytest.approx(440.0, abs=5)

        async def ann_sees_blue() -> bool:
            return closest_colour_name(await ann.seen_colour("toann")) == "blue"

        await eventually(bob_hears_ann)
        await eventually(ann_sees_blue)
