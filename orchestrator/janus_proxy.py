"""The signalling proxy: a browser holding an invite speaks Janus's REST API to the
API's origin, and only what janus_policy.py allows reaches the room Janus.

The browser never learns where the room Janus is (its HTTP API stays on a private
address; only its media ports face the network), nor the room's pin. Sessions and
handles are the room Janus's own ids; the proxy remembers in Redis which of them
each invite made (meetbridge/invites.py: InviteSessions), and refuses any other.
A revoked invite's sessions are destroyed at once, which drops its guest from the
room; an expired one's, at its next request.
"""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import structlog

from meetbridge.invites import Invite, InviteSessions, participant_of
from meetbridge.records import RoomRecord
from orchestrator.janus_policy import InviteScope, RequestRefused, core_request, plugin_message

log = structlog.get_logger(__name__)
MAX_SESSIONS = 4  # per invite: a page needs one; a few for reloads and tabs
MAX_HANDLES = 24  # per session: the AudioBridge, a publisher, a subscriber per member
POLL_MAX_EVENTS = 10
POLL_TIMEOUT_S = 40.0  # Janus answers a long poll within 30 s


class JanusUnavailable(RuntimeError):
    """The room Janus did not answer."""


def scope_of(invite: Invite, room: RoomRecord) -> InviteScope:
    return InviteScope(
        invite_id=invite.id,
        audio_room=room.audio_room,
        video_room=room.video_room,
        pin=room.pin.get_secret_value() if room.pin is not None else None,
        name=invite.display_name,
    )


class JanusProxy:
    """Forwards an invite's allowed requests to its room's Janus and keeps its ids."""

    def __init__(self, client: httpx.AsyncClient, sessions: InviteSessions):
        self._client = client
        self.sessions = sessions

    async def _post(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(url, json=message)
            response.raise_for_status()
            reply: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("room janus unavailable", error=type(exc).__name__)
            raise JanusUnavailable("the room media server is unavailable") from None
        return reply

    async def create_session(self, invite: Invite, room: RoomRecord, message: object) -> dict:
        forward = core_request("root", message)
        if len(await self._live_sessions(invite.id, room.janus_url)) >= MAX_SESSIONS:
            raise RequestRefused(f"an invite has at most {MAX_SESSIONS} sessions at once")
        reply = await self._post(room.janus_url, forward)
        if reply.get("janus") == "success":
            await self.sessions.add_session(invite.id, int(reply["data"]["id"]))
        return reply

    async def _live_sessions(self, invite_id: str, janus_url: str) -> list[int]:
        """The invite's sessions; at the limit, those Janus timed out are forgotten first
        (a closed tab's session lingers until Janus drops it, 60 s without keepalive)."""
        sessions = await self.sessions.sessions(invite_id)
        if len(sessions) < MAX_SESSIONS:
            return sessions
        live = []
        for session_id in sessions:
            reply = await self._post(
                f"{janus_url}/{session_id}", {"janus": "keepalive", "transaction": "prune"}
            )
            if reply.get("janus") == "error":
                await self.sessions.forget_session(invite_id, session_id)
            else:
                live.append(session_id)
        return live

    async def _own_session(self, invite: Invite, session_id: int) -> None:
        if not await self.sessions.owns_session(invite.id, session_id):
            raise RequestRefused("not a session of this invite")

    async def session_request(
        self, invite: Invite, room: RoomRecord, session_id: int, message: object
    ) -> dict:
        await self._own_session(invite, session_id)
        forward = core_request("session", message, session_id=session_id)
        if forward["janus"] == "attach":
            if await self.sessions.handles(invite.id, session_id) >= MAX_HANDLES:
                raise RequestRefused(f"a session has at most {MAX_HANDLES} handles")
        reply = await self._post(f"{room.janus_url}/{session_id}", forward)
        if reply.get("janus") == "success":
            if forward["janus"] == "attach":
                handle_id = int(reply["data"]["id"])
                await self.sessions.add_handle(invite.id, session_id, handle_id, forward["plugin"])
            elif forward["janus"] == "destroy":
                await self.sessions.forget_session(invite.id, session_id)
        return reply

    async def handle_request(
        self,
        invite: Invite,
        room: RoomRecord,
        session_id: int,
        handle_id: int,
        message: object,
    ) -> dict:
        await self._own_session(invite, session_id)
        handle = await self.sessions.handle(invite.id, session_id, handle_id)
        if handle is None:
            raise RequestRefused("not a handle of this session")
        forward = core_request("handle", message, session_id=session_id, handle_id=handle_id)
        if forward["janus"] == "message":
            assert isinstance(message, dict)
            forward["body"] = plugin_message(
                handle.plugin, message.get("body"), scope_of(invite, room)
            )
            guest = participant_of(str(forward["body"].get("display", "")))
            if guest is not None:  # the name the others will see, for the room's view
                await self.sessions.note_name(invite.id, guest[1])
        reply = await self._post(f"{room.janus_url}/{session_id}/{handle_id}", forward)
        if forward["janus"] == "detach" and reply.get("janus") == "success":
            await self.sessions.forget_handle(invite.id, handle_id)
        return reply

    async def poll(self, invite: Invite, room: RoomRecord, session_id: int, maxev: int) -> Any:
        """One long poll of the invite's own session: its events, as Janus gives them."""
        await self._own_session(invite, session_id)
        params = {"maxev": str(min(max(maxev, 1), POLL_MAX_EVENTS))}
        try:
            response = await self._client.get(
                f"{room.janus_url}/{session_id}", params=params, timeout=POLL_TIMEOUT_S
            )
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("room janus poll failed", error=type(exc).__name__)
            raise JanusUnavailable("the room media server is unavailable") from None

    async def drop(self, invite_id: str, janus_url: str) -> None:
        """Destroy every session the invite made (revoked, expired or its room closed):
        its guest leaves the room now rather than when Janus times the session out."""
        for session_id in await self.sessions.forget(invite_id):
            with contextlib.suppress(httpx.HTTPError):
                await self._client.post(
                    f"{janus_url}/{session_id}",
                    json={"janus": "destroy", "transaction": "meetbridge-drop"},
                )
        log.info("invite sessions dropped", invite_id=invite_id)
