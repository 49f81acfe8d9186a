"""The worker's bot runtime: one event loop, in its own thread, for all of a worker's bots.

Celery runs each `run_bot` in a pool thread; the job itself runs on this loop, so
bots of one worker share one Playwright driver (memory: docs/figures.md) and can
take devices from one warm pool. The pool thread just waits for its bot.
Processes the loop starts die with it (they carry a parent-death signal), so the
loop's thread lives as long as the worker.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

import structlog
from playwright.async_api import Playwright, async_playwright

from bridge_worker.devices.runtime_dir import sweep_orphans
from bridge_worker.job import BotJob
from bridge_worker.settings import WorkerSettings
from bridge_worker.warm_pool import WarmPool
from bridge_worker.worker_memory import limit_driver_heap, limit_malloc_arenas
from vendor_scripts.registry import load_client, vendor_names

log = structlog.get_logger(__name__)


class BotRuntime:
    def __init__(self, settings: WorkerSettings, shutting_down: threading.Event):
        self.settings, self.shutting_down = settings, shutting_down
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.playwright: Playwright | None = None
        self.pool: WarmPool | None = None

    def start(self, timeout_s: float = 60) -> None:
        limit_malloc_arenas()
        limit_driver_heap(jitless=self.settings.driver_jitless)
        self._thread = threading.Thread(target=self._thread_main, name="bot-runtime", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s) or self._error is not None:
            raise RuntimeError(f"bot runtime did not start: {self._error!r}")

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to start() and logged
            self._error = exc
            self._ready.set()
            log.exception("bot runtime stopped")

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await asyncio.to_thread(sweep_orphans, self.settings.runtime_dir)
        async with async_playwright() as playwright:
            self.playwright = playwright
            vendors = [load_client(name) for name in vendor_names()]
            pool = WarmPool(self.settings, playwright, vendors, self.settings.warm_pool_size)
            self.pool = pool
            await pool.start(self.settings.warm_pool_vendors)
            self._ready.set()
            try:
                await self._stop.wait()
            finally:
                await pool.aclose()

    def run_bot(self, bot_id: str) -> None:
        """Run one bot to its end on the runtime's loop; blocks the calling thread."""
        assert self._loop is not None and self.playwright is not None
        job = BotJob(bot_id, self.settings, self.shutting_down, self.playwright, self.pool)
        future: Future[None] = asyncio.run_coroutine_threadsafe(job.run(), self._loop)
        future.result()

    def stop(self, timeout_s: float = 30) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout_s)
