"""What every vendor client does with its page: read it with its page script, and take
the join screens' steps in order until the page says the bot is no longer joining.

A client keeps its selectors and texts in its own folder (`page.js`, `client.py`);
this module only runs them, so the loop and its bounds are the same for all vendors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Frame, FrameLocator, Page

    # Where a step's element is looked for: a page, or a frame in it.
    Scope = Page | Frame | FrameLocator

Raw = dict[str, Any]
# A join step: when the page shows this (the raw reading), do that.
JoinStep = tuple[Callable[[Raw], bool], Callable[[Raw], Awaitable[None]]]
STEP_PAUSE_S = 0.2  # between readings: the page re-renders after each step


class PageScript:
    """A vendor's page script (a JS function of one argument), evaluated in its page."""

    def __init__(self, package: str, name: str = "page.js") -> None:
        self.source = resources.files(package).joinpath(name).read_text()

    async def read(self, page: Page | Frame, argument: object = None) -> Raw:
        result: Raw = await page.evaluate(self.source, argument)
        return result


async def take_join_steps(
    read: Callable[[], Awaitable[Raw]],
    joining: Callable[[Raw], bool],
    steps: Sequence[JoinStep],
    timeout_s: float,
) -> None:
    """Until `joining` is false or `timeout_s` passes: read the page and take the first
    step whose condition holds (none: wait for the page to change)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        raw = await read()
        if not joining(raw):
            return
        for when, act in steps:
            if when(raw):
                await act(raw)
                break
        await asyncio.sleep(STEP_PAUSE_S)


ACTION_TIMEOUT_MS = 15_000  # one click or fill: the element must show within this


def click(page: Scope, selector: str) -> Callable[[Raw], Awaitable[None]]:
    """A step's action: click the first element matching `selector`."""

    async def act(_raw: Raw) -> None:
        await page.locator(selector).first.click(timeout=ACTION_TIMEOUT_MS)

    return act


def fill(page: Scope, selector: str, text: str) -> Callable[[Raw], Awaitable[None]]:
    """A step's action: type `text` into the first field matching `selector`."""

    async def act(_raw: Raw) -> None:
        await page.locator(selector).first.fill(text, timeout=ACTION_TIMEOUT_MS)

    return act
