"""The Meet client's pure parts: the link it opens, and what its page readings mean."""

from __future__ import annotations

from typing import Any

import pytest

from vendor_scripts.base import MeetingStatus
from vendor_scripts.google_meet.client import bot_link, interpret

pytestmark = pytest.mark.unit


def test_the_bot_opens_the_code_with_the_page_pinned_to_english() -> None:
    assert bot_link("https://meet.google.com/abc-defg-hij?authuser=1#x") == (
        "https://meet.google.com/abc-defg-hij?hl=en"
    )


def raw(**fields: Any) -> dict[str, Any]:
    return {"remotes": [], "text": "", **fields}


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (raw(nameField="", joinButton="Ask to join"), MeetingStatus.JOINING),
        (
            raw(text="Asking to be let in… You’ll join the call when someone lets you in"),
            MeetingStatus.WAITING_ROOM,
        ),
        (raw(leaveButton=True), MeetingStatus.IN_MEETING),
        # the lobby's toolbar has "Leave call" too: not admitted while the lobby shows
        (raw(leaveButton=True, text="Asking to be let in…"), MeetingStatus.WAITING_ROOM),
        (raw(text="Someone in the call denied your request to join"), MeetingStatus.DENIED),
        (raw(text="No one responded to your request to join the call"), MeetingStatus.DENIED),
        (raw(text="Check your meeting code"), MeetingStatus.NOT_FOUND),
        (raw(text="You can't join this video call"), MeetingStatus.BLOCKED),
        (raw(signIn=True), MeetingStatus.SIGN_IN_REQUIRED),
        (raw(ended="You've been removed from the meeting"), MeetingStatus.REMOVED),
        (raw(ended="Your host ended the meeting for everyone"), MeetingStatus.ENDED),
    ],
)
def test_page_states_are_read_as_their_meaning(
    state: dict[str, Any], status: MeetingStatus
) -> None:
    assert interpret(state).status is status
