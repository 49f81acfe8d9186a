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


def test_the_sign_in_wall_lets_signed_in_accounts_past_and_no_one_else() -> None:
    door = MeetingDoor("m", wall=Wall.SIGN_IN)
    door.add_account("acct-1")
    assert door.wall_for("acct-1") is Wall.NONE
    assert door.wall_for(None) is Wall.SIGN_IN
    assert door.wall_for("acct-2") is Wall.SIGN_IN
    assert door.status(door.ask("bot", account="acct-1")) is GuestStatus.ADMITTED
    assert door.status(door.ask("guest")) is GuestStatus.SIGN_IN
    assert door.status(door.ask("guest", account="acct-2")) is GuestStatus.SIGN_IN


def test_signing_in_lifts_no_other_wall_and_skips_no_lobby_or_passcode() -> None:
    for wall in (Wall.NOT_FOUND, Wall.CAPTCHA):
        walled = MeetingDoor("m", wall=wall, accounts={"acct"})
        assert walled.wall_for("acct") is wall
        assert walled.status(walled.ask("bot", account="acct")).value == wall.value
    door = MeetingDoor("m", wall=Wall.SIGN_IN, lobby=True, passcode="4242", accounts={"acct"})
    assert door.status(door.ask("bot", "0000", account="acct")) is GuestStatus.PASSCODE_WRONG
    waiting = door.ask("bot", "4242", account="acct")
    assert door.status(waiting) is GuestStatus.WAITING
    door.admit("bot")
    assert door.status(waiting) is GuestStatus.ADMITTED
    door.end()
    assert door.status(waiting) is GuestStatus.ENDED
