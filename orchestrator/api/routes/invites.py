"""Invites: links that let a person join one room from the join page.

- `/v1/rooms/{id}/invites` (API key): make, list and revoke a room's invites;
- `/v1/invites/check` (the invite's token in `X-Meetbridge-Invite`): what the join
  page shows, or why the invite opens nothing;
- `/v1/invites/janus[/{session}[/{handle}]]` (the token, same header): the signalling
  proxy, Janus's REST API as janus.js speaks it, narrowed to joining the invited room
  (orchestrator/janus_policy.py).

The token never reaches a log: it is in no path and no query, and failures are
logged by invite id at most.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse

from meetbridge.invites import Invite, InviteError, InviteProblem
from meetbridge.records import RoomRecord, now
from orchestrator.api.deps import (
    InvitesDep,
    JanusProxyDep,
    KeyDep,
    RoomsDep,
    SettingsDep,
    StoreDep,
)
from orchestrator.janus_policy import RequestRefused
from orchestrator.janus_proxy import JanusUnavailable
from orchestrator.schemas import (
    ErrorBody,
    InviteCheck,
    InviteCreate,
    InviteCreated,
    InviteErrorBody,
    InviteList,
    InviteMeeting,
    InvitePublic,
)
from vendor_scripts.registry import VENDORS

log = structlog.get_logger(__name__)
INVITE_HEADER = "X-Meetbridge-Invite"
MAX_BODY = 128 * 1024

rooms_router = APIRouter(prefix="/v1/rooms", tags=["invites"])
router = APIRouter(prefix="/v1/invites", tags=["invites"])

KEY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or unknown API key"},
    404: {"model": ErrorBody, "description": "no such room or invite for this key"},
    409: {"model": ErrorBody, "description": "the room is closed"},
}
INVITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": InviteErrorBody, "description": "no invite, or an unknown one"},
    410: {"model": InviteErrorBody, "description": "the invite expired or was revoked"},
}
MESSAGES = {
    "unknown": "This invite link is not valid. Check that it was copied whole, or ask "
    "for a new one.",
    "expired": "This invite has expired. Ask the person who sent it for a new one.",
    "revoked": "This invite was withdrawn by the person who sent it.",
    "room_closed": "This room has closed.",
}


class InviteRefused(Exception):
    """A token that opens nothing: answered with its reason in words (no traceback)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def response(self) -> JSONResponse:
        code = status.HTTP_401_UNAUTHORIZED if self.reason == "unknown" else status.HTTP_410_GONE
        headers = {"WWW-Authenticate": "Invite"} if code == 401 else None
        return JSONResponse(
            {"detail": MESSAGES[self.reason], "reason": self.reason},
            status_code=code,
            headers=headers,
        )


async def invite_refused(_request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for InviteRefused."""
    assert isinstance(exc, InviteRefused)
    return exc.response()


def _public(invite: Invite) -> InvitePublic:
    problem = invite.problem(now())
    return InvitePublic(
        id=invite.id,
        room_id=invite.room_id,
        display_name=invite.display_name,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        revoked=invite.revoked_at is not None,
        expired=problem is InviteProblem.EXPIRED,
    )


def _join_url(request: Request, public_url: str | None, token: str) -> str:
    base = (public_url or str(request.base_url)).rstrip("/")
    return f"{base}/join#{token}"


@rooms_router.post(
    "/{room_id}/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=InviteCreated,
    responses=KEY_ERRORS,
)
async def create_invite(
    room_id: str,
    body: InviteCreate,
    request: Request,
    key: KeyDep,
    rooms: RoomsDep,
    invites: InvitesDep,
    settings: SettingsDep,
) -> InviteCreated:
    """A link for one person to join the room from a browser, until it expires. The
    link is shown only in this answer (its token is stored hashed)."""
    room = await rooms.own_room(key, room_id)
    if room.closed:
        raise HTTPException(status.HTTP_409_CONFLICT, "the room is closed")
    made = await invites.create(room.id, key.key_id, body.expires_in_s, body.display_name)
    log.info("invite created", room_id=room.id, invite_id=made.invite.id)
    return InviteCreated(
        id=made.invite.id,
        url=_join_url(request, settings.public_url, made.token),
        expires_at=made.invite.expires_at,
        display_name=made.invite.display_name,
    )


@rooms_router.get("/{room_id}/invites", response_model=InviteList, responses=KEY_ERRORS)
async def list_invites(
    room_id: str, key: KeyDep, rooms: RoomsDep, invites: InvitesDep
) -> InviteList:
    """The room's invites, revoked and expired ones too (never a token)."""
    room = await rooms.own_room(key, room_id)
    return InviteList(invites=[_public(i) for i in await invites.of_room(room.id)])


@rooms_router.delete(
    "/{room_id}/invites/{invite_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=KEY_ERRORS,
)
async def revoke_invite(
    room_id: str,
    invite_id: str,
    key: KeyDep,
    rooms: RoomsDep,
    invites: InvitesDep,
    proxy: JanusProxyDep,
) -> Response:
    """The link stops working now, and its guest leaves the room."""
    room = await rooms.own_room(key, room_id)
    invite = await invites.get(invite_id)
    if invite is None or invite.room_id != room.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no invite {invite_id[:64]!r}")
    await invites.revoke(invite.id)
    await proxy.drop(invite.id, room.janus_url)
    log.info("invite revoked", room_id=room.id, invite_id=invite.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@dataclass(frozen=True)
class Guest:
    """A usable invite and its open room."""

    invite: Invite
    room: RoomRecord


async def _guest(
    rooms: RoomsDep,
    invites: InvitesDep,
    proxy: JanusProxyDep,
    token: Annotated[str | None, Header(alias=INVITE_HEADER)] = None,
) -> Guest:
    try:
        invite = await invites.resolve(token or "")
    except InviteError as exc:
        if exc.invite is not None:  # its guest may still be in the room: not any more
            gone = await rooms.room_store.get(exc.invite.room_id)
            if gone is not None:
                await proxy.drop(exc.invite.id, gone.janus_url)
        raise InviteRefused(exc.problem.value) from None
    room = await rooms.room_store.get(invite.room_id)
    if room is None or room.closed:
        raise InviteRefused("room_closed")
    return Guest(invite, room)


GuestDep = Annotated[Guest, Depends(_guest)]


@router.post("/check", response_model=InviteCheck, responses=INVITE_ERRORS)
async def check_invite(guest: GuestDep, store: StoreDep, settings: SettingsDep) -> InviteCheck:
    """What the join page shows for a valid invite: the room's meetings."""
    meetings = []
    for bot_id in guest.room.members:
        record = await store.get(bot_id)
        if record is not None:
            spec = VENDORS.get(record.vendor)
            title = spec.hosts.title if spec is not None else record.vendor
            meetings.append(
                InviteMeeting(bot_id=bot_id, vendor=record.vendor, title=title, state=record.state)
            )
    return InviteCheck(
        invite_id=guest.invite.id,
        room_id=guest.room.id,
        display_name=guest.invite.display_name,
        expires_at=guest.invite.expires_at,
        meetings=meetings,
        ice_servers=settings.join_ice_servers,
    )


async def _message(request: Request) -> object:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "the request is too large")
    try:
        return json.loads(body)
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the request is not JSON") from None


def _refused(reason: str) -> JSONResponse:
    return JSONResponse({"detail": reason, "reason": "refused"}, status_code=403)


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 20 else None


PROXY_ERRORS: dict[int | str, dict[str, Any]] = {
    **INVITE_ERRORS,
    403: {"model": InviteErrorBody, "description": "not a request this invite may make"},
    503: {"model": ErrorBody, "description": "the room media server is unavailable"},
}


async def _proxied(call: Any) -> Any:
    try:
        return await call
    except RequestRefused as exc:
        return _refused(str(exc))
    except JanusUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None


@router.post("/janus", responses=PROXY_ERRORS)
async def janus_root(request: Request, guest: GuestDep, proxy: JanusProxyDep) -> Any:
    """Janus `create`: a session for the invite."""
    message = await _message(request)
    return await _proxied(proxy.create_session(guest.invite, guest.room, message))


@router.post("/janus/{session_id}", responses=PROXY_ERRORS)
async def janus_session(
    session_id: str, request: Request, guest: GuestDep, proxy: JanusProxyDep
) -> Any:
    """Janus `attach` (AudioBridge or VideoRoom), `keepalive`, `destroy`."""
    message = await _message(request)
    session = _id(session_id)
    if session is None:
        return _refused("not a session of this invite")
    return await _proxied(proxy.session_request(guest.invite, guest.room, session, message))


@router.post("/janus/{session_id}/{handle_id}", responses=PROXY_ERRORS)
async def janus_handle(
    session_id: str, handle_id: str, request: Request, guest: GuestDep, proxy: JanusProxyDep
) -> Any:
    """Janus `message` (joining the invited room), `trickle`, `hangup`, `detach`."""
    message = await _message(request)
    session, handle = _id(session_id), _id(handle_id)
    if session is None or handle is None:
        return _refused("not a handle of this invite")
    return await _proxied(proxy.handle_request(guest.invite, guest.room, session, handle, message))


@router.get("/janus/{session_id}", responses=PROXY_ERRORS)
async def janus_events(
    session_id: str, request: Request, guest: GuestDep, proxy: JanusProxyDep, maxev: int = 1
) -> Any:
    """The long poll of the invite's own session (janus.js sends `rid` too: ignored).
    It ends when the browser goes away, rather than holding the API for up to 30 s (a
    closed tab, or an API that is stopping)."""
    session = _id(session_id)
    if session is None:
        return _refused("not a session of this invite")
    poll = asyncio.ensure_future(_proxied(proxy.poll(guest.invite, guest.room, session, maxev)))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait((poll, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (poll, gone):
            task.cancel()
    if poll.done() and not poll.cancelled():
        return poll.result()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (a GET has no body: the next ASGI message after
    the empty request is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
