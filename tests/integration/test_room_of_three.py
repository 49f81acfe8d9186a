"""Three meetings in one room: each person hears both others; one leaves, two go on."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.room_scene import eventually, hears, room_scene

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

TONES = {"ann": 440.0, "bob": 1000.0, "cat": 1500.0}


@pytest.mark.parametrize("relay", ["devices", "encoded"])
async def test_three_meetings_hear_both_others(
    tmp_path: Path, playwright, lab_media_dir: Path, relay: str
) -> None:
    """With the encoded relay, each bot's page sends both other meetings at once: the
    two speaking streams are decoded, mixed and encoded in the worker."""
    people = {name: (freq, (200, 0, 0)) for name, freq in TONES.items()}
    three_slots = {
        "MEETBRIDGE_WORKER_CONCURRENCY": "3",
        "MEETBRIDGE_WARM_POOL_SIZE": "0",
        "MEETBRIDGE_AUDIO_RELAY": relay,
    }
    async with room_scene(tmp_path, playwright, lab_media_dir, people, env=three_slots) as scene:
        api, bots = scene.api, scene.bots
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()
        for name, person in scene.people.items():
            for other, freq in TONES.items():
                if other != name:
                    await eventually(lambda p=person, f=freq: hears(p, f))
            assert not await hears(person, TONES[name])  # never their own echo

        async def relayed() -> bool:
            members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
            media = [m["media"] for m in members]
            rates_ok = relay == "devices" or all(m["relay_fps"] > 40 for m in media)
            return [m["relay"] for m in media] == [relay] * 3 and rates_ok

        await eventually(relayed, 15)

        await api.delete(f"/v1/rooms/{room['id']}/bots/{bots['cat']}")

        async def cat_gone() -> bool:
            return not await hears(scene.people["ann"], TONES["cat"], 0.5)

        await eventually(cat_gone, 10)
        # The other two go on (a second's dip while the seats adjust is allowed).
        await eventually(lambda: hears(scene.people["ann"], TONES["bob"]), 10)
        await eventually(lambda: hears(scene.people["bob"], TONES["ann"]), 10)
