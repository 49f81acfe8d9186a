"""Keeps a running bot's room seat in line with what Redis says about its room.

Woken by the worker's `room` command (the orchestrator sends one whenever the
room changes) and by the bot's own state changes: the seat exists only while the
bot is in its meeting and in an open room, with the room's other live members as
its sources. A change of sources rebuilds the seat (a short gap, not a glitch loop).
While seated, it reports every few seconds what flows (`SeatMedia`, for the API).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog

from bridge_worker.bot import Bot
from bridge_worker.wiring.plan import Path
from bridge_worker.wiring.seat import RoomSeat, room_seat
from bridge_worker.wiring.seat_health import SeatCounters, seat_media
from meetbridge.janus_rooms import RoomMedia
from meetbridge.lifecycle import TERMINAL_STATES, BotState
from meetbridge.records import SeatMedia, now
from meetbridge.store import BotStore

log = structlog.get_logger(__name__)
REPORT_INTERVAL_S = 2.0


class RoomLink:
    def __init__(self, store: BotStore, bot: Bot):
        self.store, self.bot = store, bot
        self.wake = asyncio.Event()
        self._seat: contextlib.AsyncExitStack | None = None
        self._room_seat: RoomSeat | None = None
        self._wired_as: str | None = None  # the room id
        self._reported: tuple[float, SeatCounters] | None = None

    async def run(self) -> None:
        """Re-check the room each time `wake` is set, until cancelled."""
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), REPORT_INTERVAL_S)
                if not self.wake.is_set():
                    await self._report()
                    continue
                self.wake.clear()
                try:
                    await self._sync()
                except Exception as exc:  # noqa: BLE001 - report, and try again when woken
                    log.warning("room seat failed", bot_id=self.bot.bot_id, error=str(exc)[:200])
                    await self._close()
                    failed = SeatMedia(status="error", error=str(exc)[:200], updated_at=now())
                    await self.store.set_room_status(self.bot.bot_id, failed.model_dump_json())
        finally:
            await asyncio.shield(self._close())

    async def _wanted(self) -> tuple[RoomMedia, str, tuple[str, ...]] | None:
        if self.bot.lifecycle.state is not BotState.IN_MEETING or self.bot.devices is None:
            return None
        record = await self.store.get(self.bot.bot_id)
        room = await self.store.get_room(record.room_id) if record and record.room_id else None
        if room is None or room.closed or self.bot.bot_id not in room.members:
            return None
        sources = []
        for member in room.members:
            other = await self.store.get(member) if member != self.bot.bot_id else None
            if other is not None and other.state not in TERMINAL_STATES:
                sources.append(member)
        media = RoomMedia(
            room.janus_url,
            room.audio_room,
            room.video_room,
            room.secret.get_secret_value(),
            room.prebuffer,
        )
        return media, room.id, tuple(sources)

    async def _sync(self) -> None:
        wanted = await self._wanted()
        if wanted is not None and wanted[1] == self._wired_as and self._room_seat is not None:
            await self._room_seat.set_sources(wanted[2])  # same room: only sources change
            return
        await self._close()
        if wanted is None:
            return
        media, room_id, sources = wanted
        stack = contextlib.AsyncExitStack()
        try:
            seat = await stack.enter_async_context(room_seat(self.bot, media, list(sources)))
        except BaseException:
            await asyncio.shield(stack.aclose())
            raise
        self._seat, self._room_seat, self._wired_as = stack, seat, room_id
        self._reported = None
        await self._report()
        log.info(
            "bot wired into room", bot_id=self.bot.bot_id, room_id=room_id, sources=len(sources)
        )

    async def _report(self) -> None:
        """Write the seat's rates since the last report (the first one says 0: starting)."""
        seat = self._room_seat
        if seat is None:
            return
        at, counters = time.monotonic(), seat.counters.snapshot()
        before_at, before = self._reported or (at, counters)
        self._reported = (at, counters)
        media = seat_media(before, counters, at - before_at, Path.JANUS, seat.sources)
        await self.store.set_room_status(self.bot.bot_id, media.model_dump_json())

    async def _close(self) -> None:
        seat, self._seat, self._room_seat, self._wired_as = self._seat, None, None, None
        if seat is not None:
            await seat.aclose()
            with contextlib.suppress(Exception):
                await self.store.set_room_status(self.bot.bot_id, "")
