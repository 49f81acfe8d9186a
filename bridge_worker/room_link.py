"""Keeps a running bot's room seat in line with what Redis says about its room.

Woken by the worker's `room` command (the orchestrator sends one whenever the
room changes) and by the bot's own state changes: the seat exists only while the
bot is in its meeting and in an open room, with the room's other live members as
its sources. A change of sources rebuilds the seat (a short gap, not a glitch loop).
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from bridge_worker.bot import Bot
from bridge_worker.wiring.seat import RoomSeat, room_seat
from meetbridge.janus_rooms import RoomMedia
from meetbridge.lifecycle import TERMINAL_STATES, BotState
from meetbridge.store import BotStore

log = structlog.get_logger(__name__)


class RoomLink:
    def __init__(self, store: BotStore, bot: Bot):
        self.store, self.bot = store, bot
        self.wake = asyncio.Event()
        self._seat: contextlib.AsyncExitStack | None = None
        self._room_seat: RoomSeat | None = None
        self._wired_as: str | None = None  # the room id

    async def run(self) -> None:
        """Re-check the room each time `wake` is set, until cancelled."""
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                try:
                    await self._sync()
                except Exception as exc:  # noqa: BLE001 - report, and try again when woken
                    log.warning("room seat failed", bot_id=self.bot.bot_id, error=str(exc)[:200])
                    await self._close()
                    await self.store.set_room_status(self.bot.bot_id, f"error: {exc}"[:200])
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
        await self.store.set_room_status(self.bot.bot_id, "wired")
        log.info(
            "bot wired into room", bot_id=self.bot.bot_id, room_id=room_id, sources=len(sources)
        )

    async def _close(self) -> None:
        seat, self._seat, self._room_seat, self._wired_as = self._seat, None, None, None
        if seat is not None:
            await seat.aclose()
            with contextlib.suppress(Exception):
                await self.store.set_room_status(self.bot.bot_id, "")
