"""A room member's audio level, as the API shows it, from its own or the others' seats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meetbridge.lifecycle import BotState
from meetbridge.records import SeatMedia, now
from orchestrator.rooms import meeting_level
from orchestrator.schemas import RoomMemberPublic

pytestmark = [pytest.mark.unit]


def member(bot_id: str, age_s: float = 0.0, **media: object) -> RoomMemberPublic:
    report = SeatMedia(status="wired", updated_at=now() - timedelta(seconds=age_s), **media)
    return RoomMemberPublic(bot_id=bot_id, state=BotState.IN_MEETING, media=report)


def test_janus_path_the_members_own_seat_measures_what_it_sends() -> None:
    members = [member("a", audio_out_dbfs=-12.5), member("b", audio_out_dbfs=-96.0)]
    assert meeting_level("a", members, now()) == -12.5
    assert meeting_level("b", members, now()) == -96.0


def test_same_host_the_loudest_fresh_reading_of_the_members_piping_it() -> None:
    members = [
        member("a", audio_out_fps=None, audio_in_dbfs={"b": -20.0, "c": -30.0}),
        member("b", audio_out_fps=None, audio_in_dbfs={"a": -9.0, "c": -31.0}),
        member("c", audio_out_fps=None, age_s=60, audio_in_dbfs={"a": 0.0, "b": 0.0}),
    ]
    assert meeting_level("a", members, now()) == -9.0  # c's word is stale
    assert meeting_level("b", members, now()) == -20.0
    assert meeting_level("c", members, now()) == -30.0


def test_no_fresh_measurement_is_no_level() -> None:
    alone = [member("a", audio_out_fps=None)]
    assert meeting_level("a", alone, now()) is None
    stale = [member("a", age_s=60, audio_out_dbfs=-10.0)]
    assert meeting_level("a", stale, now()) is None
    unseated = [RoomMemberPublic(bot_id="a", state=BotState.QUEUED, media=None)]
    assert meeting_level("a", unseated, now()) is None
