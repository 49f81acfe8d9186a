"""What a browser holding an invite may ask of the room Janus: joining the invited room,
and nothing else. Pure: a request comes in, the request to forward (or a refusal)
goes out. The proxy (orchestrator/janus_proxy.py) does the HTTP and the bookkeeping.

The browser speaks Janus's REST API as janus.js does (a session at the root, plugin
handles under it). Every request is rebuilt from the fields allowed for it: a field
that is not allowed is refused by name, never passed on, so what Janus sees is only
what this module wrote. What it adds:

- the room: a request may name the invited room or none (then the invited one is
  filled in); any other room is refused, whatever its number;
- the room's join pin, which the browser never knows (a pin it sends is refused);
- the participant's name, always `participant:<invite id>:<name>` (see
  meetbridge/invites.py): the invite's name when it has one, else the one the page
  gave; nobody can pose as a bot or as another invite's guest;
- no participant or feed `id`: Janus picks one, so a guest can never take a bot's
  feed id (the bots find each other by fixed ids).

Allowed, per place:
- root: `create` (a session);
- session: `attach` to the AudioBridge or VideoRoom, `keepalive`, `destroy`;
- handle: `message` (below), `trickle`, `hangup`, `detach`.
AudioBridge messages: `join`, `configure`, `leave`. VideoRoom: `join` as publisher or
as subscriber (feeds of the invited room only: Janus looks feeds up in the handle's
own room), `publish`, `configure`, `unpublish`, `start`, `pause`, `switch`,
`update`, `leave`. Everything else is refused: room management (create, edit,
destroy, exists, list, listparticipants, kick, moderate, mute, rtp_forward,
recording, play_file, changeroom, ...), other plugins, `info`, `claim`, and the
admin API (which the proxy has no route to).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meetbridge.invites import participant_display

AUDIO_PLUGIN = "janus.plugin.audiobridge"
VIDEO_PLUGIN = "janus.plugin.videoroom"
PLUGINS = frozenset({AUDIO_PLUGIN, VIDEO_PLUGIN})
MAX_SDP = 64 * 1024
MAX_STREAMS = 16
_TRANSACTION = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MID = re.compile(r"[A-Za-z0-9_-]{1,16}")


class RequestRefused(Exception):
    """A request the invite does not allow; the message says which part, for the page."""


@dataclass(frozen=True)
class InviteScope:
    """What one invite may join, and who it is there."""

    invite_id: str
    audio_room: int
    video_room: int
    pin: str | None
    name: str | None = None  # the invite's own name for its guest, over the page's

    def display(self, given: object) -> str:
        name = self.name or (given if isinstance(given, str) else "")
        return participant_display(self.invite_id, name)


# Top-level fields per Janus verb, beside `janus` and `transaction`. `session_id` and
# `handle_id` are allowed only when they repeat the path (janus.js sends session_id
# with a keepalive).
_VERBS: dict[str, dict[str, frozenset[str]]] = {
    "root": {"create": frozenset()},
    "session": {
        "attach": frozenset({"plugin", "opaque_id", "session_id"}),
        "keepalive": frozenset({"session_id"}),
        "destroy": frozenset({"session_id"}),
    },
    "handle": {
        "message": frozenset({"body", "jsep", "session_id", "handle_id"}),
        "trickle": frozenset({"candidate", "candidates", "session_id", "handle_id"}),
        "hangup": frozenset({"session_id", "handle_id"}),
        "detach": frozenset({"session_id", "handle_id"}),
    },
}

# Plugin requests and the body fields each may carry (beside `request`). `room`,
# `display`, and `ptype` are handled apart.
_AUDIO_REQUESTS: dict[str, frozenset[str]] = {
    "join": frozenset({"room", "display", "muted", "bitrate", "quality", "expected_loss"}),
    "configure": frozenset({"display", "muted", "bitrate", "quality", "expected_loss"}),
    "leave": frozenset(),
}
_VIDEO_REQUESTS: dict[str, frozenset[str]] = {
    "join:publisher": frozenset({"room", "ptype", "display"}),
    "join:subscriber": frozenset({"room", "ptype", "streams"}),
    "publish": frozenset(
        {"audio", "video", "data", "bitrate", "keyframe", "descriptions", "display"}
        | {"audiocodec", "videocodec"}
    ),
    "configure": frozenset(
        {"audio", "video", "data", "bitrate", "keyframe", "streams", "descriptions", "display"}
    ),
    "unpublish": frozenset(),
    "start": frozenset({"room"}),
    "pause": frozenset(),
    "switch": frozenset({"streams"}),
    "update": frozenset({"subscribe", "unsubscribe"}),
    "leave": frozenset(),
}


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RequestRefused(f"{what} must be a JSON object")
    return value


def _only(message: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    extra = sorted(set(message) - allowed)
    if extra:
        raise RequestRefused(f"{what} may not carry {extra[0]!r}")


def _transaction(message: Mapping[str, Any]) -> str:
    given = message.get("transaction")
    if isinstance(given, str) and _TRANSACTION.fullmatch(given):
        return given
    if given is None:
        return secrets.token_hex(6)
    raise RequestRefused("transaction must be 1-64 letters, digits or _.:-")


def _same_id(message: Mapping[str, Any], field: str, expected: int | None) -> None:
    if field in message and message[field] != expected:
        raise RequestRefused(f"{field} does not match the path")


def core_request(
    place: str,
    message: object,
    *,
    session_id: int | None = None,
    handle_id: int | None = None,
) -> dict[str, Any]:
    """The core request to forward from `place` (root, session or handle), without its
    plugin body (see `plugin_message`): its verb allowed there, its fields allowed for
    the verb. Raises RequestRefused."""
    message = _object(message, "a Janus request")
    verb = message.get("janus")
    verbs = _VERBS[place]
    if not isinstance(verb, str) or verb not in verbs:
        shown = verb if isinstance(verb, str) else type(verb).__name__
        raise RequestRefused(f"janus {shown[:32]!r} is not allowed here")
    _only(message, verbs[verb] | {"janus", "transaction"}, f"janus {verb!r}")
    _same_id(message, "session_id", session_id)
    _same_id(message, "handle_id", handle_id)
    forward: dict[str, Any] = {"janus": verb, "transaction": _transaction(message)}
    if verb == "attach":
        plugin = message.get("plugin")
        if plugin not in PLUGINS:
            raise RequestRefused(f"plugin {str(plugin)[:64]!r} is not allowed")
        forward["plugin"] = plugin
        opaque = message.get("opaque_id")
        if isinstance(opaque, str) and len(opaque) <= 64:
            forward["opaque_id"] = opaque
    elif verb == "trickle":
        forward |= _candidates(message)
    elif verb == "message":
        if "jsep" in message:
            forward["jsep"] = _jsep(message["jsep"])
    return forward


def _candidates(message: Mapping[str, Any]) -> dict[str, Any]:
    if "candidate" in message:
        return {"candidate": _candidate(message["candidate"])}
    given = message.get("candidates")
    if not isinstance(given, list) or len(given) > 64:
        raise RequestRefused("trickle needs a candidate or a list of at most 64")
    return {"candidates": [_candidate(c) for c in given]}


def _candidate(value: object) -> dict[str, Any]:
    candidate = _object(value, "a candidate")
    if candidate.get("completed") is True and len(candidate) == 1:
        return {"completed": True}
    _only(candidate, frozenset({"candidate", "sdpMid", "sdpMLineIndex"}), "a candidate")
    if not isinstance(candidate.get("candidate"), str) or len(candidate["candidate"]) > 512:
        raise RequestRefused("a candidate needs its candidate line")
    return dict(candidate)


def _jsep(value: object) -> dict[str, Any]:
    jsep = _object(value, "jsep")
    if jsep.get("type") not in ("offer", "answer"):
        raise RequestRefused("jsep must be an offer or an answer")
    sdp = jsep.get("sdp")
    if not isinstance(sdp, str) or len(sdp) > MAX_SDP:
        raise RequestRefused(f"jsep needs an sdp of at most {MAX_SDP} characters")
    forward: dict[str, Any] = {"type": jsep["type"], "sdp": sdp}
    if isinstance(jsep.get("trickle"), bool):
        forward["trickle"] = jsep["trickle"]
    return forward


def plugin_message(plugin: str, body: object, scope: InviteScope) -> dict[str, Any]:
    """The plugin body to forward for a `message` on a handle attached to `plugin`.
    Raises RequestRefused."""
    body = _object(body, "a plugin message")
    request = body.get("request")
    if not isinstance(request, str):
        raise RequestRefused("a plugin message needs its request")
    if plugin == AUDIO_PLUGIN:
        return _audio(request, body, scope)
    if plugin == VIDEO_PLUGIN:
        return _video(request, body, scope)
    raise RequestRefused(f"plugin {plugin[:64]!r} is not allowed")


def _room(body: Mapping[str, Any], invited: int) -> int:
    room = body.get("room", invited)
    if room != invited or isinstance(room, bool):
        raise RequestRefused(f"room {str(room)[:32]} is not the invited room")
    return invited


def _pinned(forward: dict[str, Any], pin: str | None) -> dict[str, Any]:
    return {**forward, "pin": pin} if pin else forward


def _rest(body: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """The allowed fields other than those handled apart, each a JSON scalar, a list
    or an object of scalars (bitrates, flags, stream settings)."""
    apart = {"request", "room", "display", "ptype", "streams", "subscribe", "unsubscribe"}
    return {k: v for k, v in body.items() if k in allowed and k not in apart}


def _audio(request: str, body: Mapping[str, Any], scope: InviteScope) -> dict[str, Any]:
    if request not in _AUDIO_REQUESTS:
        raise RequestRefused(f"audiobridge {request[:32]!r} is not allowed")
    allowed = _AUDIO_REQUESTS[request]
    _only(body, allowed | {"request"}, f"audiobridge {request!r}")
    forward: dict[str, Any] = {"request": request, **_rest(body, allowed)}
    if request == "join":
        forward["room"] = _room(body, scope.audio_room)
        forward = _pinned(forward, scope.pin)
    if request == "join" or "display" in body:
        forward["display"] = scope.display(body.get("display"))
    return forward


def _video(request: str, body: Mapping[str, Any], scope: InviteScope) -> dict[str, Any]:
    key = request
    if request == "join":
        ptype = body.get("ptype")
        if ptype not in ("publisher", "subscriber"):
            raise RequestRefused("videoroom join needs ptype publisher or subscriber")
        key = f"join:{ptype}"
    if key not in _VIDEO_REQUESTS:
        raise RequestRefused(f"videoroom {request[:32]!r} is not allowed")
    allowed = _VIDEO_REQUESTS[key]
    _only(body, allowed | {"request"}, f"videoroom {key!r}")
    forward: dict[str, Any] = {"request": request, **_rest(body, allowed)}
    if "room" in allowed:
        forward["room"] = _room(body, scope.video_room)
    if request == "join":
        forward["ptype"] = body["ptype"]
        forward = _pinned(forward, scope.pin)
    if key == "join:publisher" or "display" in body:
        forward["display"] = scope.display(body.get("display"))
    if key == "join:subscriber":
        forward["streams"] = _feeds(body.get("streams"), "streams", required=True)
    elif request == "switch":
        forward["streams"] = _feeds(body.get("streams"), "streams", required=True)
    elif request == "update":
        for field in ("subscribe", "unsubscribe"):
            if field in body:
                forward[field] = _feeds(body[field], field, required=False)
    elif "streams" in body:
        forward["streams"] = _stream_settings(body["streams"])
    return forward


def _feeds(value: object, field: str, *, required: bool) -> list[dict[str, Any]]:
    """Feeds to subscribe to: numbers Janus looks up in the handle's own room."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_STREAMS:
        raise RequestRefused(f"{field} must list 1 to {MAX_STREAMS} streams")
    streams = []
    for item in value:
        stream = _object(item, f"a stream of {field}")
        _only(stream, frozenset({"feed", "mid", "sub_mid"}), f"a stream of {field}")
        feed = stream.get("feed")
        if required and "feed" not in stream:
            raise RequestRefused(f"a stream of {field} needs its feed")
        if "feed" in stream and (not isinstance(feed, int) or isinstance(feed, bool) or feed <= 0):
            raise RequestRefused(f"a stream of {field} names its feed by number")
        for mid in ("mid", "sub_mid"):
            if mid in stream and not (isinstance(stream[mid], str) and _MID.fullmatch(stream[mid])):
                raise RequestRefused(f"a stream's {mid} must be a short name")
        streams.append(dict(stream))
    return streams


_STREAM_SETTINGS = frozenset(
    {"mid", "send", "keyframe", "substream", "temporal", "fallback", "spatial_layer"}
    | {"temporal_layer", "min_delay", "max_delay", "audio_level_average"}
    | {"audio_active_packets"}
)


def _stream_settings(value: object) -> list[dict[str, Any]]:
    """Per-stream settings of `configure` (send on or off, layers, delays)."""
    if not isinstance(value, list) or len(value) > MAX_STREAMS:
        raise RequestRefused(f"streams must list at most {MAX_STREAMS} streams")
    streams = []
    for item in value:
        stream = _object(item, "a stream")
        _only(stream, _STREAM_SETTINGS, "a stream")
        if any(isinstance(v, dict | list) for v in stream.values()):
            raise RequestRefused("a stream's settings are plain values")
        streams.append(dict(stream))
    return streams
