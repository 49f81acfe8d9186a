"""Reading the event stream: one shape for SSE clients, metrics and webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import redis.asyncio as aioredis

from meetbridge.records import EVENTS_STREAM

PUBLIC_FIELDS = (
    "event_id",
    "type",
    "bot_id",
    "room_id",  # room.* events: which room
    "old_state",
    "state",
    "reason",
    "detail",
    "at",
)


@dataclass(frozen=True)
class Event:
    stream_id: str
    fields: dict[str, str]

    @property
    def key_id(self) -> str:
        return self.fields.get("key_id", "")

    def public(self) -> dict[str, str | None]:
        """What a client may see: no key ids, empty fields as null."""
        return {name: (self.fields.get(name) or None) for name in PUBLIC_FIELDS}


class EventLog:
    """Reads the event stream (the store and the room store write it)."""

    def __init__(self, redis: aioredis.Redis):
        self._redis = redis

    async def follow(self, after: str = "$", block_ms: int = 5000) -> AsyncIterator[Event | None]:
        """Events after `after`, as they come; yields None when `block_ms` passes quietly."""
        last = after
        while True:
            batch = await self._redis.xread({EVENTS_STREAM: last}, block=block_ms, count=100)
            if not batch:
                yield None
                continue
            for stream_id, fields in batch[0][1]:
                last = stream_id
                yield Event(stream_id, fields)


def valid_stream_id(value: str | None) -> bool:
    if not value:
        return False
    left, _, right = value.partition("-")
    return left.isdigit() and (right == "" or right.isdigit()) and len(value) < 40
