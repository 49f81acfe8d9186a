"""The invite's Janus policy: joining the invited room passes (with the pin and the
guest's name added by meetbridge); every other request is refused."""

from __future__ import annotations

from typing import Any

import pytest

from meetbridge.invites import participant_of
from orchestrator.janus_policy import (
    AUDIO_PLUGIN,
    VIDEO_PLUGIN,
    InviteScope,
    RequestRefused,
    core_request,
    plugin_message,
)

pytestmark = [pytest.mark.unit]

SCOPE = InviteScope("inv_0123abcd", audio_room=100002, video_room=100003, pin="the-pin")
OTHER_AUDIO, OTHER_VIDEO = 100004, 100005  # room Y's numbers
SDP = {"type": "offer", "sdp": "v=0\r\n"}

REFUSED_CORE: list[tuple[str, dict[str, Any]]] = [
    ("root", {"janus": "info"}),
    ("root", {"janus": "attach", "plugin": AUDIO_PLUGIN}),
    ("root", {"janus": "create", "id": 42}),
    ("root", {"janus": "create", "apisecret": "x"}),
    ("root", {"janus": "list_sessions"}),
    ("root", {"janus": "ping"}),
    ("root", {}),
    ("root", {"janus": ["create"]}),
    ("session", {"janus": "claim"}),
    ("session", {"janus": "create"}),
    ("session", {"janus": "message", "body": {"request": "list"}}),
    ("session", {"janus": "attach", "plugin": "janus.plugin.echotest"}),
    ("session", {"janus": "attach", "plugin": "janus.plugin.streaming"}),
    ("session", {"janus": "attach", "plugin": "janus.plugin.textroom"}),
    ("session", {"janus": "attach", "plugin": "janus.plugin.sip"}),
    ("session", {"janus": "attach", "plugin": "janus.plugin.recordplay"}),
    ("session", {"janus": "attach", "plugin": AUDIO_PLUGIN, "token": "t"}),
    ("session", {"janus": "keepalive", "session_id": 999}),
    ("session", {"janus": "get_status"}),
    ("session", {"janus": "set_log_level", "level": 7}),
    ("handle", {"janus": "attach", "plugin": AUDIO_PLUGIN}),
    ("handle", {"janus": "message", "body": {"request": "join"}, "handle_id": 999}),
    ("handle", {"janus": "message", "body": {}, "jsep": {"type": "rollback"}}),
    ("handle", {"janus": "trickle", "candidate": {"candidate": "c", "evil": 1}}),
    ("handle", {"janus": "handle_info"}),
    ("handle", {"janus": "start_pcap", "folder": "/tmp"}),
]


@pytest.mark.parametrize(("place", "message"), REFUSED_CORE)
def test_core_requests_other_than_the_guests_are_refused(place: str, message: dict) -> None:
    with pytest.raises(RequestRefused):
        core_request(place, message, session_id=1, handle_id=2)


ALLOWED_CORE: list[tuple[str, dict[str, Any]]] = [
    ("root", {"janus": "create", "transaction": "abc"}),
    ("session", {"janus": "attach", "plugin": AUDIO_PLUGIN, "opaque_id": "page-1"}),
    ("session", {"janus": "attach", "plugin": VIDEO_PLUGIN}),
    ("session", {"janus": "keepalive", "session_id": 1}),  # janus.js sends its session id
    ("session", {"janus": "destroy"}),
    ("handle", {"janus": "message", "body": {"request": "leave"}, "jsep": SDP}),
    ("handle", {"janus": "trickle", "candidate": {"candidate": "c", "sdpMid": "0"}}),
    ("handle", {"janus": "trickle", "candidate": {"completed": True}}),
    ("handle", {"janus": "hangup"}),
    ("handle", {"janus": "detach"}),
]


@pytest.mark.parametrize(("place", "message"), ALLOWED_CORE)
def test_the_guests_core_requests_pass(place: str, message: dict) -> None:
    forward = core_request(place, message, session_id=1, handle_id=2)
    assert forward["janus"] == message["janus"] and forward["transaction"]
    assert "session_id" not in forward and "body" not in forward  # the path says; body apart


REFUSED_AUDIO: list[dict[str, Any]] = [
    {"request": "create", "room": 5},
    {"request": "destroy", "room": SCOPE.audio_room},
    {"request": "edit", "room": SCOPE.audio_room},
    {"request": "exists", "room": SCOPE.audio_room},
    {"request": "list"},
    {"request": "listparticipants", "room": SCOPE.audio_room},
    {"request": "kick", "room": SCOPE.audio_room, "id": 1},
    {"request": "kick_all", "room": SCOPE.audio_room},
    {"request": "mute", "room": SCOPE.audio_room, "id": 1},
    {"request": "mute_room", "room": SCOPE.audio_room},
    {"request": "changeroom", "room": OTHER_AUDIO},
    {"request": "rtp_forward", "room": SCOPE.audio_room, "host": "10.0.0.1", "port": 5000},
    {"request": "enable_recording", "room": SCOPE.audio_room},
    {"request": "play_file", "room": SCOPE.audio_room, "filename": "/etc/passwd"},
    {"request": "join", "room": OTHER_AUDIO},
    {"request": "join", "room": SCOPE.video_room},
    {"request": "join", "room": str(SCOPE.audio_room)},
    {"request": "join", "room": SCOPE.audio_room, "pin": "guess"},
    {"request": "join", "room": SCOPE.audio_room, "id": 7},
    {"request": "join", "room": SCOPE.audio_room, "rtp": {"ip": "10.0.0.1", "port": 5000}},
    {"request": "join", "room": SCOPE.audio_room, "secret": "x"},
    {"request": "join", "room": SCOPE.audio_room, "group": "g"},
    {"request": "configure", "record": True, "filename": "/tmp/x"},
    {"request": "leave", "room": OTHER_AUDIO},
    {"room": SCOPE.audio_room},
]


@pytest.mark.parametrize("body", REFUSED_AUDIO)
def test_audiobridge_requests_other_than_joining_the_invited_room_are_refused(
    body: dict,
) -> None:
    with pytest.raises(RequestRefused):
        plugin_message(AUDIO_PLUGIN, body, SCOPE)


REFUSED_VIDEO: list[dict[str, Any]] = [
    {"request": "create", "room": 5},
    {"request": "destroy", "room": SCOPE.video_room},
    {"request": "edit", "room": SCOPE.video_room},
    {"request": "exists", "room": SCOPE.video_room},
    {"request": "list"},
    {"request": "listparticipants", "room": SCOPE.video_room},
    {"request": "listforwarders", "room": SCOPE.video_room},
    {"request": "kick", "room": SCOPE.video_room, "id": 1},
    {"request": "moderate", "room": SCOPE.video_room, "id": 1, "mid": "0", "mute": True},
    {"request": "rtp_forward", "room": SCOPE.video_room, "publisher_id": 1, "host": "x"},
    {"request": "enable_recording", "room": SCOPE.video_room, "record": True},
    {"request": "allowed", "room": SCOPE.video_room, "action": "add"},
    {"request": "joinandconfigure", "room": SCOPE.video_room, "ptype": "publisher"},
    {"request": "join", "room": SCOPE.video_room},
    {"request": "join", "room": SCOPE.video_room, "ptype": "listener"},
    {"request": "join", "ptype": "publisher", "room": OTHER_VIDEO},
    {"request": "join", "ptype": "publisher", "room": SCOPE.audio_room},
    {"request": "join", "ptype": "publisher", "room": SCOPE.video_room, "id": 1234},
    {"request": "join", "ptype": "publisher", "room": SCOPE.video_room, "pin": "guess"},
    {"request": "join", "ptype": "subscriber", "room": OTHER_VIDEO, "streams": [{"feed": 1}]},
    {"request": "join", "ptype": "subscriber", "streams": [{"feed": "1"}]},
    {"request": "join", "ptype": "subscriber", "streams": []},
    {"request": "join", "ptype": "subscriber", "streams": [{"feed": 1}], "private_id": 5},
    {"request": "publish", "record": True, "filename": "/tmp/x"},
    {"request": "configure", "record": True},
    {"request": "configure", "streams": [{"mid": "0", "record": True}]},
    {"request": "switch", "streams": [{"feed": 1, "mid": "0", "sub_mid": "0", "room": 9}]},
    {"request": "start", "room": OTHER_VIDEO},
    {"request": "update", "subscribe": [{"feed": -1}]},
]


@pytest.mark.parametrize("body", REFUSED_VIDEO)
def test_videoroom_requests_other_than_joining_the_invited_room_are_refused(body: dict) -> None:
    with pytest.raises(RequestRefused):
        plugin_message(VIDEO_PLUGIN, body, SCOPE)


def test_other_plugins_are_refused() -> None:
    with pytest.raises(RequestRefused):
        plugin_message("janus.plugin.streaming", {"request": "list"}, SCOPE)


def test_an_audiobridge_join_gets_the_room_pin_and_the_guests_name() -> None:
    forward = plugin_message(
        AUDIO_PLUGIN, {"request": "join", "display": "Ann\u202e\n", "muted": False}, SCOPE
    )
    assert forward == {
        "request": "join",
        "room": SCOPE.audio_room,
        "pin": "the-pin",
        "display": "participant:inv_0123abcd:Ann",
        "muted": False,
    }
    assert participant_of(forward["display"]) == ("inv_0123abcd", "Ann")


def test_the_invites_name_wins_over_the_pages() -> None:
    named = InviteScope("inv_1", 1, 2, "p", name="Dr. Who")
    for plugin, body in (
        (AUDIO_PLUGIN, {"request": "join", "room": 1, "display": "bot_abc"}),
        (VIDEO_PLUGIN, {"request": "join", "ptype": "publisher", "display": "bot_abc"}),
        (VIDEO_PLUGIN, {"request": "configure", "display": "bot_abc"}),
    ):
        assert plugin_message(plugin, body, named)["display"] == "participant:inv_1:Dr. Who"


def test_videoroom_joins_get_the_room_and_pin() -> None:
    publisher = plugin_message(VIDEO_PLUGIN, {"request": "join", "ptype": "publisher"}, SCOPE)
    assert publisher == {
        "request": "join",
        "ptype": "publisher",
        "room": SCOPE.video_room,
        "pin": "the-pin",
        "display": "participant:inv_0123abcd:Guest",
    }
    streams = [{"feed": 77, "mid": "1"}]
    subscriber = plugin_message(
        VIDEO_PLUGIN,
        {"request": "join", "ptype": "subscriber", "room": SCOPE.video_room, "streams": streams},
        SCOPE,
    )
    assert subscriber == {
        "request": "join",
        "ptype": "subscriber",
        "room": SCOPE.video_room,
        "pin": "the-pin",
        "streams": streams,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"request": "publish", "audio": True, "video": True},
        {"request": "configure", "audio": True, "video": False, "bitrate": 256000},
        {"request": "configure", "streams": [{"mid": "0", "send": False}]},
        {"request": "start", "room": SCOPE.video_room},
        {"request": "start"},
        {"request": "pause"},
        {"request": "unpublish"},
        {"request": "leave"},
        {"request": "switch", "streams": [{"feed": 1, "mid": "0", "sub_mid": "0"}]},
        {"request": "update", "subscribe": [{"feed": 5}], "unsubscribe": [{"feed": 6}]},
    ],
)
def test_a_guests_own_videoroom_requests_pass(body: dict) -> None:
    forward = plugin_message(VIDEO_PLUGIN, body, SCOPE)
    assert forward["request"] == body["request"] and "pin" not in forward


def test_a_jsep_is_rebuilt_from_its_type_and_sdp() -> None:
    forward = core_request(
        "handle",
        {"janus": "message", "body": {}, "jsep": {**SDP, "e2ee": True, "x": 1}},
        session_id=1,
        handle_id=2,
    )
    assert forward["jsep"] == SDP
