"""When a test runs too long, print every pending asyncio task's stack.

pytest's faulthandler_timeout dumps threads, but a hung async test shows only its
event loop idling in select(); what it waits on is a coroutine. So this prints the
coroutine stacks a little earlier, to a copy of the real stderr (pytest's output
capture would hold it back until the test ends, which a hung test never does).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
from collections.abc import Generator

import pytest

DUMP_AFTER_S = 200.0  # before faulthandler_timeout (240 s) dumps the threads
_FD_KEY = pytest.StashKey[int]()


def pytest_configure(config: pytest.Config) -> None:
    stderr = sys.stderr if hasattr(sys.stderr, "fileno") else sys.__stderr__
    try:
        fileno = stderr.fileno()
    except (AttributeError, ValueError, OSError):
        fileno = 2
    config.stash[_FD_KEY] = os.dup(fileno)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _FD_KEY in config.stash:
        os.close(config.stash[_FD_KEY])
        del config.stash[_FD_KEY]


def pending_task_stacks() -> str:
    """Every pending asyncio task (of any loop) with its coroutine stack."""
    tasks = [obj for obj in gc.get_objects() if isinstance(obj, asyncio.Task) and not obj.done()]
    lines = [f"{len(tasks)} pending asyncio tasks"]
    for task in tasks:
        lines.append(f"--- {task.get_name()}")
        lines.extend(f"    {where}" for where in await_chain(task.get_coro()))
    return "\n".join(lines) + "\n"


def await_chain(coro: object) -> list[str]:
    """Where `coro` waits, outermost first, following what each frame awaits
    (Task.get_stack shows a coroutine's own frame only)."""
    chain = []
    while coro is not None and len(chain) < 50:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            chain.append(repr(coro))
            break
        chain.append(f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return chain


def _dump(fd: int, nodeid: str) -> None:
    text = f"\n=== {nodeid} still running after {DUMP_AFTER_S:.0f} s: " + pending_task_stacks()
    os.write(fd, text.encode(errors="replace"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    timer = threading.Timer(DUMP_AFTER_S, _dump, args=(item.config.stash[_FD_KEY], item.nodeid))
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()
