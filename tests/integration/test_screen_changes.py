"""Watching a display for changes when the display goes away (a bot's Xvfb stopped
under a running stage grab): the watch says it is broken, and nothing raises in the
event loop's callbacks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bridge_worker.capture.damage import ScreenChanges
from bridge_worker.devices.display import virtual_display

pytestmark = [pytest.mark.integration]


async def test_a_display_that_goes_away_is_said_broken_quietly() -> None:
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        async with virtual_display(width=320, height=240) as display:
            changes = ScreenChanges.open(display.name)
            assert changes is not None
        assert await changes.wait(None, 5.0) is True  # woken by the broken connection
        assert changes.broken
        await asyncio.sleep(0.2)  # any further callback would have run by now
        changes.close()
    finally:
        loop.set_exception_handler(None)
    assert errors == []
