"""Stopped tasks are stopped: also one that swallows its cancellation (Python 3.11)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from meetbridge.tasks import stopped

pytestmark = pytest.mark.unit


async def test_a_task_that_swallows_its_cancel_is_cancelled_again() -> None:
    async def swallows_once() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            pass
        await asyncio.sleep(60)

    task = asyncio.create_task(swallows_once())
    await asyncio.sleep(0)
    async with asyncio.timeout(5):
        await stopped(task, again_after_s=0.1)
    assert task.cancelled()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="wait_for raises there")
async def test_wait_for_swallows_a_cancel_that_comes_as_its_awaitable_finishes() -> None:
    """Why one cancel is not enough on 3.11 (redis-py wraps every command it sends
    in a wait_for)."""
    wake = asyncio.Event()
    ran_on = asyncio.Event()

    async def waits() -> None:
        await asyncio.wait_for(wake.wait(), 10)  # returns although cancelled
        ran_on.set()
        await asyncio.sleep(60)

    task = asyncio.create_task(waits())
    await asyncio.sleep(0)
    wake.set()
    await asyncio.sleep(0)  # wake.wait() has finished; wait_for has not resumed yet
    async with asyncio.timeout(5):
        await stopped(task, again_after_s=0.1)
    assert ran_on.is_set() and task.cancelled()


async def test_a_task_finishing_its_cleanup_is_not_cancelled_again() -> None:
    cleaned = asyncio.Event()

    async def cleans_up() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0.3)
            cleaned.set()

    task = asyncio.create_task(cleans_up())
    await asyncio.sleep(0)
    await stopped(task, again_after_s=1)
    assert cleaned.is_set() and task.cancelled()
