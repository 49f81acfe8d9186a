"""The Zoom client's pure parts: the link it opens, and what its page readings mean."""

from __future__ import annotations

from typing import Any

import pytest

from vendor_scripts.base import MeetingStatus
from vendor_scripts.zoom.client import bot_link, interpret

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("link", "opened"),
    [
        (
            "https://us02web.zoom.us/j/1234567890?pwd=AbC123.1&uname=x",
            "https://app.zoom.us/wc/1234567890/join?pwd=AbC123.1",
        ),
        ("https://zoom.us/j/123456789", "https://app.zoom.us/wc/123456789/join"),
        ("https://zoom.us/w/98765432101?pwd=z", "https://app.zoom.us/wc/98765432101/join?pwd=z"),
        # anything else is opened as given
        ("https://zoom.us/my/team.room", "https://zoom.us/my/team.room"),
        ("https://app.zoom.us/wc/1234567890/join", "https://app.zoom.us/wc/1234567890/join"),
    ],
)
def test_join_links_open_straight_in_the_web_client(link: str, opened: str) -> None:
    assert bot_link(link) == opened


def raw(**fields: Any) -> dict[str, Any]:
    return {"remotes": [], "text": "", **fields}


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (raw(nameField="", joinVisible=True), MeetingStatus.JOINING),
        (
            raw(text="Please wait, the meeting host will let you in soon."),
            MeetingStatus.WAITING_ROOM,
        ),
        (raw(inMeeting=True), MeetingStatus.IN_MEETING),
        (raw(text="Passcode wrong"), MeetingStatus.PASSCODE_WRONG),
        (raw(text="This meeting link is invalid (3,001)"), MeetingStatus.NOT_FOUND),
        (raw(text="This Meeting is for authorized attendees only"), MeetingStatus.SIGN_IN_REQUIRED),
        (
            raw(modal="We detected you may be a bot. Automated bots aren't allowed to join"),
            MeetingStatus.BLOCKED,
        ),
        (raw(modal="This meeting has been ended by host"), MeetingStatus.ENDED),
        (raw(modal="You have been removed"), MeetingStatus.REMOVED),
    ],
)
def test_page_states_are_read_as_their_meaning(
    state: dict[str, Any], status: MeetingStatus
) -> None:
    assert interpret(state).status is status


def test_removed_from_the_waiting_room_is_a_denial() -> None:
    assert interpret(raw(modal="You have been removed"), admitted=False).status is (
        MeetingStatus.DENIED
    )
