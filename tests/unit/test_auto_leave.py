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
