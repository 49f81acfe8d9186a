"""Draining a worker, as a pod's preStop hook does before scale-in: it takes no more
jobs (another worker does), and the drain returns once its bots have ended."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import psutil
import pytest
import redis.asyncio as aioredis

from lab.meeting import LabMeeting
from lab.stack import Stack, running_stack
from meetbridge.records import bot_key
from tests.integration.test_worker_resilience import _join

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


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
