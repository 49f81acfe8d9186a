"""One `run_bot` job: the bot, plus its ties to Redis.

Around the Bot itself it runs: a lease (the bot runs at most once, anywhere), a
heartbeat (so the orchestrator notices a dead worker), a reader of the bot's
command stream (leave, screenshot), a watcher of the worker's shutdown, and a
publisher that turns every lifecycle change into a stored state and an event,
in order.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import uuid
from dataclasses import dataclass

import structlog
from playwright.async_api import Playwright
from redis.exceptions import RedisError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_fixed

from bridge_worker.auto_leave import with_limits
from bridge_worker.bot import Bot
from bridge_worker.bot_devices import DevicesSource, bot_devices, signed_in
from bridge_worker.capture.screen import grab, png
from bridge_worker.room_link import RoomLink
from bridge_worker.settings import WorkerSettings
from bridge_worker.warm_pool import WarmPool
from meetbridge.bot_commands import BotCommand, Command, CommandChannel
from meetbridge.bot_replies import ReplyChannel
from meetbridge.invites import RoomGuests
from meetbridge.lifecycle import BotState, FailureReason, StateChange
from meetbridge.records import BotRecord
from meetbridge.redis_client import connect
from meetbridge.room_store import RoomStore
from meetbridge.store import BotStore, TransitionResult
from meetbridge.tasks import stopped
from meetbridge.vendor_sessions import (
    SessionCipher,
    SessionUnreadableError,
    StorageState,
    VendorSessionStore,
)
from vendor_scripts.base import MeetingRequest, VendorClient
from vendor_scripts.registry import load_client
from vendor_scripts.sign_in import vendor_part

log = structlog.get_logger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"
BOT_NAMES_REFRESH_S = 15.0
HELPERS_CANCEL_AGAIN_S = 2.0  # the helpers' own cleanups are quick (a seat's is shielded)


@dataclass(frozen=True)
class _RoomAccess:
    """What a bot's room link reads: the rooms, and who is in them from a browser."""

    store: RoomStore
    guests: RoomGuests


class StatePublisher:
    """Stores the bot's state changes in order (the lifecycle's listeners are sync)."""

    def __init__(self, store: BotStore, bot_id: str):
        self.store, self.bot_id = store, bot_id
        self._changes: asyncio.Queue[StateChange | None] = asyncio.Queue()
        self.refused = asyncio.Event()  # the stored bot moved on without us

    def push(self, change: StateChange) -> None:
        self._changes.put_nowait(change)

    async def run(self) -> None:
        while (change := await self._changes.get()) is not None:
            result = await self._store_change(change)
            if not result.applied:
                log.warning(
                    "stored state moved on",
                    bot_id=self.bot_id,
                    stored=result.previous,
                    wanted=change.new,
                )
                self.refused.set()

    async def _store_change(self, change: StateChange) -> TransitionResult:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(RedisError),
            wait=wait_fixed(1),
            stop=stop_after_delay(60),
            reraise=True,
        ):
            with attempt:
                return await self.store.transition(
                    self.bot_id,
                    change.new,
                    reason=change.reason,
                    detail=change.detail,
                    at=change.at,
                )
        raise AssertionError("unreachable")

    async def close(self) -> None:
        self._changes.put_nowait(None)


class BotJob:
    def __init__(
        self,
        bot_id: str,
        settings: WorkerSettings,
        shutting_down: threading.Event,
        playwright: Playwright,
        pool: WarmPool | None = None,
    ):
        self.bot_id, self.settings, self.shutting_down = bot_id, settings, shutting_down
        self.playwright, self.pool = playwright, pool
        self._room: RoomLink
        self.lease_token = f"{WORKER_NAME}:{uuid.uuid4().hex}"

    async def run(self) -> None:
        redis = connect(self.settings.redis_url)
        store = BotStore(redis)
        ttl_ms = int(self.settings.lease_ttl_s * 1000)
        try:
            if not await store.acquire_lease(self.bot_id, self.lease_token, ttl_ms):
                log.warning("bot already running elsewhere; job dropped", bot_id=self.bot_id)
                return
            sessions = VendorSessionStore(redis, SessionCipher(self.settings.session_key))
            try:
                await self._run_leased(
                    store,
                    _RoomAccess(RoomStore(redis), RoomGuests(redis)),
                    CommandChannel(redis),
                    ReplyChannel(redis),
                    sessions,
                )
            finally:
                await store.release_lease(self.bot_id, self.lease_token)
        finally:
            await redis.aclose()

    async def _run_leased(
        self,
        store: BotStore,
        rooms: _RoomAccess,
        commands: CommandChannel,
        replies: ReplyChannel,
        sessions: VendorSessionStore,
    ) -> None:
        record = await store.get(self.bot_id)
        if record is None or record.state is not BotState.QUEUED:
            log.info("job skipped", bot_id=self.bot_id, state=record and record.state)
            return
        try:
            sign_in = await self._sign_in(sessions, store, record)
        except SessionUnreadableError as exc:
            log.error("stored sign-in unreadable; bot not started", bot_id=self.bot_id)
            await store.transition(
                self.bot_id, BotState.FAILED, reason=FailureReason.INTERNAL_ERROR, detail=str(exc)
            )
            return
        request = MeetingRequest(record.meeting_url, record.display_name, record.passcode)
        client = load_client(record.vendor)
        prepared = self.pool.take(record.vendor) if self.pool else None
        if sign_in is not None:
            prepared = self._signed_in(prepared, client, sign_in)
        other_bots: set[str] = set()
        bot = Bot(
            self.bot_id,
            request,
            client,
            with_limits(self.settings, record.auto_leave),
            self.playwright,
            prepared,
            is_bot=lambda name: name in other_bots,
        )
        publisher = StatePublisher(store, self.bot_id)
        bot.lifecycle.listeners.append(publisher.push)
        room = RoomLink(store, rooms.store, bot, rooms.guests)
        bot.lifecycle.listeners.append(lambda _change: room.wake.set())
        self._room = room
        helpers = [
            asyncio.create_task(publisher.run()),
            asyncio.create_task(room.run()),
            asyncio.create_task(self._heartbeat(store, bot, publisher)),
            asyncio.create_task(self._commands(commands, replies, bot)),
            asyncio.create_task(self._watch_shutdown(bot)),
            asyncio.create_task(self._follow_bot_names(store, record.display_name, other_bots)),
        ]
        try:
            await bot.run()
        finally:
            await publisher.close()
            try:
                await asyncio.wait_for(asyncio.shield(helpers[0]), 10)  # the last states out
            finally:  # also when the publisher could not drain: the others end regardless
                await stopped(*helpers[1:], again_after_s=HELPERS_CANCEL_AGAIN_S)

    async def _sign_in(
        self, sessions: VendorSessionStore, store: BotStore, record: BotRecord
    ) -> StorageState | None:
        """The key's stored sign-in for the bot's vendor (only what belongs to the
        vendor's sites), noted on the bot; None: the bot joins as a guest."""
        loaded = await sessions.load(record.key_id, record.vendor)
        if loaded is None:
            return None
        session, state = loaded
        await store.mark_signed_in(self.bot_id)
        log.info("bot signs in", bot_id=self.bot_id, session_id=session.id)  # never its values
        return vendor_part(state, record.vendor, lab_hosts=self.settings.lab_hosts)

    def _signed_in(
        self, prepared: DevicesSource | None, client: VendorClient, state: StorageState
    ) -> DevicesSource:
        """The bot's devices (warm ones too: a browser has opened nothing yet) with the
        sign-in put into its browser."""
        source = prepared or bot_devices(self.settings, self.playwright, self.bot_id, client)
        return signed_in(source, state)

    async def _heartbeat(self, store: BotStore, bot: Bot, publisher: StatePublisher) -> None:
        while True:
            try:
                await self._beat(store, bot)
            except RedisError as exc:  # Redis restarting: the next beat retries
                log.warning("heartbeat failed", bot_id=self.bot_id, error=type(exc).__name__)
            if publisher.refused.is_set():
                bot.request_leave()
            await asyncio.sleep(self.settings.heartbeat_interval_s)

    async def _beat(self, store: BotStore, bot: Bot) -> None:
        where = {}
        if bot.devices is not None:
            where = {"display": bot.devices.display.name, "audio_server": bot.devices.audio.server}
        await store.heartbeat(self.bot_id, WORKER_NAME, **where)
        ttl_ms = int(self.settings.lease_ttl_s * 1000)
        if not await store.renew_lease(self.bot_id, self.lease_token, ttl_ms):
            # Lapsed (Redis was away too long, or lost its data): take it again if free.
            if not await store.acquire_lease(self.bot_id, self.lease_token, ttl_ms):
                log.error("lease held by another run; leaving", bot_id=self.bot_id)
                bot.request_leave()

    async def _follow_bot_names(self, store: BotStore, own: str, names: set[str]) -> None:
        """Keep `names` the other running bots' display names (refreshed now and then:
        bots come and go slowly, and a wrong guess only delays leaving by itself)."""
        while True:
            try:
                current = await store.running_bot_names()
            except RedisError as exc:
                log.warning("bot names not read", bot_id=self.bot_id, error=type(exc).__name__)
            else:
                names.clear()
                names.update(current - {own})
            await asyncio.sleep(BOT_NAMES_REFRESH_S)

    async def _watch_shutdown(self, bot: Bot) -> None:
        # Polled, not awaited in a thread: a thread blocked on the event would keep
        # asyncio.run() from returning (it joins its executor's threads).
        while not self.shutting_down.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.25)
        log.info("worker shutting down; leaving", bot_id=self.bot_id)
        bot.request_leave()

    async def _commands(self, commands: CommandChannel, replies: ReplyChannel, bot: Bot) -> None:
        async for command in commands.follow(self.bot_id):
            await self._handle(replies, bot, command)

    async def _handle(self, replies: ReplyChannel, bot: Bot, command: Command) -> None:
        if command.kind is BotCommand.LEAVE:
            log.info("leave command", bot_id=self.bot_id)
            bot.request_leave()
        elif command.kind is BotCommand.ROOM:
            self._room.wake.set()
        elif command.kind is BotCommand.SCREENSHOT and bot.devices is not None:
            image = await asyncio.to_thread(grab, bot.devices.display.name)
            await replies.send(self.bot_id, command.request_id, await asyncio.to_thread(png, image))
        else:
            log.warning("unknown or untimely command", bot_id=self.bot_id, command=command.raw)
