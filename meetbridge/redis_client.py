"""The one way meetbridge connects to Redis: decoded replies, and riding out a restart.

Each process opens one client at its entry point and hands it to the modules that
own a channel (`store`, `bot_commands`, `bot_replies`, `room_store`, and the API's
keys, events and webhooks); none of them hands the client on.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def connect(url: str) -> aioredis.Redis:
    """A client that reconnects with back-off for ~15 s (a Redis restart is survived)."""
    retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=12)
    return aioredis.Redis.from_url(
        url,
        decode_responses=True,
        retry=retry,
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=10,
    )
