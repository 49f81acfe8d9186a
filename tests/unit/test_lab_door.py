"""The lab's meeting door: the rules a reconstructed vendor's host plays by."""

import pytest

from lab.vendors.door import GuestStatus, MeetingDoor, Wall

pytestmark = pytest.mark.unit


def test_without_a_lobby_an_asker_is_in_at_once() -> None:
    door = MeetingDoor("m")
    assert door.status(door.ask("bot")) is GuestStatus.ADMITTED


def test_the_lobby_holds_an_asker_until_the_host_admits_or_denies() -> None:
    door = MeetingDoor("m", lobby=True)
    first, second = door.ask("bot"), door.ask("other")
    assert door.waiting() == ["bot", "other"]
    door.admit("bot")
    door.deny("other")
    assert door.status(first) is GuestStatus.ADMITTED
    assert door.status(second) is GuestStatus.DENIED
    with pytest.raises(LookupError):
        door.admit("nobody")


def test_removal_and_the_end_reach_those_inside() -> None:
    door = MeetingDoor("m")
    bot, other = door.ask("bot"), door.ask("other")
    door.remove("bot")
    assert door.status(bot) is GuestStatus.REMOVED
    door.end()
    assert door.status(other) is GuestStatus.ENDED
    assert door.status(bot) is GuestStatus.REMOVED


def test_a_wrong_passcode_and_walls_stop_everyone() -> None:
    door = MeetingDoor("m", passcode="123456")
    assert door.status(door.ask("bot", "000000")) is GuestStatus.PASSCODE_WRONG
    assert door.status(door.ask("bot", "123456")) is GuestStatus.ADMITTED
    for wall in (Wall.NOT_FOUND, Wall.SIGN_IN, Wall.CAPTCHA):
        walled = MeetingDoor("m", wall=wall)
        assert door.status("nobody") is GuestStatus.NOT_FOUND
        assert walled.status(walled.ask("bot")).value == wall.value
