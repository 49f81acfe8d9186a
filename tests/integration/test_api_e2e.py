"""HTTP end to end: a key, a bot into a lab meeting, its events, its voice, its leaving."""

from __future__ import annotations

import asyncio
import io
import os
import pwd
from datetime import datetime
from pathlib import Path

import psutil
import pytest
import redis.asyncio as aioredis
from PIL import Image

from bridge_worker.devices.audio_io import playing
from bridge_worker.settings import WorkerSettings
from lab.api_client import sse_events, wait_for_state
from lab.media import make_tone_wav
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from meetbridge.lifecycle import BotState
from meetbridge.records import bot_key

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


async def test_a_bot_joins_is_heard_and_leaves_over_http(
    stack, playwright, lab_media_dir: Path, tmp_path: Path
) -> None:
    token = await stack.new_key()
    async with (
        stack.client(token) as api,
        LabMeeting() as meeting,
        SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as person,
    ):
        await person.join(meeting.url)
        events: list[dict] = []
        listening = asyncio.Event()

        async def follow() -> None:
            async with stack.client(token) as events_api:
                listening.set()
                async for event in sse_events(events_api):
                    events.append(event)

        follower = asyncio.create_task(follow())
        await listening.wait()
        await asyncio.sleep(0.5)  # the stream reads before the bot exists

        created = await api.post(
            "/v1/bots",
            json={"meeting_url": meeting.url, "display_name": "apibot", "passcode": "s3cr3t-pc"},
        )
        assert created.status_code == 202, created.text
        bot = created.json()
        assert bot["state"] == "queued" and bot["vendor"] == "janus"
        assert "passcode" not in bot and "meeting_url" not in bot

        await wait_for_state(api, bot["id"], BotState.IN_MEETING, timeout_s=60)
        await person.wait_for_participant("apibot", timeout_s=20)
        shot = await api.get(f"/v1/bots/{bot['id']}/screenshot")
        assert shot.status_code == 200 and shot.headers["content-type"] == "image/png"
        picture = Image.open(io.BytesIO(shot.content))
        assert picture.size == (1280, 720)
        assert len(picture.convert("L").getcolors(65536) or []) > 10  # a page, not blank
        assert_sandboxed_as_bot_user()
        record = await stack_record(stack, bot["id"])
        tone = make_tone_wav(tmp_path / "1000.wav", 1000.0, seconds=5)
        async with playing(record["audio_server"], "mic_in", tone):
            assert await person.heard_frequency(1.5) == pytest.approx(1000.0, abs=5)

        left = await api.delete(f"/v1/bots/{bot['id']}")
        assert left.status_code == 202
        final = await wait_for_state(api, bot["id"], BotState.ENDED, BotState.FAILED)
        assert final["state"] == "ended", final
        async with asyncio.timeout(10):
            while not any(e["state"] == "ended" for e in events):
                await asyncio.sleep(0.1)
        follower.cancel()
        seen = [e["state"] for e in events if e["bot_id"] == bot["id"]]
        assert seen[0] == "queued" and seen[-3:] == ["in_meeting", "leaving", "ended"], seen
        assert {"booting", "joining"} <= set(seen)
        await person.wait_for_participant_gone("apibot", timeout_s=20)
        listed = (await api.get("/v1/bots")).json()["bots"]
        assert [b["id"] for b in listed] == [bot["id"]]
    logs = stack.all_logs()
    assert "s3cr3t-pc" not in logs and token not in logs
    assert "in_meeting" in logs  # the logs are really there


async def stack_record(stack, bot_id: str) -> dict[str, str]:
    """The stored record (the test reads where the bot's devices are)."""
    client = aioredis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        async with asyncio.timeout(10):
            while "audio_server" not in (record := await client.hgetall(bot_key(bot_id))):
                await asyncio.sleep(0.2)
        return record
    finally:
        await client.aclose()


def assert_sandboxed_as_bot_user() -> None:
    """The worker runs as root here; its bot's Chromium must not (and keeps its sandbox)."""
    if os.geteuid() != 0:
        pytest.skip("the worker is not root here")
    bot_uid = pwd.getpwnam(WorkerSettings().bot_user).pw_uid
    browsers = [
        p
        for p in psutil.process_iter(["name", "cmdline", "uids"])
        if p.info["name"] == "chromium" and any("/mb-bot-" in a for a in p.info["cmdline"] or [])
    ]
    assert browsers
    for proc in browsers:
        assert proc.info["uids"].real == bot_uid
        assert "--no-sandbox" not in proc.info["cmdline"]


async def test_one_worker_runs_bot_after_bot(stack) -> None:
    """A finished job frees its worker slot (nothing of it lingers in the worker)."""
    token = await stack.new_key()
    async with stack.client(token) as api, LabMeeting() as meeting:
        for n in range(3):  # more jobs than the worker has threads
            created = await api.post(
                "/v1/bots", json={"meeting_url": meeting.url, "display_name": f"seq{n}"}
            )
            bot_id = created.json()["id"]
            await wait_for_state(api, bot_id, BotState.IN_MEETING, timeout_s=40)
            await api.delete(f"/v1/bots/{bot_id}")
            assert (await wait_for_state(api, bot_id, BotState.ENDED))["state"] == "ended"


async def test_a_bot_sent_with_its_own_nobody_joined_time_leaves_by_it(stack) -> None:
    """The worker would wait its default 15 minutes for a person; this bot was told 2 s."""
    assert "MEETBRIDGE_NOBODY_JOINED_TIMEOUT_S" not in stack.env
    assert WorkerSettings().nobody_joined_timeout_s >= 600
    token = await stack.new_key()
    async with stack.client(token) as api, LabMeeting() as meeting:
        created = await api.post(
            "/v1/bots",
            json={
                "meeting_url": meeting.url,
                "display_name": "briefbot",
                "auto_leave": {"nobody_joined_after_s": 2},
            },
        )
        assert created.status_code == 202, created.text
        bot = created.json()
        assert bot["auto_leave"] == {
            "everyone_left_after_s": None,
            "nobody_joined_after_s": 2.0,
            "max_duration_s": None,
        }
        await wait_for_state(api, bot["id"], BotState.IN_MEETING, timeout_s=60)
        done = await wait_for_state(api, bot["id"], BotState.ENDED, BotState.FAILED, timeout_s=30)
        assert (done["state"], done["reason"], done["detail"]) == (
            "ended",
            "nobody_joined",
            "nobody joined in 2s",
        )
        stayed = datetime.fromisoformat(done["ended_at"]) - datetime.fromisoformat(
            done["joined_at"]
        )
        assert stayed.total_seconds() < 10
