import pytest
from pydantic import SecretStr

from meetbridge.lifecycle import BotState
from meetbridge.records import BotRecord, RoomRecord, now
from meetbridge.room_plan import Link, Member, Path, RoomHealth, members_of, plan_room

pytestmark = pytest.mark.unit


def test_two_meetings_hear_and_see_each_other() -> None:
    plan = plan_room([Member("a", "h1"), Member("b", "h2")])
    assert set(plan.links) == {Link("a", "b"), Link("b", "a")}
    assert plan.health is RoomHealth.WIRED and plan.path is Path.JANUS


@pytest.mark.parametrize("count", [2, 3, 4, 6])
def test_everyone_receives_every_other_member_and_never_itself(count: int) -> None:
    members = [Member(f"bot{i}", f"host{i % 2}") for i in range(count)]
    plan = plan_room(members)
    for member in members:
        sources = plan.sources_for(member.bot_id)
        assert member.bot_id not in sources
        assert sorted(sources) == sorted(m.bot_id for m in members if m is not member)
    assert len(plan.links) == count * (count - 1)


def test_sources_keep_room_order_for_side_by_side_pictures() -> None:
    plan = plan_room([Member("c", "h"), Member("a", "h"), Member("b", "h")])
    assert plan.sources_for("b") == ["c", "a"]


def test_a_member_that_left_or_failed_drops_out_and_the_rest_go_on() -> None:
    plan = plan_room([Member("a", "h1"), Member("b", "h2", live=False), Member("c", "h3")])
    assert set(plan.links) == {Link("a", "c"), Link("c", "a")}


@pytest.mark.parametrize("live", [0, 1])
def test_fewer_than_two_live_members_is_degraded_and_carries_nothing(live: int) -> None:
    members = [Member("a", "h", live=live >= 1), Member("b", "h", live=False)]
    plan = plan_room(members)
    assert plan.health is RoomHealth.DEGRADED and plan.links == ()


def test_one_host_takes_the_same_host_path_unless_forced_across() -> None:
    members = [Member("a", "h"), Member("b", "h")]
    assert plan_room(members).path is Path.SAME_HOST
    assert plan_room(members, force_path=Path.JANUS).path is Path.JANUS
    assert plan_room([Member("a", "h1"), Member("b", "h2")]).path is Path.JANUS


def test_a_bot_is_in_a_room_once() -> None:
    with pytest.raises(ValueError):
        plan_room([Member("a", "h"), Member("a", "h")])


def test_a_member_not_yet_on_a_worker_is_linked_but_has_no_say_in_the_path() -> None:
    plan = plan_room([Member("a", "h"), Member("b", None), Member("c", "h")])
    assert plan.path is Path.SAME_HOST
    assert plan.sources_for("a") == ["b", "c"]


def _record(bot_id: str, state: BotState, worker: str | None) -> BotRecord:
    at = now()
    return BotRecord(
        id=bot_id,
        key_id="k",
        vendor="janus",
        meeting_url="http://127.0.0.1/",
        meeting_host="127.0.0.1",
        display_name=bot_id,
        state=state,
        worker=worker,
        created_at=at,
        updated_at=at,
    )


def _room(members: list[str], *, closed: bool = False) -> RoomRecord:
    at = now()
    return RoomRecord(
        id="room_1",
        key_id="k",
        members=members,
        janus_url="http://127.0.0.1:8088/janus",
        audio_room=1,
        video_room=2,
        secret=SecretStr("s"),
        prebuffer=2,
        created_at=at,
        updated_at=at,
        closed=closed,
    )


def test_members_are_read_from_their_records() -> None:
    """The worker and the API plan from the same records: a member that ended, failed
    or whose record is gone is not live; the host is the worker's, without its pid."""
    records = {
        "a": _record("a", BotState.IN_MEETING, "host1:101"),
        "b": _record("b", BotState.FAILED, "host2:7"),
        "c": _record("c", BotState.QUEUED, None),
        "gone": None,
    }
    members = members_of(_room(["a", "b", "c", "gone"]), records)
    assert members == [
        Member("a", "host1"),
        Member("b", "host2", live=False),
        Member("c", None),
        Member("gone", None, live=False),
    ]
    plan = plan_room(members)
    assert plan.health is RoomHealth.WIRED and plan.path is Path.SAME_HOST
    assert plan.sources_for("a") == ["c"]


def test_a_closed_room_carries_nothing() -> None:
    records = {m: _record(m, BotState.IN_MEETING, "h:1") for m in ("a", "b")}
    plan = plan_room(members_of(_room(["a", "b"], closed=True), records))
    assert plan.health is RoomHealth.DEGRADED and plan.links == ()


def test_a_person_in_a_browser_takes_the_room_across_hosts_both_ways() -> None:
    bots = [Member("a", "h"), Member("b", "h")]
    assert plan_room(bots).path is Path.SAME_HOST
    plan = plan_room([*bots, Member("pt_1", None, in_browser=True)])
    assert plan.path is Path.JANUS
    assert plan.sources_for("a") == ["b", "pt_1"]  # the bot shows and plays the person
    assert plan.sources_for("pt_1") == ["a", "b"]
    gone = plan_room([*bots, Member("pt_1", None, live=False, in_browser=True)])
    assert gone.path is Path.SAME_HOST and "pt_1" not in gone.sources_for("a")


def test_one_meeting_and_a_person_in_a_browser_are_a_bridge() -> None:
    plan = plan_room([Member("a", "h"), Member("pt_1", None, in_browser=True)])
    assert plan.health is RoomHealth.WIRED and plan.path is Path.JANUS
    assert plan.sources_for("a") == ["pt_1"]
