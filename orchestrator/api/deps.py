"""FastAPI dependencies: the store, settings, the queue, and the caller's API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from meetbridge.records import BotRecord
from meetbridge.store import BotStore
from orchestrator.keys import ApiKey, KeyCache
from orchestrator.queue import JobQueue
from orchestrator.settings import OrchestratorSettings

_bearer = HTTPBearer(auto_error=False, description="An API key from `meetbridge keys create`")


async def _store(request: Request) -> BotStore:
    store: BotStore = request.app.state.store
    return store


async def _settings(request: Request) -> OrchestratorSettings:
    settings: OrchestratorSettings = request.app.state.settings
    return settings


async def _queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.queue
    return queue


# Dependencies are `async def` on purpose: FastAPI runs plain `def` ones in a thread
# pool, a thread hop per request that costs milliseconds under load.
StoreDep = Annotated[BotStore, Depends(_store)]
SettingsDep = Annotated[OrchestratorSettings, Depends(_settings)]
QueueDep = Annotated[JobQueue, Depends(_queue)]


async def _current_key(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    cache: KeyCache = request.app.state.key_cache
    key = await cache.authenticate(store.redis, credentials.credentials) if credentials else None
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
