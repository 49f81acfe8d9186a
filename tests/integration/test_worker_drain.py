"""Draining a worker, as a pod's preStop hook does before scale-in: it takes no more
jobs (another worker does), and the drain returns once its bots have ended."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis.asyncio as aioredis

from lab.bots import alive
from lab.meeting import LabMeeting
from lab.room_scene import end_bots, room_stack, send_bots
from lab.stack import Stack, running_stack
from meetbridge.records import bot_key
from tests.integration.test_worker_resilience import _join

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
SIGTERM_GRACE_S = 60  # infra/k8s/base/worker.yaml: what SIGTERM's drain must fit in


async def _worker_of(stack: Stack, bot_id: str) -> str:
    """The stack's name of the worker (`worker0`, ...) running `bot_id`."""
    client = aioredis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        worker = await client.hget(bot_key(bot_id), "worker")
    finally:
        await client.aclose()
    assert worker, bot_id
    cmdline = psutil.Process(int(worker.rsplit(":", 1)[1])).cmdline()
    return cmdline[cmdline.index("--name") + 1]


async def _drain(stack: Stack, name: str, wait_s: float) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "meetbridge_cli",
        "drain",
        "--name",
        name,
        "--wait",
        str(wait_s),
        env=stack.env,
    )
    try:
        return await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_a_drained_worker_takes_no_job_and_lets_its_bot_finish(tmp_path: Path) -> None:
    async with running_stack(tmp_path, workers=2) as stack, LabMeeting() as meeting:
        token, first = await _join(stack, meeting, "first")
        drained = await _worker_of(stack, first)
        assert await _drain(stack, drained, 0) == 0

        _token, second = await _join(stack, meeting, "second")
        assert await _worker_of(stack, second) != drained  # the other worker took it

        waiting = asyncio.create_task(_drain(stack, drained, 60))
        await asyncio.sleep(4)
        assert not waiting.done()  # its bot is still in the meeting
        async with stack.client(token) as api:
            assert (await api.delete(f"/v1/bots/{first}")).status_code in (200, 202, 204)
        assert await asyncio.wait_for(waiting, 45) == 0
        assert await _drain(stack, "nobody", 0) == 1  # no such worker: said so


async def test_sigterm_to_a_worker_with_a_room_of_two_bots(tmp_path: Path) -> None:
    """The pod's SIGTERM after its grace: both bots leave their meetings, the room shows
    them gone, the worker exits in time, and another worker takes the next bot."""
    async with contextlib.AsyncExitStack() as stack:
        services, api = await stack.enter_async_context(room_stack(tmp_path, workers=1))
        meetings = {name: await stack.enter_async_context(LabMeeting()) for name in ("ann", "bob")}
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, {name: m.url for name, m in meetings.items()}, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()
        await services.start("worker1")  # the next pod, idle

        (worker0,) = [
            p for p in psutil.process_iter(["cmdline"]) if "worker0" in (p.info["cmdline"] or [])
        ]
        its_tree = [worker0, *worker0.children(recursive=True)]
        assert any(p.name() == "chromium" for p in its_tree)  # the bots' browsers
        began = time.monotonic()
        await services.stop("worker0")  # SIGTERM, then wait for it to exit
        assert time.monotonic() - began < SIGTERM_GRACE_S
        for bot_id in bots.values():
            assert (await api.get(f"/v1/bots/{bot_id}")).json()["state"] == "ended"
        assert (await api.get(f"/v1/rooms/{room['id']}")).json()["members"] == []
        for meeting in meetings.values():
            assert await meeting.janus.participants() == []
        assert alive([p.pid for p in its_tree]) == []

        next_bot: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, next_bot)
        await send_bots(api, {"ann": meetings["ann"].url}, next_bot)  # worker1 takes it
