"""Keeps a running bot's room seat in line with what Redis says about its room.

Woken by the worker's `room` command (the orchestrator sends one whenever the
room changes), by the bot's own state changes, and every few seconds: the seat
exists only while the bot is in its meeting and in an open room, with the room's
other live members as its sources. The path (same host or Janus) follows from
where the members run (`meetbridge/room_plan.py`); a change of path rebuilds the seat (a
short gap), a change of sources only adds or drops those sources.
While seated, it reports every few seconds what flows (`SeatMedia`, for the API).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import structlog

from bridge_worker.bot import Bot
from bridge_worker.browser.receive_buffers import (
    ReceiveTotals,
    mean_receive_delays,
    receive_totals,
)
from bridge_worker.wiring.seat import RoomSeat, room_seat
from bridge_worker.wiring.seat_health import SeatCounters, seat_media
from bridge_worker.wiring.seat_io import SeatDevices, Source
from meetbridge.invites import RoomGuests
from meetbridge.janus_rooms import RoomMedia
from meetbridge.lifecycle import BotState
from meetbridge.records import BotRecord, SeatMedia, now
from meetbridge.room_plan import Path, members_of, plan_room
from meetbridge.room_store import RoomStore
from meetbridge.store import BotStore

log = structlog.get_logger(__name__)
REPORT_INTERVAL_S = 2.0


@dataclass(frozen=True)
class Wanted:
    """The seat the bot should have now."""

    media: RoomMedia
    room_id: str
    path: Path
    sources: tuple[Source, ...]

    @property
    def key(self) -> tuple[str, Path]:
        return (self.room_id, self.path)


def seat_devices(bot: Bot) -> SeatDevices:
    """What a seat gets of a running bot: its devices, and where the vendor's stage is."""
    devices = bot.devices
    if devices is None:
        raise RuntimeError(f"bot {bot.bot_id} is not running")
    return SeatDevices(
        bot.bot_id, devices.audio, devices.feed, devices.display.name, bot.stage_box, bot.relay
    )


class RoomLink:
    def __init__(self, store: BotStore, rooms: RoomStore, bot: Bot, guests: RoomGuests):
        self.store, self.rooms, self.bot, self.guests = store, rooms, bot, guests
        self.wake = asyncio.Event()
        self._seat: contextlib.AsyncExitStack | None = None
        self._room_seat: RoomSeat | None = None
        self._wired_as: tuple[str, Path] | None = None  # the room id and path
        # when the seat last reported, its counters and its page's receive totals then
        self._reported: tuple[float, SeatCounters, ReceiveTotals] | None = None

    async def run(self) -> None:
        """Re-check the room when `wake` is set, and every few seconds (members'
        devices and hosts appear as they join); report the seat's media each time."""
        try:
            while True:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a
                # cancellation that comes as `wake` is set (see meetbridge.tasks.stopped).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(REPORT_INTERVAL_S):
                        await self.wake.wait()
                woken = self.wake.is_set()
                self.wake.clear()
                try:
                    await self._sync()
                except Exception as exc:  # noqa: BLE001 - report, and try again soon
                    log.warning("room seat failed", bot_id=self.bot.bot_id, error=str(exc)[:200])
                    await self._close()
                    failed = SeatMedia(status="error", error=str(exc)[:200], updated_at=now())
                    await self.rooms.report_seat(self.bot.bot_id, failed)
                    continue
                if not woken:
                    await self._report()
        finally:
            await asyncio.shield(self._close())

    async def _wanted(self) -> Wanted | None:
        if self.bot.lifecycle.state is not BotState.IN_MEETING or self.bot.devices is None:
            return None
        me = self.bot.bot_id
        record = await self.store.get(me)
        room = await self.rooms.get(record.room_id) if record and record.room_id else None
        if record is None or room is None or room.closed or me not in room.members:
            return None
        records: dict[str, BotRecord | None] = {
            member: record if member == me else await self.store.get(member)
            for member in room.members
        }
        guests = [guest.invite_id for guest in await self.guests.of_room(room.id)]
        forced = self.bot.settings.room_path
        plan = plan_room(
            members_of(room, records, guests),
            force_path=None if forced == "auto" else Path(forced),
        )
        sources = []
        for source in plan.sources_for(me):
            other = records.get(source)
            if other is None:  # a person in a browser: heard in the AudioBridge, seen there
                sources.append(Source(source, in_browser=True))
                continue
            in_process = bool(record.worker) and other.worker == record.worker
            sources.append(Source(source, other.audio_server, in_process))
        return Wanted(RoomMedia.of_room(room), room.id, plan.path, tuple(sources))

    async def _sync(self) -> None:
        wanted = await self._wanted()
        seat = self._room_seat
        if wanted is not None and seat is not None and self._wired_as == wanted.key:
            await seat.set_sources(wanted.sources)  # same room and path: only sources change
            return
        await self._close()
        if wanted is None:
            return
        stack = contextlib.AsyncExitStack()
        try:
            seat = await stack.enter_async_context(
                room_seat(
                    seat_devices(self.bot),
                    wanted.media,
                    wanted.sources,
                    wanted.path,
                    receive_prefetch=self.bot.settings.room_receive_prefetch,
                )
            )
        except BaseException:
            await asyncio.shield(stack.aclose())
            raise
        self._seat, self._room_seat, self._wired_as = stack, seat, wanted.key
        self._reported = None
        await self._report()
        log.info(
            "bot wired into room",
            bot_id=self.bot.bot_id,
            room_id=wanted.room_id,
            path=str(wanted.path),
            sources=len(wanted.sources),
        )

    async def _report(self) -> None:
        """Write the seat's rates since the last report (the first one says 0: starting)."""
        seat = self._room_seat
        if seat is None:
            return
        at, counters = time.monotonic(), seat.counters.snapshot()
        devices = self.bot.devices
        received = await receive_totals(devices.page) if devices is not None else {}
        before_at, before, received_before = self._reported or (at, counters, received)
        self._reported = (at, counters, received)
        media = seat_media(before, counters, at - before_at, seat.path, seat.sources)
        media.relay, media.relay_reason = seat.relay_state()
        media.meeting_receive = mean_receive_delays(received_before, received)
        await self.rooms.report_seat(self.bot.bot_id, media)

    async def _close(self) -> None:
        seat, self._seat, self._room_seat, self._wired_as = self._seat, None, None, None
        if seat is not None:
            await seat.aclose()
            with contextlib.suppress(Exception):
                await self.rooms.report_seat(self.bot.bot_id, None)
