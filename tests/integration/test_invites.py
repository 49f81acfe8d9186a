"""Invites over the real stack and a real room Janus: a link opens its room to a browser
through meetbridge's signalling proxy and nothing else; an expired, revoked or
tampered one opens nothing and says why; the token never reaches a log."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from lab.room_scene import eventually
from meetbridge.invites import InviteStore, participant_of
from meetbridge.janus_http import JanusSession
from meetbridge.janus_rooms import AUDIO_PLUGIN, VIDEO_PLUGIN
from orchestrator.janus_proxy import MAX_SESSIONS
from tests.fixtures.invites import HEADER, setting

pytestmark = [pytest.mark.integration]


async def test_an_invite_is_checked_listed_revoked_and_grants_nothing_of_the_api(
    tmp_path: Path, lab_session: None
) -> None:
    async with setting(tmp_path) as s:
        room = await s.room(bots=2)
        token, made = await s.invite(room["id"], display_name="Ann")
        assert made["display_name"] == "Ann"
        async with s.guest(token) as guest:
            checked = await guest.post("/v1/invites/check")
            assert checked.status_code == 200, checked.text
            body = checked.json()
            assert body["room_id"] == room["id"] and body["display_name"] == "Ann"
            assert [m["bot_id"] for m in body["meetings"]] == [m["bot_id"] for m in room["members"]]
            assert {m["vendor"] for m in body["meetings"]} == {"janus"}
            assert "pin" not in checked.text and "secret" not in checked.text

        listed = (await s.api.get(f"/v1/rooms/{room['id']}/invites")).json()["invites"]
        assert [i["id"] for i in listed] == [made["id"]] and token not in str(listed)
        assert listed[0]["revoked"] is False and listed[0]["expired"] is False

        # The token is not an API key, in any form.
        for auth in (f"Bearer {token}", f"Invite {token}", token):
            async with httpx.AsyncClient(
                base_url=s.stack.base_url, headers={"Authorization": auth, HEADER: token}
            ) as client:
                for method, path in (
                    ("GET", "/v1/bots"),
                    ("POST", "/v1/bots"),
                    ("GET", f"/v1/rooms/{room['id']}"),
                    ("GET", f"/v1/rooms/{room['id']}/invites"),
                    ("POST", f"/v1/rooms/{room['id']}/invites"),
                    ("DELETE", f"/v1/rooms/{room['id']}"),
                ):
                    answer = await client.request(method, path, json={"expires_in_s": 600})
                    assert answer.status_code == 401, (method, path, answer.text)

        # Tampered, missing, and another key's room.
        tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
        for bad in (tampered, token + "x", token.upper(), "", None):
            async with s.guest(bad) as guest:
                answer = await guest.post("/v1/invites/check")
                assert answer.status_code == 401 and answer.json()["reason"] == "unknown"
                assert "not valid" in answer.json()["detail"]
        other = await s.stack.new_key("other")
        async with s.stack.client(other) as stranger:
            for method, path in (
                ("POST", f"/v1/rooms/{room['id']}/invites"),
                ("GET", f"/v1/rooms/{room['id']}/invites"),
                ("DELETE", f"/v1/rooms/{room['id']}/invites/{made['id']}"),
            ):
                answer = await stranger.request(method, path, json={"expires_in_s": 600})
                assert answer.status_code == 404, (method, path)

        # Revoked.
        gone = await s.api.delete(f"/v1/rooms/{room['id']}/invites/{made['id']}")
        assert gone.status_code == 204
        assert (await s.api.delete(f"/v1/rooms/{room['id']}/invites/inv_nope")).status_code == 404
        async with s.guest(token) as guest:
            answer = await guest.post("/v1/invites/check")
            assert answer.status_code == 410 and answer.json()["reason"] == "revoked"
            assert "withdrawn" in answer.json()["detail"]
        listed = (await s.api.get(f"/v1/rooms/{room['id']}/invites")).json()["invites"]
        assert listed[0]["revoked"] is True

        # Expired (the store makes one that lasts a second; the API's least is a minute).
        short = await InviteStore(s.redis).create(room["id"], "k", 1)
        await asyncio.sleep(1.2)
        async with s.guest(short.token) as guest:
            answer = await guest.post("/v1/invites/check")
            assert answer.status_code == 410 and answer.json()["reason"] == "expired"
            assert "expired" in answer.json()["detail"]

        # Closing the room revokes its invites; a closed room takes no new ones.
        last, _ = await s.invite(room["id"])
        assert (await s.api.delete(f"/v1/rooms/{room['id']}")).status_code == 200
        async with s.guest(last) as guest:
            answer = await guest.post("/v1/invites/check")
            assert answer.status_code == 410 and answer.json()["reason"] == "revoked"
        again = await s.api.post(f"/v1/rooms/{room['id']}/invites", json={"expires_in_s": 600})
        assert again.status_code == 409
        for secret in (token, short.token, last):
            assert secret not in s.stack.all_logs()
            assert secret[4:] not in s.stack.all_logs()


class ProxyClient:
    """Janus's REST API through the proxy, as janus.js uses it."""

    def __init__(self, guest: httpx.AsyncClient):
        self.guest = guest
        self.session: int | None = None

    async def post(self, path: str, message: dict[str, Any]) -> httpx.Response:
        message = {"transaction": secrets.token_hex(6), **message}
        return await self.guest.post(f"/v1/invites/janus{path}", json=message)

    async def create(self) -> int:
        answer = await self.post("", {"janus": "create"})
        assert answer.status_code == 200, answer.text
        self.session = int(answer.json()["data"]["id"])
        return self.session

    async def attach(self, plugin: str) -> int:
        answer = await self.post(f"/{self.session}", {"janus": "attach", "plugin": plugin})
        assert answer.status_code == 200 and answer.json()["janus"] == "success", answer.text
        return int(answer.json()["data"]["id"])

    async def message(self, handle: int, body: dict[str, Any]) -> httpx.Response:
        return await self.post(f"/{self.session}/{handle}", {"janus": "message", "body": body})

    async def event(self, handle: int, body: dict[str, Any]) -> dict[str, Any]:
        """An asynchronous plugin request and its event (through the long poll)."""
        answer = await self.message(handle, body)
        assert answer.status_code == 200, answer.text
        transaction = answer.json()["transaction"]
        async with asyncio.timeout(15):
            while True:
                polled = await self.guest.get(
                    f"/v1/invites/janus/{self.session}", params={"maxev": 5, "rid": 1}
                )
                assert polled.status_code == 200, polled.text
                events = polled.json() if isinstance(polled.json(), list) else [polled.json()]
                for event in events:
                    if event.get("transaction") == transaction and event["janus"] != "ack":
                        return dict(event)


async def _participants(janus_url: str, plugin: str, room: int) -> list[dict[str, Any]]:
    async with JanusSession(janus_url) as session:
        handle = await session.attach(plugin)
        data = await handle.request({"request": "listparticipants", "room": room})
        return list(data.get("participants", []))


async def test_the_proxy_lets_a_guest_join_the_invited_room_and_nothing_else(
    tmp_path: Path, lab_session: None
) -> None:
    async with setting(tmp_path) as s:
        x, y = await s.room(), await s.room()
        rx, ry = await s.record(x["id"]), await s.record(y["id"])
        token, made = await s.invite(x["id"])
        other_token, _ = await s.invite(y["id"])
        async with s.guest(token) as guest, s.guest(other_token) as other_guest:
            proxy, other = ProxyClient(guest), ProxyClient(other_guest)
            session = await proxy.create()
            other_session = await other.create()
            audio = await proxy.attach(AUDIO_PLUGIN)
            video = await proxy.attach(VIDEO_PLUGIN)
            other_audio = await other.attach(AUDIO_PLUGIN)

            joined = await proxy.event(audio, {"request": "join", "display": "Ann"})
            data = joined["plugindata"]["data"]
            assert data["audiobridge"] == "joined" and data["room"] == rx.audio_room, joined
            published = await proxy.event(video, {"request": "join", "ptype": "publisher"})
            assert published["plugindata"]["data"]["videoroom"] == "joined"
            assert published["plugindata"]["data"]["room"] == rx.video_room
            in_x = await _participants(rx.janus_url, AUDIO_PLUGIN, rx.audio_room)
            assert [participant_of(p["display"]) for p in in_x] == [(made["id"], "Ann")]

            attempts: list[tuple[str, dict[str, Any]]] = [
                ("", {"janus": "info"}),
                ("", {"janus": "create", "id": 1234}),
                (f"/{session}", {"janus": "attach", "plugin": "janus.plugin.echotest"}),
                (f"/{session}", {"janus": "attach", "plugin": "janus.plugin.streaming"}),
                (f"/{session}", {"janus": "attach", "plugin": "janus.plugin.textroom"}),
                (f"/{session}", {"janus": "claim"}),
                (f"/{other_session}", {"janus": "keepalive"}),  # Y's guest's session
                (f"/{other_session}", {"janus": "destroy"}),
                (f"/{other_session}/{other_audio}", {"janus": "detach"}),
                (f"/{session}/{other_audio}", {"janus": "hangup"}),  # not our handle
                (f"/{session}/{audio + 1}", {"janus": "detach"}),
                ("/admin", {"janus": "list_sessions"}),
                ("/info", {"janus": "info"}),
            ]
            plugin_attempts: list[tuple[int, dict[str, Any]]] = [
                (audio, {"request": "create", "room": 999}),
                (audio, {"request": "destroy", "room": rx.audio_room}),
                (audio, {"request": "destroy", "room": ry.audio_room}),
                (audio, {"request": "list"}),
                (audio, {"request": "exists", "room": ry.audio_room}),
                (audio, {"request": "listparticipants", "room": rx.audio_room}),
                (audio, {"request": "kick", "room": rx.audio_room, "id": 1}),
                (audio, {"request": "changeroom", "room": ry.audio_room}),
                (audio, {"request": "join", "room": ry.audio_room}),
                (audio, {"request": "rtp_forward", "room": rx.audio_room, "host": "10.99.0.1"}),
                (audio, {"request": "enable_recording", "room": rx.audio_room}),
                (audio, {"request": "configure", "record": True}),
                (video, {"request": "create", "room": 999}),
                (video, {"request": "list"}),
                (video, {"request": "listparticipants", "room": ry.video_room}),
                (video, {"request": "join", "ptype": "publisher", "room": ry.video_room}),
                (video, {"request": "join", "ptype": "publisher", "id": 1}),
                (video, {"request": "moderate", "room": rx.video_room, "id": 1}),
                (video, {"request": "rtp_forward", "room": rx.video_room}),
                (video, {"request": "edit", "room": rx.video_room, "new_pin": "mine"}),
            ]
            for path, message in attempts:
                answer = await proxy.post(path, message)
                assert answer.status_code == 403, (path, message, answer.text)
                assert answer.json()["reason"] == "refused" and answer.json()["detail"]
            for handle, body in plugin_attempts:
                answer = await proxy.message(handle, body)
                assert answer.status_code == 403, (body, answer.text)
            for path in ("/admin", "/info", f"/{other_session}"):
                answer = await guest.get(f"/v1/invites/janus{path}", params={"maxev": 1})
                assert answer.status_code == 403, path
            # A session made on Janus by someone else (a bot, say) is not the guest's.
            async with JanusSession(rx.janus_url) as bots:
                assert bots.id is not None
                answer = await proxy.post(
                    f"/{bots.id}", {"janus": "attach", "plugin": AUDIO_PLUGIN}
                )
                assert answer.status_code == 403
            assert await _participants(ry.janus_url, AUDIO_PLUGIN, ry.audio_room) == []
            assert await _participants(ry.janus_url, VIDEO_PLUGIN, ry.video_room) == []

            # Revoked: the guest is out of the room at once, and the proxy closed.
            await s.api.delete(f"/v1/rooms/{x['id']}/invites/{made['id']}")

            async def left() -> bool:
                return await _participants(rx.janus_url, AUDIO_PLUGIN, rx.audio_room) == []

            await eventually(left, 10)
            answer = await proxy.post(f"/{session}", {"janus": "keepalive"})
            assert answer.status_code == 410 and answer.json()["reason"] == "revoked"
        assert token not in s.stack.all_logs() and other_token not in s.stack.all_logs()


async def test_an_invite_holds_a_few_sessions_and_forgets_those_janus_dropped(
    tmp_path: Path, lab_session: None
) -> None:
    async with setting(tmp_path) as s:
        room = await s.room()
        record = await s.record(room["id"])
        token, _ = await s.invite(room["id"])
        async with s.guest(token) as guest:
            proxy = ProxyClient(guest)
            sessions = [await proxy.create() for _ in range(MAX_SESSIONS)]
            answer = await proxy.post("", {"janus": "create"})
            assert answer.status_code == 403 and "at most" in answer.json()["detail"]
            # One the page destroyed, one Janus dropped (as after a closed tab's timeout).
            assert (await proxy.post(f"/{sessions[0]}", {"janus": "destroy"})).status_code == 200
            async with httpx.AsyncClient() as janus:
                dropped = await janus.post(
                    f"{record.janus_url}/{sessions[1]}",
                    json={"janus": "destroy", "transaction": "t"},
                )
                assert dropped.json()["janus"] == "success"
            await proxy.create()
            await proxy.create()
            answer = await proxy.post("", {"janus": "create"})
            assert answer.status_code == 403
            answer = await proxy.post(f"/{sessions[0]}", {"janus": "keepalive"})
            assert answer.status_code == 403  # forgotten: no longer the invite's
