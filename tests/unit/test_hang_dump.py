"""The hung-test dump follows a task's awaits down to where it waits."""

import asyncio

import pytest

from tests.hang_dump import pending_task_stacks

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]


async def waits_here(never: asyncio.Event) -> None:
    await never.wait()


async def calls_down(never: asyncio.Event) -> None:
    await waits_here(never)


async def test_pending_tasks_are_listed_with_their_await_chain() -> None:
    never = asyncio.Event()
    task = asyncio.create_task(calls_down(never), name="stuck-one")
    await asyncio.sleep(0)
    try:
        dump = pending_task_stacks()
    finally:
        task.cancel()
    stuck = dump.split("--- stuck-one\n", 1)[1].split("---", 1)[0]
    assert stuck.index("in calls_down") < stuck.index("in waits_here") < stuck.index("locks.py")
