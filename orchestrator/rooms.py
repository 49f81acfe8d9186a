"""What the API does with rooms: check members, show a room, change its members, and
drop a bot that ended. Routes (api/routes/rooms.py) and the event follower (app.py)
both use it; the room's health and each member's sources come from the shared room
plan, the same one the workers wire by.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from fastapi import HTTPException, status
from pydantic import SecretStr

from meetbridge.bot_commands import BotCommand, CommandChannel
from meetbridge.invites import InviteStore, RoomGuests
from meetbridge.janus_rooms import RoomMedia, create_rooms, destroy_rooms
from meetbridge.lifecycle import TERMINAL_STATES
from meetbridge.records import BotRecord, RoomRecord, SeatMedia, now
from meetbridge.room_plan import RoomHealth, members_of, plan_room
from meetbridge.room_store import RoomStore, seat_media_of
from meetbridge.store import BotStore
from orchestrator.keys import ApiKey
from orchestrator.schemas import RoomGuestPublic, RoomMemberPublic, RoomPublic

log = structlog.get_logger(__name__)
MEDIA_STALE_AFTER_S = 10.0  # workers report every 2 s; three missed reports: not flowing
ID_MAX = 64


def meeting_level(bot_id: str, members: Sequence[RoomMemberPublic], at: datetime) -> float | None:
    """How loud `bot_id`'s meeting is as it goes into the room, from fresh reports.

    On the Janus path the bot's own seat measures what it sends; on the same-host path
    the members that pipe its meeting into their microphones measure it (the loudest
    of their readings: they read the same sound)."""

    def fresh(media: SeatMedia | None) -> bool:
        return media is not None and (at - media.updated_at).total_seconds() <= MEDIA_STALE_AFTER_S

    own = next((m.media for m in members if m.bot_id == bot_id), None)
    if own is not None and fresh(own) and own.audio_out_dbfs is not None:
        return own.audio_out_dbfs
    heard = [
        m.media.audio_in_dbfs[bot_id]
        for m in members
        if m.media is not None and fresh(m.media) and bot_id in m.media.audio_in_dbfs
    ]
    return max(heard) if heard else None


@dataclass(frozen=True)
class Rooms:
    """The channels room changes go through: bot records, rooms, and bots' commands."""

    store: BotStore
    room_store: RoomStore
    commands: CommandChannel
    invites: InviteStore | None = None  # a closed room's invites are revoked
    guests: RoomGuests | None = None  # who is in a room from a browser

    async def check_members(self, key: ApiKey, bot_ids: Sequence[str]) -> None:
        """The caller's bots, each once, none ended: else 422, 404 or 409."""
        if len(set(bot_ids)) != len(bot_ids):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a bot is listed twice")
        for bot_id in bot_ids:
            record = await self.store.get(bot_id) if len(bot_id) <= ID_MAX else None
            if record is None or record.key_id != key.key_id:
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"no bot {bot_id[:ID_MAX]!r}")
            if record.state in TERMINAL_STATES:
                raise HTTPException(status.HTTP_409_CONFLICT, f"bot {bot_id} has {record.state}")

    async def own_room(self, key: ApiKey, room_id: str) -> RoomRecord:
        """The caller's room, or 404 (also for another key's room)."""
        room = await self.room_store.get(room_id) if len(room_id) <= ID_MAX else None
        if room is None or room.key_id != key.key_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no room {room_id[:ID_MAX]!r}")
        return room

    async def notify(self, bot_ids: Sequence[str]) -> None:
        """Tell each bot's worker to (re)read its room membership."""
        for bot_id in bot_ids:
            await self.commands.send(bot_id, BotCommand.ROOM)

    async def of_key(self, key: ApiKey, limit: int) -> list[RoomPublic]:
        """The key's rooms as the API shows them, newest first."""
        return [
            await self.view(room) for room in await self.room_store.list_for_key(key.key_id, limit)
        ]

    async def view(self, room: RoomRecord) -> RoomPublic:
        """The room as the API shows it: members, their seats' media, health, flowing."""
        records: dict[str, BotRecord | None] = {
            bot_id: await self.store.get(bot_id) for bot_id in room.members
        }
        guests = await self.guests.of_room(room.id) if self.guests and not room.closed else []
        plan = plan_room(members_of(room, records, [g.invite_id for g in guests]))
        members = [
            RoomMemberPublic(bot_id=bot_id, state=record.state, media=seat_media_of(record))
            for bot_id, record in records.items()
            if record is not None
        ]
        at = now()
        for member in members:
            member.audio_level_dbfs = meeting_level(member.bot_id, members, at)
        live = [m for m in members if m.state not in TERMINAL_STATES]
        # A guest's media is its page's own; the bots' seats say whether it reaches them.
        flowing = plan.health is RoomHealth.WIRED and all(
            m.media is not None
            and m.media.flowing(set(plan.sources_for(m.bot_id)), at, MEDIA_STALE_AFTER_S)
            for m in live
        )
        return RoomPublic(
            id=room.id,
            health=plan.health.value,
            media_flowing=flowing,
            members=members,
            guests=[RoomGuestPublic(invite_id=g.invite_id, name=g.name) for g in guests],
            closed=room.closed,
            created_at=room.created_at,
        )

    async def create(
        self, key: ApiKey, bot_ids: Sequence[str], *, janus_url: str, prebuffer: int
    ) -> RoomRecord:
        """A new room of `bot_ids` (checked by `check_members`): claim them, create its
        media rooms on the room Janus at `janus_url` (one secret and one join pin per
        room), wire them.

        409 when a member is in another room; 503 when the room Janus cannot be reached
        (then no member stays claimed).
        """
        number = await self.room_store.next_number()
        at = now()
        room = RoomRecord(
            id=f"room_{uuid.uuid4().hex[:20]}",
            key_id=key.key_id,
            members=list(bot_ids),
            janus_url=janus_url,
            audio_room=100_000 + 2 * number,
            video_room=100_001 + 2 * number,
            secret=SecretStr(secrets.token_urlsafe(16)),
            pin=SecretStr(secrets.token_urlsafe(16)),
            prebuffer=prebuffer,
            created_at=at,
            updated_at=at,
        )
        taken = await self.room_store.claim(room.members, room.id)
        if taken is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"bot {taken} is in another room")
        try:
            await create_rooms(RoomMedia.of_room(room))
        except Exception as exc:
            for bot_id in room.members:
                await self.room_store.release(bot_id, room.id)
            log.error("room media server unavailable", error=type(exc).__name__)
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "the room media server is unavailable"
            ) from None
        await self.room_store.save(room)
        await self.room_store.event(room, "created")
        await self.notify(room.members)
        log.info("room created", room_id=room.id, members=len(room.members))
        return room

    async def add_member(self, room: RoomRecord, bot_id: str) -> RoomRecord:
        if await self.room_store.claim([bot_id], room.id) is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"bot {bot_id} is in another room")
        room = room.model_copy(update={"members": [*room.members, bot_id], "updated_at": now()})
        await self.room_store.save(room)
        await self.room_store.event(room, "member_added", bot_id)
        await self.notify(room.members)
        return room

    async def remove_member(self, room: RoomRecord, bot_id: str) -> RoomRecord:
        """Drop a bot from its room (it stops hearing and being heard); the rest go on."""
        room = room.model_copy(
            update={"members": [m for m in room.members if m != bot_id], "updated_at": now()}
        )
        await self.room_store.save(room)
        await self.room_store.release(bot_id, room.id)
        await self.room_store.event(room, "member_removed", bot_id)
        await self.notify([*room.members, bot_id])
        return room

    async def drop_ended(self, bot_id: str) -> None:
        """A bot that ended or failed leaves its room; the room says if it is degraded."""
        record = await self.store.get(bot_id)
        room = await self.room_store.get(record.room_id) if record and record.room_id else None
        if room is not None and bot_id in room.members:
            await self.remove_member(room, bot_id)

    async def close(self, room: RoomRecord) -> RoomRecord:
        """Unwire every member, revoke the room's invites and destroy its media rooms
        (its guests leave with them)."""
        members = room.members
        room = room.model_copy(update={"closed": True, "members": [], "updated_at": now()})
        await self.room_store.save(room)
        if self.invites is not None:
            await self.invites.revoke_room(room.id)
        for bot_id in members:
            await self.room_store.release(bot_id, room.id)
        await self.notify(members)
        try:
            await destroy_rooms(RoomMedia.of_room(room))
        except Exception as exc:  # noqa: BLE001 - the room is closed for us either way
            log.warning("room media not destroyed", room_id=room.id, error=type(exc).__name__)
        await self.room_store.event(room, "closed")
        return room
