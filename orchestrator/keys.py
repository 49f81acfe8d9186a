"""API keys: random bearer tokens, stored only as their SHA-256 hashes.

A key is `mbk_<key id>_<secret>`; 32 random bytes make a fast hash safe (nothing to
brute-force), and the id part lets logs and records name a key without its secret.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from meetbridge.records import PREFIX, now


def _hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _by_hash(digest: str) -> str:
    return f"{PREFIX}:apikey-hash:{digest}"


def _key_record(key_id: str) -> str:
    return f"{PREFIX}:apikey:{key_id}"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    webhook_url: str | None = None
    webhook_secret: str | None = None


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str  # shown once, never stored


async def create_key(redis: aioredis.Redis, name: str, webhook_url: str | None = None) -> NewKey:
    key_id = secrets.token_hex(6)
    token = f"mbk_{key_id}_{secrets.token_urlsafe(32)}"
    webhook_secret = secrets.token_urlsafe(32) if webhook_url else None
    record = {"key_id": key_id, "name": name, "created_at": now().isoformat()}
    if webhook_url and webhook_secret:
        record |= {"webhook_url": webhook_url, "webhook_secret": webhook_secret}
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(_key_record(key_id), mapping=record)
        pipe.set(_by_hash(_hash_key(token)), key_id)
        await pipe.execute()
    return NewKey(ApiKey(key_id, name, webhook_url, webhook_secret), token)


async def get_key(redis: aioredis.Redis, key_id: str) -> ApiKey | None:
    data = await redis.hgetall(_key_record(key_id))
    if not data:
        return None
    return ApiKey(data["key_id"], data["name"], data.get("webhook_url"), data.get("webhook_secret"))


async def authenticate(redis: aioredis.Redis, token: str) -> ApiKey | None:
    if not token.startswith("mbk_") or len(token) > 200:
        return None
    key_id = await redis.get(_by_hash(_hash_key(token)))
    return await get_key(redis, key_id) if key_id else None


class KeyCache:
    """Remembers recently seen valid keys for a few seconds: two Redis round trips
    saved on every request of a busy client. Unknown tokens are never cached, so a
    new key works at once; a deleted key keeps working for at most `ttl_s`."""

    def __init__(self, redis: aioredis.Redis, ttl_s: float = 5.0, size: int = 1024):
        self._redis = redis
        self.ttl_s, self.size = ttl_s, size
        self._entries: dict[str, tuple[float, ApiKey]] = {}

    async def authenticate(self, token: str) -> ApiKey | None:
        digest = _hash_key(token)
        entry = self._entries.get(digest)
        clock = time.monotonic()
        if entry is not None and clock - entry[0] < self.ttl_s:
            return entry[1]
        key = await authenticate(self._redis, token)
        if key is not None:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[digest] = (clock, key)
        return key
