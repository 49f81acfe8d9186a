"""What a vendor's page shows becomes a reason a user can act on."""

import pytest

from bridge_worker.bot import failure_for
from meetbridge.lifecycle import FailureReason
from vendor_scripts.base import MeetingStatus

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (MeetingStatus.DENIED, FailureReason.DENIED),
        (MeetingStatus.NOT_FOUND, FailureReason.MEETING_NOT_FOUND),
        (MeetingStatus.PASSCODE_WRONG, FailureReason.PASSCODE_WRONG),
        (MeetingStatus.SIGN_IN_REQUIRED, FailureReason.SIGN_IN_REQUIRED),
        (MeetingStatus.BLOCKED, FailureReason.BLOCKED_BY_VENDOR),
        (MeetingStatus.REMOVED, FailureReason.REMOVED),
        (MeetingStatus.ENDED, FailureReason.MEETING_ENDED),
    ],
)
def test_each_wall_or_end_has_its_own_reason(status: MeetingStatus, reason: FailureReason) -> None:
    assert failure_for(status, joined=False) is reason
    assert failure_for(status, joined=True) is reason


def test_an_unexplained_error_is_a_failed_join_before_and_an_ended_meeting_after() -> None:
    assert failure_for(MeetingStatus.ERROR, joined=False) is FailureReason.JOIN_FAILED
    assert failure_for(MeetingStatus.ERROR, joined=True) is FailureReason.MEETING_ENDED


@pytest.mark.parametrize(
    "status", [MeetingStatus.JOINING, MeetingStatus.WAITING_ROOM, MeetingStatus.IN_MEETING]
)
def test_joining_waiting_and_in_the_meeting_are_not_failures(status: MeetingStatus) -> None:
    assert failure_for(status, joined=False) is None
