"""Invites to a room: a link that lets one person join one room from meetbridge's join
page, for a while, and grants nothing of the API.

A token is `mbi_` and 32 random bytes (url-safe base64). Redis keeps only its
SHA-256, like API keys (orchestrator/keys.py): a leaked Redis dump opens no room.
The token travels in the link's fragment (`/join#<token>`), which browsers never send
to a server, and then only in a request header; it is never logged.

Keys (this module alone knows them):
- `mb:invite:<id>`: the invite (room, key, name, created, expires, revoked);
- `mb:invite-token:<sha256>`: the invite id of a token;
- `mb:room-invites:<room id>`: the ids of a room's invites;
- `mb:invite-janus:<id>`: the Janus sessions and handles made through the invite's
  signalling proxy, and the plugin each handle is attached to (so any API replica
  knows what the invite owns).
An invite's keys live `KEEP_AFTER_EXPIRY_S` past its expiry, so an old link still
says "expired" rather than "unknown"; then Redis drops them.

**Guests' names in the room**: a browser participant joins the room's AudioBridge
and VideoRoom with the display `participant:<invite id>:<name>` (the proxy sets it,
whatever the page asks: `participant_display`); bots join with their bot id. A
worker tells guests from bots with `participant_of`.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis.asyncio as aioredis

from meetbridge.records import PREFIX, now

TOKEN_PREFIX = "mbi_"
KEEP_AFTER_EXPIRY_S = 7 * 24 * 3600
PROXY_STATE_TTL_S = 180  # the proxy's sessions, refreshed by every request (janus.js
# keeps a session alive every 25 s and long-polls every 30 s at most)
NAME_MAX = 40
PARTICIPANT_PREFIX = "participant:"
GUEST_ID_PREFIX = "inv_"  # a guest is known in a room by its invite's id
_PARTICIPANT = re.compile(r"participant:(inv_[0-9a-f]{1,32}):(.*)", re.DOTALL)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_name(name: str | None) -> str:
    """A guest's name as others see it: printable, one line, at most NAME_MAX long."""
    given = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in given)
    text = " ".join(text.split())[:NAME_MAX].strip()
    return text or "Guest"


def participant_display(invite_id: str, name: str | None) -> str:
    """The display a guest of `invite_id` has in the room's Janus rooms."""
    return f"{PARTICIPANT_PREFIX}{invite_id}:{clean_name(name)}"


def participant_of(display: str) -> tuple[str, str] | None:
    """(invite id, name) of a guest's display; None for anyone else (a bot)."""
    match = _PARTICIPANT.fullmatch(display)
    return (match.group(1), match.group(2)) if match else None


class InviteProblem(enum.StrEnum):
    """Why a token opens nothing; the join page says each in words."""

    UNKNOWN = "unknown"  # never made, mistyped, tampered with, or long gone
    EXPIRED = "expired"
    REVOKED = "revoked"


class InviteError(Exception):
    def __init__(self, problem: InviteProblem, invite: Invite | None = None):
        super().__init__(problem.value)
        self.problem, self.invite = problem, invite


@dataclass(frozen=True)
class Invite:
    id: str
    room_id: str
    key_id: str
    display_name: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def problem(self, at: datetime) -> InviteProblem | None:
        if self.revoked_at is not None:
            return InviteProblem.REVOKED
        if at >= self.expires_at:
            return InviteProblem.EXPIRED
        return None

    def to_redis(self) -> dict[str, str]:
        data = {
            "id": self.id,
            "room_id": self.room_id,
            "key_id": self.key_id,
            "display_name": self.display_name or "",
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }
        if self.revoked_at is not None:
            data["revoked_at"] = self.revoked_at.isoformat()
        return data

    @classmethod
    def from_redis(cls, data: dict[str, str]) -> Invite:
        revoked = data.get("revoked_at")
        return cls(
            id=data["id"],
            room_id=data["room_id"],
            key_id=data["key_id"],
            display_name=data.get("display_name") or None,
            created_at=datetime.fromisoformat(data["created_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            revoked_at=datetime.fromisoformat(revoked) if revoked else None,
        )


@dataclass(frozen=True)
class NewInvite:
    invite: Invite
    token: str  # shown once, never stored


def _invite_key(invite_id: str) -> str:
    return f"{PREFIX}:invite:{invite_id}"


def _token_key(digest: str) -> str:
    return f"{PREFIX}:invite-token:{digest}"


def _room_invites(room_id: str) -> str:
    return f"{PREFIX}:room-invites:{room_id}"


def _janus_key(invite_id: str) -> str:
    return f"{PREFIX}:invite-janus:{invite_id}"


def _keep_until(invite: Invite) -> int:
    """Seconds from now that an invite's keys are kept."""
    left = (invite.expires_at - now()).total_seconds()
    return max(1, int(left) + KEEP_AFTER_EXPIRY_S)


class InviteStore:
    """Invites in Redis: made, listed, resolved from a token, revoked."""

    def __init__(self, redis: aioredis.Redis):
        self._redis = redis

    async def create(
        self, room_id: str, key_id: str, expires_in_s: float, display_name: str | None = None
    ) -> NewInvite:
        at = now()
        invite = Invite(
            id=f"inv_{secrets.token_hex(8)}",
            room_id=room_id,
            key_id=key_id,
            display_name=clean_name(display_name) if display_name else None,
            created_at=at,
            expires_at=at + timedelta(seconds=expires_in_s),
        )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        keep = _keep_until(invite)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(_invite_key(invite.id), mapping=invite.to_redis())
            pipe.expire(_invite_key(invite.id), keep)
            pipe.set(_token_key(hash_token(token)), invite.id, ex=keep)
            pipe.sadd(_room_invites(room_id), invite.id)
            pipe.expire(_room_invites(room_id), keep, gt=True)
            pipe.expire(_room_invites(room_id), keep, nx=True)
            await pipe.execute()
        return NewInvite(invite, token)

    async def get(self, invite_id: str) -> Invite | None:
        data = await self._redis.hgetall(_invite_key(invite_id)) if len(invite_id) <= 64 else {}
        return Invite.from_redis(data) if data else None

    async def of_room(self, room_id: str) -> list[Invite]:
        """The room's invites (revoked and expired ones too, until Redis drops them),
        oldest first."""
        invites = []
        for invite_id in await self._redis.smembers(_room_invites(room_id)):
            invite = await self.get(invite_id)
            if invite is not None:
                invites.append(invite)
        return sorted(invites, key=lambda i: i.created_at)

    async def resolve(self, token: str) -> Invite:
        """The usable invite of `token`; raises InviteError saying why not."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            raise InviteError(InviteProblem.UNKNOWN)
        invite_id = await self._redis.get(_token_key(hash_token(token)))
        invite = await self.get(invite_id) if invite_id else None
        if invite is None:
            raise InviteError(InviteProblem.UNKNOWN)
        problem = invite.problem(now())
        if problem is not None:
            raise InviteError(problem, invite)
        return invite

    async def revoke(self, invite_id: str) -> Invite | None:
        """Revoke one invite (again is fine); None if there is no such invite."""
        invite = await self.get(invite_id)
        if invite is None:
            return None
        if invite.revoked_at is None:
            await self._redis.hset(_invite_key(invite_id), "revoked_at", now().isoformat())
        return invite

    async def revoke_room(self, room_id: str) -> list[Invite]:
        """Revoke every invite of a room (it closed); returns those that were usable."""
        revoked = []
        at = now()
        for invite in await self.of_room(room_id):
            if invite.problem(at) is None:
                await self.revoke(invite.id)
                revoked.append(invite)
        return revoked


@dataclass(frozen=True)
class ProxyHandle:
    session_id: int
    plugin: str


class InviteSessions:
    """What an invite made on the room Janus through the signalling proxy: its sessions,
    and its handles with their plugins. Kept in Redis so every API replica knows; it
    lapses PROXY_STATE_TTL_S after the invite's last request."""

    def __init__(self, redis: aioredis.Redis):
        self._redis = redis

    async def _touch(self, invite_id: str) -> None:
        await self._redis.expire(_janus_key(invite_id), PROXY_STATE_TTL_S)

    async def sessions(self, invite_id: str) -> list[int]:
        fields = await self._redis.hkeys(_janus_key(invite_id))
        return [int(f[2:]) for f in fields if f.startswith("s:")]

    async def note_name(self, invite_id: str, name: str) -> None:
        """The name the guest gave on the join page (as others see it in the room)."""
        await self._redis.hset(_janus_key(invite_id), "name", name)

    async def name(self, invite_id: str) -> str | None:
        name: str | None = await self._redis.hget(_janus_key(invite_id), "name")
        return name

    async def in_room(self, invite_id: str) -> bool:
        """Whether the invite's page holds a handle on the room Janus: it joined (or is
        joining) the room's audio or video."""
        fields = await self._redis.hkeys(_janus_key(invite_id))
        return any(f.startswith("h:") for f in fields)

    async def handles(self, invite_id: str, session_id: int) -> int:
        values = await self._redis.hvals(_janus_key(invite_id))
        return sum(1 for v in values if v.split(" ", 1)[0] == str(session_id))

    async def add_session(self, invite_id: str, session_id: int) -> None:
        await self._redis.hset(_janus_key(invite_id), f"s:{session_id}", "")
        await self._touch(invite_id)

    async def owns_session(self, invite_id: str, session_id: int) -> bool:
        if await self._redis.hexists(_janus_key(invite_id), f"s:{session_id}"):
            await self._touch(invite_id)
            return True
        return False

    async def add_handle(
        self, invite_id: str, session_id: int, handle_id: int, plugin: str
    ) -> None:
        await self._redis.hset(_janus_key(invite_id), f"h:{handle_id}", f"{session_id} {plugin}")
        await self._touch(invite_id)

    async def handle(self, invite_id: str, session_id: int, handle_id: int) -> ProxyHandle | None:
        """The invite's handle `handle_id` in its session `session_id`, or None."""
        value = await self._redis.hget(_janus_key(invite_id), f"h:{handle_id}")
        if not value:
            return None
        session, plugin = value.split(" ", 1)
        if session != str(session_id):
            return None
        await self._touch(invite_id)
        return ProxyHandle(session_id, plugin)

    async def forget_handle(self, invite_id: str, handle_id: int) -> None:
        await self._redis.hdel(_janus_key(invite_id), f"h:{handle_id}")

    async def forget_session(self, invite_id: str, session_id: int) -> None:
        key = _janus_key(invite_id)
        fields = [f"s:{session_id}"] + [
            field
            for field, value in (await self._redis.hgetall(key)).items()
            if field.startswith("h:") and value.split(" ", 1)[0] == str(session_id)
        ]
        await self._redis.hdel(key, *fields)

    async def forget(self, invite_id: str) -> list[int]:
        """Drop everything of the invite; returns the sessions it had."""
        sessions = await self.sessions(invite_id)
        await self._redis.delete(_janus_key(invite_id))
        return sessions


@dataclass(frozen=True)
class Guest:
    """A person in a room from a browser, known by the invite they came through."""

    invite_id: str
    name: str


class RoomGuests:
    """Who is in a room from a browser now: the room's valid invites whose page holds a
    handle on the room Janus. Read by the room plan's two sides (the API's view and the
    workers' seats), as the proxy keeps it in Redis."""

    def __init__(self, redis: aioredis.Redis):
        self._invites, self._sessions = InviteStore(redis), InviteSessions(redis)

    async def of_room(self, room_id: str) -> list[Guest]:
        at = now()
        guests = []
        for invite in await self._invites.of_room(room_id):
            if invite.problem(at) is None and await self._sessions.in_room(invite.id):
                name = await self._sessions.name(invite.id) or clean_name(invite.display_name)
                guests.append(Guest(invite.id, name))
        return guests
