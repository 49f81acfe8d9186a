"""The bot command channel: the API (and the room code) tell a running bot what to do.

One Redis stream per bot, read by the worker that runs it; commands do not go through
Celery, whose job is long-running. This module is the only one that knows the
stream's key and the shape of its entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from meetbridge.records import PREFIX

log = structlog.get_logger(__name__)
STREAM_MAXLEN = 1000
REQUEST_ID_MAX = 32


class BotCommand(StrEnum):
    LEAVE = "leave"  # leave the meeting
    ROOM = "room"  # the bot's room changed: read its membership again
    SCREENSHOT = "screenshot"  # grab the display; the answer goes to `bot_replies`


@dataclass(frozen=True)
class Command:
    """One command as read; `kind` is None for a command this version does not know."""

    kind: BotCommand | None
    request_id: str = ""  # names the reply, for commands that have one
    raw: str = ""  # the command's name as sent (for the log of an unknown one)


def _stream(bot_id: str) -> str:
    return f"{PREFIX}:bot:{bot_id}:commands"


def _parse(fields: dict[str, str]) -> Command:
    raw = fields.get("command", "")
    kind = BotCommand(raw) if raw in BotCommand._value2member_map_ else None
    return Command(kind, fields.get("request_id", "")[:REQUEST_ID_MAX], raw[:32])


class CommandChannel:
    """Sends commands to bots, and follows one bot's commands (on its worker)."""

    def __init__(self, redis: aioredis.Redis):
        self._redis = redis

    async def send(self, bot_id: str, kind: BotCommand, *, request_id: str = "") -> None:
        fields = {"command": kind.value}
        if request_id:
            fields["request_id"] = request_id[:REQUEST_ID_MAX]
        await self._redis.xadd(_stream(bot_id), fields, maxlen=STREAM_MAXLEN, approximate=True)

    async def follow(self, bot_id: str, *, block_ms: int = 1000) -> AsyncIterator[Command]:
        """Every command sent to `bot_id`, oldest first, forever; Redis errors are
        logged and retried (a restarting Redis must not end the bot)."""
        last = "0-0"
        while True:
            try:
                batch = await self._redis.xread({_stream(bot_id): last}, block=block_ms, count=10)
            except RedisError as exc:
                log.warning("command read failed", bot_id=bot_id, error=type(exc).__name__)
                await asyncio.sleep(1)
                continue
            for entry_id, fields in batch[0][1] if batch else []:
                last = entry_id
                yield _parse(fields)
