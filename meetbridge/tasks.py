"""Stopping asyncio tasks the way every owner of a background task must: cancel, then
wait until each has finished (its own cleanup included), whatever it raised."""

from __future__ import annotations

import asyncio

import structlog

log = structlog.get_logger(__name__)

# Longer than any cleanup a task does once cancelled (closing a peer connection is
# given 5 s): only a task that ran on after its cancellation is cancelled again.
CANCEL_AGAIN_AFTER_S = 10.0


async def stopped(*tasks: asyncio.Task[None], again_after_s: float = CANCEL_AGAIN_AFTER_S) -> None:
    """Cancel `tasks` and wait until all have finished; any still running
    `again_after_s` after its cancel is cancelled again (and again).

    One cancel is not always enough on Python 3.11: asyncio.wait_for, cancelled in the
    very turn of the loop in which what it waits for finishes, returns that result
    instead of raising CancelledError (fixed in 3.12). redis-py wraps every command it
    sends in one, so a loop that talks to Redis can swallow its cancellation and run
    on: its owner would wait for it for ever (a worker's bot job, and with it the
    worker's warm shutdown, until the worker is killed)."""
    for task in tasks:
        task.cancel()
    pending = {task for task in tasks if not task.done()}
    while pending:
        _done, pending = await asyncio.wait(pending, timeout=again_after_s)
        for task in pending:
            log.warning(
                "task ran on after its cancellation; cancelling again", task=task.get_name()
            )
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
