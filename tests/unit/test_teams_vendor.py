"""The Teams client's pure part: what its page readings mean."""

from __future__ import annotations

from typing import Any

import pytest

from vendor_scripts.base import Box, MeetingStatus
from vendor_scripts.teams.client import interpret, stage_from

pytestmark = pytest.mark.unit


def raw(**fields: Any) -> dict[str, Any]:
    return {"remotes": [], "text": "", **fields}


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (raw(continueButton=True), MeetingStatus.JOINING),
        (raw(nameField="", joinVisible=True), MeetingStatus.JOINING),
        (raw(text="Someone will let you in soon", joinVisible=True), MeetingStatus.WAITING_ROOM),
        (raw(inCall=True), MeetingStatus.IN_MEETING),
        # the pre-join "Join now" still showing: not in the call yet
        (raw(inCall=True, joinVisible=True), MeetingStatus.JOINING),
        (raw(text="Sorry, but you were denied access to the meeting."), MeetingStatus.DENIED),
        (
            raw(text="Looks like the meeting URL is incorrect. Please check"),
            MeetingStatus.NOT_FOUND,
        ),
        (
            raw(text="You need to be signed in to Teams to access this meeting."),
            MeetingStatus.SIGN_IN_REQUIRED,
        ),
        (raw(signInForm=True), MeetingStatus.SIGN_IN_REQUIRED),
        (raw(captcha=True), MeetingStatus.BLOCKED),
        (raw(removed="You've been removed from this meeting"), MeetingStatus.REMOVED),
        (raw(text="The meeting has ended Rejoin"), MeetingStatus.ENDED),
    ],
)
def test_page_states_are_read_as_their_meaning(
    state: dict[str, Any], status: MeetingStatus
) -> None:
    assert interpret(state).status is status


def test_the_stage_is_the_other_tiles_with_video() -> None:
    tiles = [
        {"name": "ann", "hasVideo": True, "x": 8, "y": 64, "width": 400, "height": 225},
        {"name": "cam-off", "hasVideo": False, "x": 416, "y": 64, "width": 400, "height": 225},
    ]
    assert stage_from({"remotes": tiles}) == Box(8, 64, 400, 225)
