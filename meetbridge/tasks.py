"""Stopping asyncio tasks the way every owner of a background task must: cancel, then
wait until each has finished (its own cleanup included), whatever it raised."""

from __future__ import annotations

import asyncio


async def stopped(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
