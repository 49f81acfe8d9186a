"""/v1/rooms: put meetings into one virtual room, change its members, close it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from orchestrator.api.deps import KeyDep, RoomsDep, SettingsDep
from orchestrator.schemas import ErrorBody, RoomCreate, RoomList, RoomMemberAdd, RoomPublic

router = APIRouter(prefix="/v1/rooms", tags=["rooms"])
ROOMS_LISTED = 50
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or unknown API key"},
    404: {"model": ErrorBody, "description": "no such room or bot for this key"},
    409: {"model": ErrorBody, "description": "a bot has ended or is in another room"},
}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RoomPublic, responses=ERRORS)
async def create_room(
    body: RoomCreate, key: KeyDep, rooms: RoomsDep, settings: SettingsDep
) -> RoomPublic:
    """Create a room on the room Janus and wire the given bots into it."""
    await rooms.check_members(key, body.bots)
    room = await rooms.create(
        key, body.bots, janus_url=settings.room_janus_url, prebuffer=settings.room_prebuffer
    )
    return await rooms.view(room)


@router.get("", response_model=RoomList, responses={401: ERRORS[401]})
async def list_rooms(key: KeyDep, rooms: RoomsDep) -> RoomList:
    """The caller's rooms, newest first (at most 50), closed ones included."""
    return RoomList(rooms=await rooms.of_key(key, ROOMS_LISTED))


@router.get("/{room_id}", response_model=RoomPublic, responses=ERRORS)
async def get_room(room_id: str, key: KeyDep, rooms: RoomsDep) -> RoomPublic:
    return await rooms.view(await rooms.own_room(key, room_id))


@router.post("/{room_id}/bots", response_model=RoomPublic, responses=ERRORS)
async def add_bot(room_id: str, body: RoomMemberAdd, key: KeyDep, rooms: RoomsDep) -> RoomPublic:
    room = await rooms.own_room(key, room_id)
    if room.closed:
        raise HTTPException(status.HTTP_409_CONFLICT, "the room is closed")
    await rooms.check_members(key, [body.bot])
    return await rooms.view(await rooms.add_member(room, body.bot))


@router.delete("/{room_id}/bots/{bot_id}", response_model=RoomPublic, responses=ERRORS)
async def remove_bot(room_id: str, bot_id: str, key: KeyDep, rooms: RoomsDep) -> RoomPublic:
    room = await rooms.own_room(key, room_id)
    if bot_id not in room.members:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"bot {bot_id[:64]!r} is not in the room")
    return await rooms.view(await rooms.remove_member(room, bot_id))


@router.delete("/{room_id}", response_model=RoomPublic, responses=ERRORS)
async def close_room(room_id: str, key: KeyDep, rooms: RoomsDep) -> RoomPublic:
    """Unwire every member and destroy the room's media rooms."""
    return await rooms.view(await rooms.close(await rooms.own_room(key, room_id)))
