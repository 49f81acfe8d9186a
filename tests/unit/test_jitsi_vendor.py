"""The Jitsi client's pure parts: the link it opens, and what its page readings mean."""

from __future__ import annotations

from typing import Any

import pytest

from vendor_scripts.base import Box, MeetingStatus
from vendor_scripts.jitsi.client import bot_link, interpret, stage_from

pytestmark = pytest.mark.unit


def test_the_bot_link_skips_prejoin_and_deep_linking_and_carries_the_name() -> None:
    link = bot_link("https://meet.jit.si/TeamSync", "bridge one")
    assert link.startswith("https://meet.jit.si/TeamSync?lang=en#")
    fragment = link.split("#", 1)[1].split("&")
    assert "config.prejoinConfig.enabled=false" in fragment
    assert "config.disableDeepLinking=true" in fragment
    assert "userInfo.displayName=%22bridge%20one%22" in fragment


def test_settings_already_in_the_link_stay() -> None:
    link = bot_link("https://meet.jit.si/R?lang=de#config.prejoinConfig.enabled=true&jwt=x", "b")
    assert "?lang=de#" in link
    assert "config.prejoinConfig.enabled=true" in link and "jwt=x" in link
    assert link.count("config.prejoinConfig.enabled") == 1


def raw(**fields: Any) -> dict[str, Any]:
    return {"remotes": [], "dialogs": [], **fields}


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (raw(prejoin=True), MeetingStatus.JOINING),
        (raw(lobby=True, knock=True), MeetingStatus.JOINING),
        (raw(lobby=True), MeetingStatus.WAITING_ROOM),
        (raw(dialogs=["Waiting for a moderator… Log-in"]), MeetingStatus.WAITING_ROOM),
        (raw(inConference=True), MeetingStatus.IN_MEETING),
        (raw(rejected="Your join request was rejected by a moderator."), MeetingStatus.DENIED),
        (raw(tokenAuthFailed="Sorry, you're not allowed"), MeetingStatus.SIGN_IN_REQUIRED),
        (raw(dialogs=["Ouch! Ann kicked you out of the meeting"]), MeetingStatus.REMOVED),
        (raw(dialogs=["Call terminated"]), MeetingStatus.ENDED),
        (
            raw(password=True, dialogs=["Password required Incorrect password"]),
            MeetingStatus.PASSCODE_WRONG,
        ),
        (raw(password=True), MeetingStatus.JOINING),
        (raw(roomFull="The limit ... reached"), MeetingStatus.ERROR),
    ],
)
def test_page_states_are_read_as_their_meaning(
    state: dict[str, Any], status: MeetingStatus
) -> None:
    assert interpret(state).status is status


def test_a_password_dialog_without_a_passcode_is_a_wrong_passcode_at_once() -> None:
    reading = interpret(raw(password=True), passcode_given=False)
    assert reading.status is MeetingStatus.PASSCODE_WRONG
    assert "none" in (reading.detail or "")


def test_the_stage_is_the_remote_tiles_with_video_and_names_are_the_roster() -> None:
    tiles = [
        {"name": "ann", "hasVideo": True, "x": 8, "y": 8, "width": 400, "height": 225},
        {"name": "bob", "hasVideo": True, "x": 416, "y": 8, "width": 400, "height": 225},
        {"name": "cam-off", "hasVideo": False, "x": 824, "y": 8, "width": 400, "height": 225},
    ]
    assert stage_from({"remotes": tiles}) == Box(8, 8, 808, 225)
    reading = interpret(raw(inConference=True, remotes=tiles))
    assert reading.participants == ("ann", "bob", "cam-off")
