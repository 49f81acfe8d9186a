"""Invites' pure parts: guests' names, when an invite stops working, the API's bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from meetbridge.invites import (
    Invite,
    InviteProblem,
    clean_name,
    participant_display,
    participant_of,
)
from meetbridge.records import now
from orchestrator.schemas import InviteCreate

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Ann", "Ann"),
        ("  Ann \t Lee\n", "Ann Lee"),
        ("Ann\u202eeviL", "Ann eviL"),  # bidi override: a format character, gone
        ("", "Guest"),
        (None, "Guest"),
        ("\x00\x07", "Guest"),
        ("x" * 100, "x" * 40),
    ],
)
def test_a_guests_name_is_one_short_printable_line(given: str | None, shown: str) -> None:
    assert clean_name(given) == shown


def test_a_guest_is_told_from_a_bot_by_their_display() -> None:
    display = participant_display("inv_00ff", "Ann: the host")
    assert display == "participant:inv_00ff:Ann: the host"
    assert participant_of(display) == ("inv_00ff", "Ann: the host")
    assert participant_of("bot_0123456789abcdef") is None
    assert participant_of("participant:bot_1:x") is None


def test_an_invite_stops_working_when_it_expires_or_is_revoked() -> None:
    at = now()
    invite = Invite("inv_1", "room_1", "key", None, at, at + timedelta(seconds=60))
    assert invite.problem(at) is None
    assert invite.problem(at + timedelta(seconds=60)) is InviteProblem.EXPIRED
    revoked = Invite("inv_1", "room_1", "key", None, at, at + timedelta(seconds=60), at)
    assert revoked.problem(at) is InviteProblem.REVOKED
    assert Invite.from_redis(revoked.to_redis()) == revoked
    assert Invite.from_redis(invite.to_redis()) == invite


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in_s": 59},
        {"expires_in_s": 7 * 24 * 3600 + 1},
        {},
        {"expires_in_s": 600, "display_name": ""},
        {"expires_in_s": 600, "display_name": "x" * 41},
        {"expires_in_s": 600, "display_name": "a\nb"},
        {"expires_in_s": 600, "room": "room_2"},
    ],
)
def test_invite_requests_out_of_bounds_are_refused(body: dict) -> None:
    with pytest.raises(ValidationError):
        InviteCreate.model_validate(body)


def test_invite_requests_within_bounds_pass() -> None:
    assert InviteCreate.model_validate({"expires_in_s": 60}).display_name is None
    assert InviteCreate.model_validate({"expires_in_s": 604800, "display_name": "Ann"})
