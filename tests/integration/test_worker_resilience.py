"""A bot never runs twice, and a worker's death or shutdown is always accounted for."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import psutil
import pytest

from lab.api_client import wait_for_state
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.stack import running_stack
from meetbridge.lifecycle import BotState
from orchestrator.queue import JobQueue

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def bot_browsers() -> list[psutil.Process]:
    """Bot Chromium main processes (their profile lives in a per-bot folder)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        args = proc.info["cmdline"] or []
        if (
            proc.info["name"] == "chromium"
            and any("/mb-bot-" in a for a in args)
            and not any(a.startswith("--type=") for a in args)
        ):
            found.append(proc)
    return found


async def _join(stack, meeting: LabMeeting, name: str) -> tuple[str, str]:
    token = await stack.new_key()
    async with stack.client(token) as api:
        created = await api.post(
            "/v1/bots", json={"meeting_url": meeting.url, "display_name": name}
        )
        assert created.status_code == 202, created.text
        bot_id = created.json()["id"]
        await wait_for_state(api, bot_id, BotState.IN_MEETING, timeout_s=60)
    return token, bot_id


async def test_a_job_delivered_again_does_not_start_a_second_bot(
    tmp_path: Path, playwright, lab_media_dir: Path
) -> None:
    async with running_stack(tmp_path, workers=0) as stack:
        stack.env["MEETBRIDGE_VISIBILITY_TIMEOUT_S"] = "2"
        stack.env["MEETBRIDGE_WARM_POOL_SIZE"] = "0"  # count only bots, not idle spares
        await stack.start("worker0")
        await stack.start("worker1")
        async with (
            LabMeeting() as meeting,
            SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as person,
        ):
            await person.join(meeting.url)
            token, bot_id = await _join(stack, meeting, "once")
            queue = JobQueue(stack.redis_url)
            try:
                await queue.enqueue_bot(bot_id)  # the same job, delivered again
            finally:
                queue.close()
            await asyncio.sleep(6)  # past the visibility timeout, twice over
            assert len(bot_browsers()) == 1
            assert (await person.participants()).count("once") == 1
            async with stack.client(token) as api:
                assert (await api.get(f"/v1/bots/{bot_id}")).json()["state"] == "in_meeting"
                await api.delete(f"/v1/bots/{bot_id}")
                await wait_for_state(api, bot_id, BotState.ENDED)
        assert "bot already running elsewhere" in stack.all_logs()


async def test_a_killed_worker_marks_its_bot_lost_and_leaves_nothing_running(
    tmp_path: Path, playwright, lab_media_dir: Path
) -> None:
    async with running_stack(tmp_path, workers=1) as stack, LabMeeting() as meeting:
        token, bot_id = await _join(stack, meeting, "doomed")
        worker_proc = stack.parts["worker0"]
        pid = next(
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if "worker0" in " ".join(p.info["cmdline"] or [])
            and "meetbridge_cli" in " ".join(p.info["cmdline"] or [])
        )
        assert bot_browsers()
        os.kill(pid, signal.SIGKILL)
        started = asyncio.get_running_loop().time()
        async with stack.client(token) as api:
            bot = await wait_for_state(api, bot_id, BotState.FAILED, timeout_s=25)
        assert bot["reason"] == "worker_lost"
        assert asyncio.get_running_loop().time() - started < 20
        async with asyncio.timeout(15):
            while bot_browsers():
                await asyncio.sleep(0.2)
        del worker_proc


async def test_sigterm_makes_the_bot_leave_and_end(tmp_path: Path) -> None:
    async with running_stack(tmp_path, workers=1) as stack, LabMeeting() as meeting:
        token, bot_id = await _join(stack, meeting, "polite")
        await stack.stop("worker0")  # SIGTERM to the worker, then wait for it
        async with stack.client(token) as api:
            bot = (await api.get(f"/v1/bots/{bot_id}")).json()
        assert bot["state"] == "ended", bot
        assert not bot_browsers()
        assert (await meeting.janus.participants()) == []


async def test_restarting_redis_and_the_api_loses_no_bot(tmp_path: Path) -> None:
    async with running_stack(tmp_path, workers=1) as stack, LabMeeting() as meeting:
        token, bot_id = await _join(stack, meeting, "steady")
        await stack.start("redis")  # stop, then start again on the same files and port
        await stack.start("api")
        async with stack.client(token) as api:
            bot = (await api.get(f"/v1/bots/{bot_id}")).json()
            assert bot["state"] == "in_meeting", bot
            await asyncio.sleep(3)  # heartbeats resume on the new Redis: not lost
            assert (await api.get(f"/v1/bots/{bot_id}")).json()["state"] == "in_meeting"
            await api.delete(f"/v1/bots/{bot_id}")
            assert (await wait_for_state(api, bot_id, BotState.ENDED))["state"] == "ended"
