"""The reply channel: a running bot answers a command that asked for something back.

One short-lived Redis list per request (the command's `request_id`); the asker waits
on it with a timeout, and an answer nobody collects expires.
"""

from __future__ import annotations

import base64

import redis.asyncio as aioredis

from meetbridge.records import PREFIX

REPLY_TTL_S = 30


def _reply_list(bot_id: str, request_id: str) -> str:
    return f"{PREFIX}:bot:{bot_id}:reply:{request_id}"


class ReplyChannel:
    def __init__(self, redis: aioredis.Redis):
        self._redis = redis

    async def send(self, bot_id: str, request_id: str, payload: bytes) -> None:
        """Answer `request_id` (the answer waits at most REPLY_TTL_S to be collected)."""
        key = _reply_list(bot_id, request_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, base64.b64encode(payload).decode())
            pipe.expire(key, REPLY_TTL_S)
            await pipe.execute()

    async def wait(self, bot_id: str, request_id: str, timeout_s: float) -> bytes | None:
        """The answer to `request_id`, or None when none came within `timeout_s`."""
        reply = await self._redis.blpop([_reply_list(bot_id, request_id)], timeout=timeout_s)
        return None if reply is None else base64.b64decode(reply[1])
