"""The Webex client's pure parts: the link it opens, and what its page readings mean."""

from __future__ import annotations

from typing import Any

import pytest

from vendor_scripts.base import Box, MeetingStatus
from vendor_scripts.webex.client import interpret, stage_from
from vendor_scripts.webex.links import direct_link

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("link", "opened"),
    [
        (
            "https://acme.webex.com/acme/j.php?MTID=m0f&launchApp=true",
            "https://acme.webex.com/acme/j.php?MTID=m0f",
        ),
        ("https://acme.webex.com/meet/jane?LaunchApp=TRUE", "https://acme.webex.com/meet/jane"),
        ("https://acme.webex.com/meet/jane", "https://acme.webex.com/meet/jane"),
    ],
)
def test_links_drop_the_hand_off_to_the_desktop_app(link: str, opened: str) -> None:
    assert direct_link(link) == opened


def raw(**fields: Any) -> dict[str, Any]:
    return {"remotes": [], "text": "", "url": "https://acme.webex.com/meet/jane", **fields}


@pytest.mark.parametrize(
    ("state", "given", "typed", "status"),
    [
        (raw(chooser="#broadcom-center-right"), False, False, MeetingStatus.JOINING),
        (raw(nameField="", emailField=""), False, False, MeetingStatus.JOINING),
        (raw(passwordField=""), True, False, MeetingStatus.JOINING),  # about to type it
        (raw(passwordField="4242"), True, True, MeetingStatus.JOINING),  # typed, not sent
        (raw(passwordField=""), True, True, MeetingStatus.PASSCODE_WRONG),  # asked again
        (raw(passwordField=""), False, False, MeetingStatus.PASSCODE_WRONG),  # none given
        (raw(passwordField="", captcha=True), True, True, MeetingStatus.BLOCKED),
        (raw(lobby=True), False, False, MeetingStatus.WAITING_ROOM),
        (raw(text="Waiting for the host to let you in."), False, False, MeetingStatus.WAITING_ROOM),
        (raw(inMeeting=True), False, False, MeetingStatus.IN_MEETING),
        (raw(dialog="The meeting has ended. OK"), False, False, MeetingStatus.ENDED),
        (raw(topText="This meeting link is not valid."), False, False, MeetingStatus.NOT_FOUND),
        (raw(text="Sign in to join this meeting."), False, False, MeetingStatus.SIGN_IN_REQUIRED),
        (
            raw(url="https://idbroker.webex.com/idb/oauth2/v1/authorize?x=1"),
            False,
            False,
            MeetingStatus.SIGN_IN_REQUIRED,
        ),
        (raw(dialog="The host denied your request to join."), False, False, MeetingStatus.DENIED),
        (
            raw(dialog="You've been removed from the meeting.", inMeeting=False),
            False,
            False,
            MeetingStatus.REMOVED,
        ),
    ],
)
def test_page_states_are_read_as_their_meaning(
    state: dict[str, Any], given: bool, typed: bool, status: MeetingStatus
) -> None:
    assert interpret(state, passcode=given, typed=typed).status is status


def test_the_roster_names_the_others() -> None:
    remotes = [{"name": "ann", "hasVideo": True, "x": 0, "y": 0, "width": 10, "height": 10}]
    reading = interpret(raw(inMeeting=True, remotes=remotes), passcode=False, typed=False)
    assert reading.participants == ("ann",)


def test_the_stage_is_moved_by_the_frame_it_is_drawn_in() -> None:
    remotes = [{"name": "ann", "hasVideo": True, "x": 8, "y": 8, "width": 400, "height": 225}]
    assert stage_from(raw(remotes=remotes)) == Box(8, 8, 400, 225)
    framed = raw(remotes=remotes, frameOffset={"x": 0, "y": 40})
    assert stage_from(framed) == Box(8, 48, 400, 225)
