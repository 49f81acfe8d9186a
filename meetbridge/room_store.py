"""Room membership in Redis: rooms, which room each bot is in, and each seat's report.

The API creates rooms and changes their members; workers read them and report what
their bots' seats carry (`SeatMedia`). This module is the only one that knows those
keys and fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import redis.asyncio as aioredis

from meetbridge.records import (
    EVENTS_MAXLEN,
    EVENTS_STREAM,
    PREFIX,
    BotRecord,
    RoomRecord,
    SeatMedia,
    bot_key,
    now,
)

ROOM_SEQUENCE = f"{PREFIX}:room-sequence"
_ROOM_FIELD, _SEAT_FIELD = "room_id", "room_status"

# Every bot gets the room only if none of them is in a room already.
_CLAIM_FOR_ROOM = """
for i, key in ipairs(KEYS) do
  local room = redis.call('HGET', key, 'room_id')
  if room and room ~= '' then return i end
end
for _, key in ipairs(KEYS) do redis.call('HSET', key, 'room_id', ARGV[1]) end
return 0
"""


def _room_key(room_id: str) -> str:
    return f"{PREFIX}:room:{room_id}"


def _rooms_of_key(key_id: str) -> str:
    return f"{PREFIX}:apikey:{key_id}:rooms"


ROOMS_PER_KEY = 100  # a key's room list keeps this many, newest first


def seat_media_of(record: BotRecord) -> SeatMedia | None:
    """The bot's seat as its worker last reported it; None when it has no seat."""
    if not record.room_status:
        return None
    try:
        return SeatMedia.model_validate_json(record.room_status)
    except ValueError:
        return SeatMedia(status="error", error="unreadable report", updated_at=now())


class RoomStore:
    def __init__(self, redis: aioredis.Redis):
        self._redis = redis
        self._claim = redis.register_script(_CLAIM_FOR_ROOM)

    async def next_number(self) -> int:
        """A number no other room got (the media rooms on Janus are named from it)."""
        return int(await self._redis.incr(ROOM_SEQUENCE))

    async def save(self, room: RoomRecord) -> None:
        """Store the room, and list it under its key (newest first, the last
        `ROOMS_PER_KEY` only: older rooms stay readable by id)."""
        index = _rooms_of_key(room.key_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(_room_key(room.id), mapping=room.to_redis())
            pipe.zadd(index, {room.id: room.created_at.timestamp()})
            pipe.zremrangebyrank(index, 0, -ROOMS_PER_KEY - 1)
            await pipe.execute()

    async def get(self, room_id: str) -> RoomRecord | None:
        data = await self._redis.hgetall(_room_key(room_id))
        return RoomRecord.from_redis(data) if data else None

    async def list_for_key(self, key_id: str, limit: int = ROOMS_PER_KEY) -> list[RoomRecord]:
        """The key's rooms, newest first, closed ones included."""
        ids = await self._redis.zrevrange(_rooms_of_key(key_id), 0, limit - 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for room_id in ids:
                pipe.hgetall(_room_key(room_id))
            rows = await pipe.execute()
        return [RoomRecord.from_redis(row) for row in rows if row]

    async def claim(self, bot_ids: Sequence[str], room_id: str) -> str | None:
        """Put the bots in the room; returns the first bot already in one (then nobody moved)."""
        taken = int(await self._claim(keys=[bot_key(b) for b in bot_ids], args=[room_id]))
        return bot_ids[taken - 1] if taken else None

    async def release(self, bot_id: str, room_id: str) -> None:
        """Take the bot out of `room_id` (not out of a room it has moved to since)."""
        if await self._redis.hget(bot_key(bot_id), _ROOM_FIELD) == room_id:
            await self._redis.hset(bot_key(bot_id), mapping={_ROOM_FIELD: "", _SEAT_FIELD: ""})

    async def report_seat(self, bot_id: str, media: SeatMedia | None) -> None:
        """The worker's word on the bot's seat; None: it has no seat (any more)."""
        value = media.model_dump_json() if media is not None else ""
        await self._redis.hset(bot_key(bot_id), _SEAT_FIELD, value)

    async def event(self, room: RoomRecord, kind: str, bot_id: str = "") -> None:
        """A `room.<kind>` event on the event stream, for SSE clients and webhooks."""
        await self._redis.xadd(
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
