"""Devices and browsers booted before a job asks for them.

Booting a bot (Xvfb, PulseAudio, Chromium) takes a while; a job that finds
a prepared set only has to open the meeting. Each set is used by one bot only and
stopped after it (a fresh profile and fresh devices for every meeting), and the
pool boots a replacement in the background. Sets are per vendor because the
browser's host rules (see browser.request_guard) are fixed at launch, and only for
vendors in use: the ones the worker is told to warm at start, and any vendor once a
bot of it has come.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence

import structlog
from playwright.async_api import Playwright

from bridge_worker.bot_devices import BotDevices, DevicesSource, bot_devices
from bridge_worker.settings import WorkerSettings
from vendor_scripts.base import VendorClient

log = structlog.get_logger(__name__)


class _Prepared:
    """One booted set, held open on its own exit stack until a bot is done with it."""

    def __init__(self, stack: contextlib.AsyncExitStack, devices: BotDevices):
        self.stack, self.devices = stack, devices

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[BotDevices]:
        try:
            yield self.devices
        finally:
            await asyncio.shield(self.stack.aclose())


class WarmPool:
    def __init__(
        self,
        settings: WorkerSettings,
        playwright: Playwright,
        vendors: Sequence[VendorClient],
        size: int,
    ):
        self.settings, self.playwright, self.size = settings, playwright, size
        self._vendors = {vendor.name: vendor for vendor in vendors}
        self._ready: dict[str, list[_Prepared]] = {vendor.name: [] for vendor in vendors}
        self._filling: set[asyncio.Task[None]] = set()

    async def start(self, vendors: Sequence[str] = ()) -> None:
        """Boot sets for `vendors` now; any other vendor gets its sets once a bot of it
        comes (each set is a browser: a worker does not hold one for every vendor)."""
        for vendor in vendors:
            if vendor in self._ready:
                self._refill(vendor)

    def take(self, vendor: str) -> DevicesSource | None:
        """A prepared set for `vendor` (to use once), or None when none is ready; either
        way the vendor's sets are refilled, so its next bot finds one."""
        ready = self._ready.get(vendor)
        if ready is None:
            return None
        prepared = ready.pop() if ready else None
        self._refill(vendor)
        return prepared.use() if prepared is not None else None

    def ready_count(self, vendor: str) -> int:
        return len(self._ready.get(vendor, []))

    def _refill(self, vendor: str) -> None:
        missing = (
            self.size
            - len(self._ready[vendor])
            - sum(1 for task in self._filling if task.get_name() == f"warm-{vendor}")
        )
        for _ in range(max(missing, 0)):
            task = asyncio.create_task(self._boot(vendor), name=f"warm-{vendor}")
            self._filling.add(task)
            task.add_done_callback(self._filling.discard)

    async def _boot(self, vendor: str) -> None:
        stack = contextlib.AsyncExitStack()
        try:
            name = f"warm-{uuid.uuid4().hex[:8]}"
            devices = await stack.enter_async_context(
                bot_devices(self.settings, self.playwright, name, self._vendors[vendor])
            )
        except BaseException as exc:
            await asyncio.shield(stack.aclose())
            if not isinstance(exc, asyncio.CancelledError):
                log.warning("warm boot failed", vendor=vendor, error=str(exc)[:200])
                return
            raise
        self._ready[vendor].append(_Prepared(stack, devices))

    async def aclose(self) -> None:
        for task in list(self._filling):
            task.cancel()
        await asyncio.gather(*self._filling, return_exceptions=True)
        for ready in self._ready.values():
            while ready:
                await ready.pop().stack.aclose()
