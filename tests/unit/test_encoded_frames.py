"""The encoded relay's pure parts: who has the floor, and what the page may send."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from bridge_worker.browser.page_relay import BINDING, MAX_FRAME_BYTES, PageRelay
from bridge_worker.wiring.encoded_frames import HOLD_S, NO_FRAMES_S, ActiveSpeaker, EncodedFeed
from bridge_worker.wiring.seat_health import SeatCounters

pytestmark = pytest.mark.unit
SPEECH, DTX = b"\x01" * 60, b"\x01"


def test_one_speaker_at_a_time_keeps_the_floor_until_silent_for_a_moment() -> None:
    floor = ActiveSpeaker()
    assert not floor.takes(1, DTX, 0.0)  # silence gives nobody the floor
    assert floor.takes(1, SPEECH, 0.02)
    assert not floor.takes(2, SPEECH, 0.04)  # talking over the first: not forwarded
    assert floor.takes(1, DTX, 0.06)  # the speaker's own silence still goes out
    assert not floor.takes(2, SPEECH, 0.02 + HOLD_S - 0.01)
    assert floor.takes(2, SPEECH, 0.02 + HOLD_S + 0.01)  # the first fell silent
    assert floor.current == 2 and not floor.takes(1, SPEECH, 0.3)


class _Session:
    pass


def _relay() -> tuple[PageRelay, list[tuple[int, bytes]]]:
    relay = PageRelay(_Session())  # type: ignore[arg-type]
    got: list[tuple[int, bytes]] = []
    relay.listeners.append(lambda receiver, frame: got.append((receiver, frame)))
    return relay, got


def _call(relay: PageRelay, payload: Any, name: str = BINDING) -> None:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    relay._on_binding({"name": name, "payload": text})


def test_frames_from_the_page_are_checked_before_anyone_gets_them() -> None:
    relay, got = _relay()
    frame = base64.b64encode(SPEECH).decode()
    _call(relay, {"kind": "frame", "receiver": 3, "data": frame})
    assert got == [(3, SPEECH)]
    too_big = base64.b64encode(b"x" * (MAX_FRAME_BYTES + 1)).decode()
    for bad in (
        {"kind": "frame", "receiver": 0, "data": frame},
        {"kind": "frame", "receiver": "x", "data": frame},
        {"kind": "frame", "receiver": 1, "data": "not base64!"},
        {"kind": "frame", "receiver": 1, "data": too_big},
        {"kind": "frame", "receiver": 1},
        "not json",
        [1, 2],
    ):
        _call(relay, bad)
    _call(relay, {"kind": "frame", "receiver": 1, "data": frame}, name="somebodyElse")
    assert got == [(3, SPEECH)] and relay.frames_out == 1


def test_the_page_says_why_it_stepped_aside() -> None:
    relay, _got = _relay()
    _call(relay, {"kind": "fallback", "reason": "vendor_receiver_transform"})
    assert relay.fallback == "vendor_receiver_transform"


def test_a_feed_with_no_frames_coming_says_so_and_recovers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr("bridge_worker.wiring.encoded_frames.time.monotonic", lambda: clock[0])
    source, _got = _relay()
    target, _ = _relay()
    feed = EncodedFeed({"bot_a": source}, target, SeatCounters())
    assert feed.fallback is None
    clock[0] += NO_FRAMES_S + 0.1
    assert feed.fallback == "no_frames"
    feed._on_frame("bot_a", 1, SPEECH)
    assert feed.fallback is None
    target.fallback = "channel_lost"
    assert feed.fallback == "channel_lost"
