"""A bot leaves by itself when users expect it to, each time with its own reason."""

import pytest

from bridge_worker.auto_leave import AutoLeave
from meetbridge.lifecycle import FailureReason

pytestmark = pytest.mark.unit


def rules(admitted_at: float = 0.0) -> AutoLeave:
    return AutoLeave(
        nobody_joined_s=60, everyone_left_s=10, max_duration_s=1000, admitted_at=admitted_at
    )


def test_nobody_joining_within_its_time_ends_the_stay() -> None:
    leave = rules()
    assert leave.check(59, people=0) is None
    assert leave.check(60, people=0) == (FailureReason.NOBODY_JOINED, "nobody joined in 60s")


def test_once_people_came_it_waits_for_all_of_them_to_be_gone_a_while() -> None:
    leave = rules()
    assert leave.check(5, people=2) is None
    assert leave.check(100, people=1) is None  # long after the nobody-joined time: fine
    assert leave.check(105, people=0) is None
    assert leave.check(109, people=0) is None
    assert leave.check(110, people=0) == (FailureReason.EVERYONE_LEFT, "everyone left 10s ago")


def test_someone_coming_back_resets_the_wait() -> None:
    leave = rules()
    leave.check(1, people=1)
    leave.check(5, people=0)
    assert leave.check(10, people=1) is None
    assert leave.check(19, people=0) is None
    assert leave.check(20, people=0) == (FailureReason.EVERYONE_LEFT, "everyone left 10s ago")


def test_the_maximum_duration_ends_it_even_with_people_there() -> None:
    leave = rules(admitted_at=100)
    assert leave.check(1099, people=3) is None
    assert leave.check(1100, people=3) == (FailureReason.MAX_DURATION, "in the meeting for 1000s")


# -- a bot's own limits (POST /v1/bots auto_leave) -----------------------------------


def test_a_bots_own_limits_replace_the_workers_defaults_one_by_one() -> None:
    from bridge_worker.auto_leave import with_limits
    from bridge_worker.settings import WorkerSettings
    from meetbridge.records import AutoLeaveLimits

    worker = WorkerSettings(alone_timeout_s=300, nobody_joined_timeout_s=900, max_duration_s=7200)
    assert with_limits(worker, None) is worker
    own = with_limits(worker, AutoLeaveLimits(nobody_joined_after_s=5))
    assert (own.nobody_joined_timeout_s, own.alone_timeout_s, own.max_duration_s) == (5, 300, 7200)
    every = with_limits(
        worker,
        AutoLeaveLimits(everyone_left_after_s=30, nobody_joined_after_s=60, max_duration_s=86400),
    )
    assert (every.alone_timeout_s, every.nobody_joined_timeout_s, every.max_duration_s) == (
        30,
        60,
        86400,
    )
    assert worker.nobody_joined_timeout_s == 900  # the worker's own are untouched


BOT = {"meeting_url": "https://meet.google.com/abc-defg-hij", "display_name": "bot"}


@pytest.mark.parametrize(
    ("auto_leave", "where", "words"),
    [
        ({"nobody_joined_after_s": 0}, "nobody_joined_after_s", "greater than or equal to 1"),
        ({"everyone_left_after_s": -5}, "everyone_left_after_s", "greater than or equal to 1"),
        ({"max_duration_s": 86401}, "max_duration_s", "less than or equal to 86400"),
        ({"max_duration_s": "long"}, "max_duration_s", "valid number"),
        ({"alone_timeout_s": 5}, "alone_timeout_s", "Extra inputs"),
        ("soon", "auto_leave", "valid dictionary"),
    ],
)
def test_limits_out_of_bounds_are_refused_with_where_and_why(
    auto_leave: object, where: str, words: str
) -> None:
    from pydantic import ValidationError

    from orchestrator.schemas import BotCreate

    with pytest.raises(ValidationError) as refused:
        BotCreate.model_validate({**BOT, "auto_leave": auto_leave})
    [error] = refused.value.errors()
    assert error["loc"][-1] == where and words in error["msg"]


def test_a_bots_limits_are_kept_in_its_record_and_shown() -> None:
    from meetbridge.records import AutoLeaveLimits, BotRecord, now
    from orchestrator.schemas import BotCreate, BotPublic

    asked = BotCreate.model_validate({**BOT, "auto_leave": {"nobody_joined_after_s": 5}})
    assert asked.auto_leave == AutoLeaveLimits(nobody_joined_after_s=5)
    at = now()
    record = BotRecord(
        id="bot_1",
        key_id="k",
        vendor="google_meet",
        meeting_url=BOT["meeting_url"],
        meeting_host="meet.google.com",
        display_name="bot",
        auto_leave=asked.auto_leave,
        created_at=at,
        updated_at=at,
    )
    stored = BotRecord.from_redis(record.to_redis())
    assert stored.auto_leave == AutoLeaveLimits(nobody_joined_after_s=5)
    shown = BotPublic.of(stored).model_dump(mode="json")["auto_leave"]
    assert shown == {
        "everyone_left_after_s": None,
        "nobody_joined_after_s": 5.0,
        "max_duration_s": None,
    }
    plain = record.model_copy(update={"auto_leave": None})
    assert BotRecord.from_redis(plain.to_redis()).auto_leave is None
