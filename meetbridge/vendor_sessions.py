"""Stored browser sign-ins: one per API key and vendor, encrypted at rest.

A user signs in to a vendor in a browser of their own, saves the browser's storage
state (Playwright's `context.storage_state()`: cookies and each origin's
localStorage) and stores it under their key; a bot of that key joining that vendor
starts its browser with it. The API writes sessions and lists what they hold (counts,
cookie domains, origins: never a value); the worker alone reads a session back.

The storage state is sealed with Fernet under the deployment's `session_key`, with
the key id and vendor sealed in beside it, so a sealed state moved to another key or
vendor in Redis does not open. This module alone knows the sessions' Redis keys.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Literal

import redis.asyncio as aioredis
from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from meetbridge.records import PREFIX, now

MAX_STATE_BYTES = 512 * 1024  # a storage state's JSON, as stored


_REMOVE_IF_SAME = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""


def _sessions_of_key(key_id: str) -> str:
    return f"{PREFIX}:apikey:{key_id}:vendor-sessions"  # hash: vendor -> stored session


class SessionCookie(BaseModel):
    """A cookie as Playwright's storage state holds it (and `add_cookies` takes it)."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=256, pattern=r"^[^\x00-\x20;=\x7f]+$")
    value: str = Field(max_length=4096, pattern=r"^[^\x00-\x1f;\x7f]*$")
    domain: str = Field(min_length=1, max_length=254)
    path: str = Field(default="/", min_length=1, max_length=1024, pattern=r"^/[^\x00-\x1f;\x7f]*$")
    expires: float = Field(default=-1, ge=-1)  # seconds since the epoch; -1: a session cookie
    httpOnly: bool = False  # noqa: N815 - Playwright's names
    secure: bool = False
    sameSite: Literal["Strict", "Lax", "None"] = "Lax"  # noqa: N815


class StorageItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=1024)
    value: str


class OriginStorage(BaseModel):
    """One origin's localStorage, as Playwright's storage state holds it."""

    model_config = ConfigDict(extra="ignore")

    origin: str = Field(min_length=1, max_length=2048)
    localStorage: list[StorageItem] = Field(default_factory=list, max_length=1000)  # noqa: N815


class StorageState(BaseModel):
    """A browser's sign-in: Playwright's `context.storage_state()` (other keys ignored)."""

    model_config = ConfigDict(extra="ignore")

    cookies: list[SessionCookie] = Field(default_factory=list, max_length=300)
    origins: list[OriginStorage] = Field(default_factory=list, max_length=50)

    def cookie_domains(self) -> list[str]:
        return sorted({cookie.domain for cookie in self.cookies})

    def size(self) -> int:
        return len(self.model_dump_json())


class VendorSession(BaseModel):
    """What may be shown of a stored session: where its cookies and storage belong and
    how many there are, never a name's value."""

    id: str
    key_id: str
    vendor: str
    created_at: datetime
    cookies: int
    cookie_domains: list[str]
    origins: list[str]
    local_storage_items: int

    @classmethod
    def describe(cls, key_id: str, vendor: str, state: StorageState) -> VendorSession:
        return cls(
            id=f"vs_{uuid.uuid4().hex[:20]}",
            key_id=key_id,
            vendor=vendor,
            created_at=now(),
            cookies=len(state.cookies),
            cookie_domains=state.cookie_domains(),
            origins=[origin.origin for origin in state.origins],
            local_storage_items=sum(len(origin.localStorage) for origin in state.origins),
        )


class SessionUnreadableError(RuntimeError):
    """A stored session does not open with this process's session key (or was moved)."""


class SessionCipher:
    """Seals and opens storage states with the deployment's session key."""

    def __init__(self, key: SecretStr):
        self._fernet = Fernet(key.get_secret_value().encode("ascii"))

    def seal(self, key_id: str, vendor: str, state: StorageState) -> str:
        plain = json.dumps(
            {"key_id": key_id, "vendor": vendor, "state": state.model_dump(mode="json")}
        )
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, key_id: str, vendor: str, sealed: str) -> StorageState:
        try:
            plain = json.loads(self._fernet.decrypt(sealed.encode("ascii")))
            if plain.get("key_id") != key_id or plain.get("vendor") != vendor:
                raise SessionUnreadableError("the stored session belongs to another key or vendor")
            return StorageState.model_validate(plain["state"])
        except (InvalidToken, ValueError, KeyError, ValidationError):
            # No detail: a validation error would quote the values it read.
            raise SessionUnreadableError(
                "the stored session does not open with this session key"
            ) from None


class VendorSessionStore:
    """Sessions in Redis: one per key and vendor (a new one replaces the old)."""

    def __init__(self, redis: aioredis.Redis, cipher: SessionCipher):
        self._redis, self._cipher = redis, cipher
        self._remove_if_same = redis.register_script(_REMOVE_IF_SAME)

    async def put(self, key_id: str, vendor: str, state: StorageState) -> VendorSession:
        session = VendorSession.describe(key_id, vendor, state)
        stored = {
            "session": session.model_dump(mode="json"),
            "sealed": self._cipher.seal(key_id, vendor, state),
        }
        await self._redis.hset(_sessions_of_key(key_id), vendor, json.dumps(stored))
        return session

    async def list_for_key(self, key_id: str) -> list[VendorSession]:
        rows = await self._redis.hgetall(_sessions_of_key(key_id))
        sessions = [_described(row) for row in rows.values()]
        return sorted(sessions, key=lambda s: s.vendor)

    async def delete(self, key_id: str, session_id: str) -> VendorSession | None:
        """Remove the key's session of that id; None when it has none such."""
        sessions_key = _sessions_of_key(key_id)
        for vendor, row in (await self._redis.hgetall(sessions_key)).items():
            session = _described(row)
            if session.id == session_id:
                # Only that one: a session stored for the vendor meanwhile stays.
                removed = await self._remove_if_same(keys=[sessions_key], args=[vendor, row])
                return session if removed else None
        return None

    async def load(self, key_id: str, vendor: str) -> tuple[VendorSession, StorageState] | None:
        """The key's session for `vendor`, opened (the worker's side); None when it has
        none. Raises SessionUnreadableError when it does not open."""
        row = await self._redis.hget(_sessions_of_key(key_id), vendor)
        if row is None:
            return None
        return _described(row), self._cipher.open(key_id, vendor, json.loads(row)["sealed"])


def _described(row: str) -> VendorSession:
    """What a stored row says of its session (no decryption)."""
    return VendorSession.model_validate(json.loads(row)["session"])
