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
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from meetbridge.lifecycle import BotState, FailureReason, can_move
from meetbridge.records import (
    ALL_BOTS,
    EVENTS_STREAM,
    ROOM_SEQUENCE,
    BotRecord,
    RoomRecord,
    bot_key,
    bots_of_key,
    commands_stream,
    lease_key,
    now,
    room_key,
)

EVENTS_MAXLEN = 100_000

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

# Every bot gets the room only if none of them is in a room already.
_CLAIM_FOR_ROOM = """
for i, key in ipairs(KEYS) do
  local room = redis.call('HGET', key, 'room_id')
  if room and room ~= '' then return i end
end
for _, key in ipairs(KEYS) do redis.call('HSET', key, 'room_id', ARGV[1]) end
return 0
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
    """Typed access to bots, their events, commands and leases."""

    def __init__(self, redis: aioredis.Redis):
        self.redis = redis
        self._transition = redis.register_script(_TRANSITION)
        self._release = redis.register_script(_RELEASE_LEASE)
        self._renew = redis.register_script(_RENEW_LEASE)
        self._claim = redis.register_script(_CLAIM_FOR_ROOM)

    @classmethod
    def from_url(cls, url: str) -> BotStore:
        """A store that rides out a Redis restart (reconnects with back-off for ~15 s)."""
        retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=12)
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            retry=retry,
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            health_check_interval=10,
        )
        return cls(client)

    async def aclose(self) -> None:
        await self.redis.aclose()

    # -- records --------------------------------------------------------------
    async def create(self, record: BotRecord) -> None:
        score = record.created_at.timestamp()
        async with self.redis.pipeline(transaction=True) as pipe:
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
        data = await self.redis.hgetall(bot_key(bot_id))
        return BotRecord.from_redis(data) if data else None

    async def list_for_key(self, key_id: str, limit: int = 100) -> list[BotRecord]:
        ids = await self.redis.zrevrange(bots_of_key(key_id), 0, limit - 1)
        return await self._many(ids)

    async def list_all(self) -> list[BotRecord]:
        return await self._many(await self.redis.zrange(ALL_BOTS, 0, -1))

    async def _many(self, ids: Sequence[str]) -> list[BotRecord]:
        async with self.redis.pipeline(transaction=False) as pipe:
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
        await self.redis.hset(
            bot_key(bot_id), mapping={"heartbeat_at": now().isoformat(), "worker": worker, **where}
        )

    # -- leases: a bot runs at most once --------------------------------------
    async def acquire_lease(self, bot_id: str, token: str, ttl_ms: int) -> bool:
        return bool(await self.redis.set(lease_key(bot_id), token, nx=True, px=ttl_ms))

    async def renew_lease(self, bot_id: str, token: str, ttl_ms: int) -> bool:
        return bool(await self._renew(keys=[lease_key(bot_id)], args=[token, ttl_ms]))

    async def release_lease(self, bot_id: str, token: str) -> None:
        await self._release(keys=[lease_key(bot_id)], args=[token])

    # -- rooms -----------------------------------------------------------------
    async def next_room_number(self) -> int:
        return int(await self.redis.incr(ROOM_SEQUENCE))

    async def save_room(self, room: RoomRecord) -> None:
        await self.redis.hset(room_key(room.id), mapping=room.to_redis())

    async def get_room(self, room_id: str) -> RoomRecord | None:
        data = await self.redis.hgetall(room_key(room_id))
        return RoomRecord.from_redis(data) if data else None

    async def claim_for_room(self, bot_ids: Sequence[str], room_id: str) -> str | None:
        """Put the bots in the room; returns the first bot already in one (then nobody moved)."""
        taken = int(await self._claim(keys=[bot_key(b) for b in bot_ids], args=[room_id]))
        return bot_ids[taken - 1] if taken else None

    async def release_from_room(self, bot_id: str, room_id: str) -> None:
        if await self.redis.hget(bot_key(bot_id), "room_id") == room_id:
            await self.redis.hset(bot_key(bot_id), mapping={"room_id": "", "room_status": ""})

    async def set_room_status(self, bot_id: str, status: str) -> None:
        await self.redis.hset(bot_key(bot_id), "room_status", status)

    async def room_event(self, room: RoomRecord, kind: str, bot_id: str = "") -> None:
        await self.redis.xadd(
            EVENTS_STREAM,
            {
                "event_id": uuid.uuid4().hex,
                "type": f"room.{kind}",
                "room_id": room.id,
                "bot_id": bot_id,
                "key_id": room.key_id,
                "at": now().isoformat(),
                "state": "",
                "old_state": "",
                "reason": "",
                "detail": "",
            },
            maxlen=EVENTS_MAXLEN,
            approximate=True,
        )

    # -- commands to a running bot ----------------------------------------------
    async def send_command(self, bot_id: str, command: str, **fields: str) -> None:
        await self.redis.xadd(
            commands_stream(bot_id), {"command": command, **fields}, maxlen=1000, approximate=True
        )


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
