"""Bot state in Redis, shared by the API and the workers.

Every state change is one atomic Lua script: it checks the lifecycle table against
the stored state, writes the new state, and appends the event to the event stream,
so a worker and the orchestrator's watchdog can never both win a race, and no
change is ever stored without its event (or the other way round).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import redis.asyncio as aioredis

from meetbridge.lifecycle import RUNNING_STATES, BotState, FailureReason, can_move
from meetbridge.records import (
    ALL_BOTS,
    EVENTS_MAXLEN,
    EVENTS_STREAM,
    BotRecord,
    bot_key,
    bots_of_key,
    lease_key,
    now,
)
from meetbridge.redis_client import connect

_TRANSITION = """
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return {0, ''} end
local allowed = cjson.decode(ARGV[1])
if not allowed[current] then return {0, current} end
local at = ARGV[5]
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated_at', at)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'detail', ARGV[4]) end
if ARGV[2] == 'in_meeting' then redis.call('HSET', KEYS[1], 'joined_at', at) end
if ARGV[2] == 'ended' or ARGV[2] == 'failed' then redis.call('HSET', KEYS[1], 'ended_at', at) end
local key_id = redis.call('HGET', KEYS[1], 'key_id')
local created = redis.call('HGET', KEYS[1], 'created_at')
local joined = redis.call('HGET', KEYS[1], 'joined_at') or ''
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], '*',
  'event_id', ARGV[6], 'type', 'bot.state', 'bot_id', ARGV[8], 'key_id', key_id,
  'old_state', current, 'state', ARGV[2], 'reason', ARGV[3], 'detail', ARGV[4],
  'at', at, 'created_at', created, 'joined_at', joined)
return {1, current}
"""

_RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


@dataclass(frozen=True)
class TransitionResult:
    applied: bool
    previous: BotState | None


class BotStore:
    """Typed access to bots, their states and events, heartbeats and leases."""

    def __init__(self, redis: aioredis.Redis):
        self._redis = redis
        self._transition = redis.register_script(_TRANSITION)
        self._release = redis.register_script(_RELEASE_LEASE)
        self._renew = redis.register_script(_RENEW_LEASE)

    @classmethod
    def from_url(cls, url: str) -> BotStore:
        """A store on a client of its own (closed by `aclose`), for tools that need
        only bot records; processes share one client among the channels instead."""
        return cls(connect(url))

    async def aclose(self) -> None:
        await self._redis.aclose()

    async def ping(self) -> None:
        """Raises when Redis does not answer."""
        await self._redis.ping()

    # -- records --------------------------------------------------------------
    async def create(self, record: BotRecord) -> None:
        score = record.created_at.timestamp()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(bot_key(record.id), mapping=record.to_redis())
            pipe.zadd(ALL_BOTS, {record.id: score})
            pipe.zadd(bots_of_key(record.key_id), {record.id: score})
            pipe.xadd(
                EVENTS_STREAM,
                _event_fields(record, BotState.QUEUED, None),
                maxlen=EVENTS_MAXLEN,
                approximate=True,
            )
            await pipe.execute()

    async def get(self, bot_id: str) -> BotRecord | None:
        data = await self._redis.hgetall(bot_key(bot_id))
        return BotRecord.from_redis(data) if data else None

    async def list_for_key(self, key_id: str, limit: int = 100) -> list[BotRecord]:
        ids = await self._redis.zrevrange(bots_of_key(key_id), 0, limit - 1)
        return await self._many(ids)

    async def list_all(self) -> list[BotRecord]:
        return await self._many(await self._redis.zrange(ALL_BOTS, 0, -1))

    async def running_bot_names(self) -> set[str]:
        """The display names of every bot a worker runs now: in a meeting, these are
        meetbridge bots, not people (a bot does not stay for another bot's company)."""
        return {r.display_name for r in await self.list_all() if r.state in RUNNING_STATES}

    async def _many(self, ids: Sequence[str]) -> list[BotRecord]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for bot_id in ids:
                pipe.hgetall(bot_key(bot_id))
            rows = await pipe.execute()
        return [BotRecord.from_redis(row) for row in rows if row]

    # -- state ----------------------------------------------------------------
    async def transition(
        self,
        bot_id: str,
        new: BotState,
        *,
        reason: FailureReason | None = None,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> TransitionResult:
        """Move the stored bot to `new` if the lifecycle allows it from its stored state."""
        allowed = {state.value: True for state in BotState if can_move(state, new)}
        applied, previous = await self._transition(
            keys=[bot_key(bot_id), EVENTS_STREAM],
            args=[
                json.dumps(allowed or {"": True}),
                new.value,
                reason.value if reason else "",
                detail or "",
                (at or now()).isoformat(),
                uuid.uuid4().hex,
                EVENTS_MAXLEN,
                bot_id,
            ],
        )
        return TransitionResult(bool(applied), BotState(previous) if previous else None)

    async def heartbeat(self, bot_id: str, worker: str, **where: str) -> None:
        """The bot is alive, on `worker`; `where` names its devices (display, audio server)."""
        await self._redis.hset(
            bot_key(bot_id), mapping={"heartbeat_at": now().isoformat(), "worker": worker, **where}
        )

    async def mark_signed_in(self, bot_id: str) -> None:
        """The bot's browser starts with its key's stored sign-in for the vendor."""
        await self._redis.hset(bot_key(bot_id), "signed_in", "True")

    # -- leases: a bot runs at most once --------------------------------------
    async def acquire_lease(self, bot_id: str, token: str, ttl_ms: int) -> bool:
        return bool(await self._redis.set(lease_key(bot_id), token, nx=True, px=ttl_ms))

    async def renew_lease(self, bot_id: str, token: str, ttl_ms: int) -> bool:
        return bool(await self._renew(keys=[lease_key(bot_id)], args=[token, ttl_ms]))

    async def release_lease(self, bot_id: str, token: str) -> None:
        await self._release(keys=[lease_key(bot_id)], args=[token])


def _event_fields(record: BotRecord, state: BotState, old: BotState | None) -> dict[str, str]:
    return {
        "event_id": uuid.uuid4().hex,
        "type": "bot.state",
        "bot_id": record.id,
        "key_id": record.key_id,
        "old_state": old.value if old else "",
        "state": state.value,
        "reason": "",
        "detail": "",
        "at": record.created_at.isoformat(),
        "created_at": record.created_at.isoformat(),
        "joined_at": "",
    }
