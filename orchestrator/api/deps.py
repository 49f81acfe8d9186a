"""FastAPI dependencies: the channels to Redis, settings, the queue, and the caller's key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from meetbridge.bot_commands import CommandChannel
from meetbridge.bot_replies import ReplyChannel
from meetbridge.invites import InviteStore
from meetbridge.records import BotRecord
from meetbridge.store import BotStore
from meetbridge.vendor_sessions import VendorSessionStore
from orchestrator.events import EventLog
from orchestrator.janus_proxy import JanusProxy
from orchestrator.keys import ApiKey, KeyCache
from orchestrator.queue import JobQueue
from orchestrator.rooms import Rooms
from orchestrator.settings import OrchestratorSettings

T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="An API key from `meetbridge keys create`")


def _app_state(name: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency handing out what the app's lifespan made and kept as `name`.

    `async def` on purpose: FastAPI runs plain `def` dependencies in a thread pool, a
    thread hop per request that costs milliseconds under load.
    """

    async def dependency(request: Request) -> T:
        value = getattr(request.app.state, name)
        assert isinstance(value, kind)
        return value

    return dependency


StoreDep = Annotated[BotStore, Depends(_app_state("store", BotStore))]
SettingsDep = Annotated[OrchestratorSettings, Depends(_app_state("settings", OrchestratorSettings))]
QueueDep = Annotated[JobQueue, Depends(_app_state("queue", JobQueue))]
CommandsDep = Annotated[CommandChannel, Depends(_app_state("commands", CommandChannel))]
RepliesDep = Annotated[ReplyChannel, Depends(_app_state("replies", ReplyChannel))]
RoomsDep = Annotated[Rooms, Depends(_app_state("rooms", Rooms))]
EventsDep = Annotated[EventLog, Depends(_app_state("events", EventLog))]
InvitesDep = Annotated[InviteStore, Depends(_app_state("invites", InviteStore))]
JanusProxyDep = Annotated[JanusProxy, Depends(_app_state("janus_proxy", JanusProxy))]
VendorSessionsDep = Annotated[
    VendorSessionStore, Depends(_app_state("vendor_sessions", VendorSessionStore))
]


async def _current_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    cache: KeyCache = request.app.state.key_cache
    key = await cache.authenticate(credentials.credentials) if credentials else None
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid API key is required (Authorization: Bearer <key>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return key


KeyDep = Annotated[ApiKey, Depends(_current_key)]


async def own_bot(bot_id: str, store: StoreDep, key: KeyDep) -> BotRecord:
    """The caller's bot, or 404 (also for another key's bot: its existence is not told)."""
    record = await store.get(bot_id) if len(bot_id) <= 64 else None
    if record is None or record.key_id != key.key_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no bot {bot_id[:64]!r}")
    return record


OwnBotDep = Annotated[BotRecord, Depends(own_bot)]
