"""/v1/rooms: put meetings into one virtual room, change its members, close it."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, status
from pydantic import SecretStr

from meetbridge.janus_rooms import RoomMedia, create_rooms, destroy_rooms
from meetbridge.lifecycle import TERMINAL_STATES
from meetbridge.records import RoomRecord, SeatMedia, now
from meetbridge.store import BotStore
from orchestrator.api.deps import KeyDep, SettingsDep, StoreDep
from orchestrator.keys import ApiKey
from orchestrator.schemas import (
    ErrorBody,
    RoomCreate,
    RoomMemberAdd,
    RoomMemberPublic,
    RoomPublic,
)

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/v1/rooms", tags=["rooms"])
MEDIA_STALE_AFTER_S = 10.0  # workers report every 2 s; three missed reports: not flowing
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or unknown API key"},
    404: {"model": ErrorBody, "description": "no such room or bot for this key"},
    409: {"model": ErrorBody, "description": "a bot has ended or is in another room"},
}


async def _check_members(store: BotStore, key: ApiKey, bot_ids: list[str]) -> None:
    if len(set(bot_ids)) != len(bot_ids):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a bot is listed twice")
    for bot_id in bot_ids:
        record = await store.get(bot_id) if len(bot_id) <= 64 else None
        if record is None or record.key_id != key.key_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no bot {bot_id[:64]!r}")
        if record.state in TERMINAL_STATES:
            raise HTTPException(status.HTTP_409_CONFLICT, f"bot {bot_id} has {record.state}")


async def _own_room(store: BotStore, key: ApiKey, room_id: str) -> RoomRecord:
    room = await store.get_room(room_id) if len(room_id) <= 64 else None
    if room is None or room.key_id != key.key_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no room {room_id[:64]!r}")
    return room


async def _notify(store: BotStore, bot_ids: list[str]) -> None:
    """Tell each bot's worker to (re)read its room membership."""
    for bot_id in bot_ids:
        await store.send_command(bot_id, "room")


def _seat_media(raw: str | None) -> SeatMedia | None:
    if not raw:
        return None
    try:
        return SeatMedia.model_validate_json(raw)
    except ValueError:
        return SeatMedia(status="error", error="unreadable report", updated_at=now())


async def room_view(store: BotStore, room: RoomRecord) -> RoomPublic:
    members = []
    for bot_id in room.members:
        record = await store.get(bot_id)
        if record is not None:
            members.append(
                RoomMemberPublic(
                    bot_id=bot_id, state=record.state, media=_seat_media(record.room_status)
                )
            )
    live = [m for m in members if m.state not in TERMINAL_STATES]
    health = "wired" if len(live) >= 2 and not room.closed else "degraded"
    at = now()
    flowing = health == "wired" and all(
        m.media is not None
        and m.media.flowing({o.bot_id for o in live} - {m.bot_id}, at, MEDIA_STALE_AFTER_S)
        for m in live
    )
    return RoomPublic(
        id=room.id,
        health=health,
        media_flowing=flowing,
        members=members,
        closed=room.closed,
        created_at=room.created_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RoomPublic, responses=ERRORS)
async def create_room(
    body: RoomCreate, key: KeyDep, store: StoreDep, settings: SettingsDep
) -> RoomPublic:
    """Create a room on the room Janus and wire the given bots into it."""
    await _check_members(store, key, body.bots)
    number = await store.next_room_number()
    at = now()
    room = RoomRecord(
        id=f"room_{uuid.uuid4().hex[:20]}",
        key_id=key.key_id,
        members=list(body.bots),
        janus_url=settings.room_janus_url,
        audio_room=100_000 + 2 * number,
        video_room=100_001 + 2 * number,
        secret=SecretStr(secrets.token_urlsafe(16)),
        prebuffer=settings.room_prebuffer,
        created_at=at,
        updated_at=at,
    )
    taken = await store.claim_for_room(room.members, room.id)
    if taken is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"bot {taken} is in another room")
    try:
        await create_rooms(RoomMedia.of_room(room))
    except Exception as exc:
        for bot_id in room.members:
            await store.release_from_room(bot_id, room.id)
        log.error("room media server unavailable", error=type(exc).__name__)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the room media server is unavailable"
        ) from None
    await store.save_room(room)
    await store.room_event(room, "created")
    await _notify(store, room.members)
    log.info("room created", room_id=room.id, members=len(room.members))
    return await room_view(store, room)


@router.get("/{room_id}", response_model=RoomPublic, responses=ERRORS)
async def get_room(room_id: str, key: KeyDep, store: StoreDep) -> RoomPublic:
    return await room_view(store, await _own_room(store, key, room_id))


@router.post("/{room_id}/bots", response_model=RoomPublic, responses=ERRORS)
async def add_bot(room_id: str, body: RoomMemberAdd, key: KeyDep, store: StoreDep) -> RoomPublic:
    room = await _own_room(store, key, room_id)
    if room.closed:
        raise HTTPException(status.HTTP_409_CONFLICT, "the room is closed")
    await _check_members(store, key, [body.bot])
    if await store.claim_for_room([body.bot], room.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"bot {body.bot} is in another room")
    room = room.model_copy(update={"members": [*room.members, body.bot], "updated_at": now()})
    await store.save_room(room)
    await store.room_event(room, "member_added", body.bot)
    await _notify(store, room.members)
    return await room_view(store, room)


async def remove_member(store: BotStore, room: RoomRecord, bot_id: str) -> RoomRecord:
    """Drop a bot from its room (it stops hearing and being heard); the rest go on."""
    room = room.model_copy(
        update={"members": [m for m in room.members if m != bot_id], "updated_at": now()}
    )
    await store.save_room(room)
    await store.release_from_room(bot_id, room.id)
    await store.room_event(room, "member_removed", bot_id)
    await _notify(store, [*room.members, bot_id])
    return room


async def drop_from_room(store: BotStore, bot_id: str) -> None:
    """A bot that ended or failed leaves its room; the room says if it is degraded."""
    record = await store.get(bot_id)
    room = await store.get_room(record.room_id) if record and record.room_id else None
    if room is not None and bot_id in room.members:
        await remove_member(store, room, bot_id)


@router.delete("/{room_id}/bots/{bot_id}", response_model=RoomPublic, responses=ERRORS)
async def remove_bot(room_id: str, bot_id: str, key: KeyDep, store: StoreDep) -> RoomPublic:
    room = await _own_room(store, key, room_id)
    if bot_id not in room.members:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"bot {bot_id[:64]!r} is not in the room")
    return await room_view(store, await remove_member(store, room, bot_id))


@router.delete("/{room_id}", response_model=RoomPublic, responses=ERRORS)
async def close_room(room_id: str, key: KeyDep, store: StoreDep) -> RoomPublic:
    """Unwire every member and destroy the room's media rooms."""
    room = await _own_room(store, key, room_id)
    members = room.members
    room = room.model_copy(update={"closed": True, "members": [], "updated_at": now()})
    await store.save_room(room)
    for bot_id in members:
        await store.release_from_room(bot_id, room.id)
    await _notify(store, members)
    try:
        await destroy_rooms(RoomMedia.of_room(room))
    except Exception as exc:  # noqa: BLE001 - the room is closed for us either way
        log.warning("room media not destroyed", room_id=room.id, error=type(exc).__name__)
    await store.room_event(room, "closed")
    return await room_view(store, room)
