import pytest

from meetbridge.lifecycle import (
    TERMINAL_STATES,
    BotLifecycle,
    BotState,
    FailureReason,
    TransitionError,
    can_move,
)

pytestmark = pytest.mark.unit

HAPPY_PATH = [
    BotState.BOOTING,
    BotState.JOINING,
    BotState.WAITING_ROOM,
    BotState.IN_MEETING,
    BotState.LEAVING,
    BotState.ENDED,
]


def test_happy_path_emits_every_change_in_order() -> None:
    seen: list[tuple[BotState, BotState]] = []
    life = BotLifecycle("b1", listeners=[lambda c: seen.append((c.old, c.new))])
    for state in HAPPY_PATH:
        life.move(state)
    assert [new for _, new in seen] == HAPPY_PATH
    assert seen[0][0] is BotState.QUEUED
    assert life.finished


@pytest.mark.parametrize("state", [s for s in BotState if s not in TERMINAL_STATES])
def test_failed_is_reachable_from_every_live_state(state: BotState) -> None:
    assert can_move(state, BotState.FAILED)


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES))
def test_nothing_follows_a_terminal_state(state: BotState) -> None:
    assert not any(can_move(state, new) for new in BotState)


def test_failing_needs_a_reason_and_only_an_end_takes_one() -> None:
    life = BotLifecycle("b1")
    with pytest.raises(TransitionError):
        life.move(BotState.FAILED)
    with pytest.raises(TransitionError):
        life.move(BotState.BOOTING, reason=FailureReason.DENIED)
    life.move(BotState.FAILED, reason=FailureReason.DEVICES_FAILED)
    assert (life.state, life.reason) == (BotState.FAILED, FailureReason.DEVICES_FAILED)


def test_a_bot_that_leaves_by_itself_ends_with_why() -> None:
    life = BotLifecycle("b1")
    for state in (BotState.BOOTING, BotState.JOINING, BotState.IN_MEETING, BotState.LEAVING):
        life.move(state)
    life.move(BotState.ENDED, reason=FailureReason.EVERYONE_LEFT)
    assert (life.state, life.reason) == (BotState.ENDED, FailureReason.EVERYONE_LEFT)


def test_skipping_ahead_is_refused_and_changes_nothing() -> None:
    life = BotLifecycle("b1")
    with pytest.raises(TransitionError):
        life.move(BotState.IN_MEETING)
    assert life.state is BotState.QUEUED
