"""The door of a reconstructed meeting: who asks to join, who is let in, and the walls.

The lab's "host" drives it from the test (admit, deny, remove, end); the vendor's
reconstructed page asks it, then polls what became of the asker, and shows the
vendor's screen for that (lobby, in the call, denied, removed, ended, wrong passcode,
sign-in wall, captcha). Pure state, so its rules are unit-tested.

Signing in is a cookie: the meeting's door knows the accounts (values of the site's
`lab_account` cookie) that count as signed in, and the sign-in wall does not stop
those; a stored sign-in of a bot's key carries such a cookie (meetbridge's vendor
sessions).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from enum import StrEnum

SIGN_IN_COOKIE = "lab_account"  # its value names a signed-in account of the vendor


class Wall(StrEnum):
    """What stops everyone at the door, whatever they do."""

    NONE = "none"
    NOT_FOUND = "not_found"  # no meeting behind the link
    SIGN_IN = "sign_in"  # only signed-in accounts may join
    CAPTCHA = "captcha"  # the vendor's wall against bots


class GuestStatus(StrEnum):
    WAITING = "waiting"  # in the lobby
    ADMITTED = "admitted"
    DENIED = "denied"
    REMOVED = "removed"
    PASSCODE_WRONG = "passcode_wrong"
    ENDED = "ended"  # the meeting ended (for everyone)
    NOT_FOUND = "not_found"
    SIGN_IN = "sign_in"
    CAPTCHA = "captcha"


@dataclass
class Guest:
    name: str
    status: GuestStatus
    signed_in: bool = False


@dataclass
class MeetingDoor:
    """One meeting's door. Thread-safe: the site's request threads and the test share it."""

    meeting_id: str
    lobby: bool = False  # askers wait until the host admits them
    passcode: str | None = None  # askers must give it
    wall: Wall = Wall.NONE
    ended: bool = False
    accounts: set[str] = field(default_factory=set)  # signed in (see SIGN_IN_COOKIE)
    _guests: dict[str, Guest] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_account(self, account: str) -> None:
        """An account whose holders count as signed in from now on."""
        with self._lock:
            self.accounts.add(account)

    def wall_for(self, account: str | None = None) -> Wall:
        """The wall an asker signed in as `account` (None: not signed in) meets: the
        sign-in wall stops only those not signed in to a known account."""
        with self._lock:
            return self._wall_for(self._signed_in(account))

    def ask(self, name: str, passcode: str | None = None, account: str | None = None) -> str:
        """Someone asks to join (signed in as `account`, if any); returns their guest id
        (the page polls `status` with it)."""
        with self._lock:
            guest_id = f"g{next(self._ids)}"
            if self.passcode is not None and passcode != self.passcode:
                status = GuestStatus.PASSCODE_WRONG
            elif self.lobby:
                status = GuestStatus.WAITING
            else:
                status = GuestStatus.ADMITTED
            self._guests[guest_id] = Guest(name, status, self._signed_in(account))
            return guest_id

    def status(self, guest_id: str) -> GuestStatus:
        """What became of a guest; walls and the end of the meeting win over the rest."""
        with self._lock:
            guest = self._guests.get(guest_id)
            wall = self._wall_for(guest is not None and guest.signed_in)
            if wall is not Wall.NONE:
                return GuestStatus(wall.value)
            if guest is None:
                return GuestStatus.NOT_FOUND
            if self.ended and guest.status in (GuestStatus.WAITING, GuestStatus.ADMITTED):
                return GuestStatus.ENDED
            return guest.status

    def waiting(self) -> list[str]:
        with self._lock:
            return [g.name for g in self._guests.values() if g.status is GuestStatus.WAITING]

    def admit(self, name: str) -> None:
        self._move(name, GuestStatus.WAITING, GuestStatus.ADMITTED)

    def deny(self, name: str) -> None:
        self._move(name, GuestStatus.WAITING, GuestStatus.DENIED)

    def remove(self, name: str) -> None:
        self._move(name, GuestStatus.ADMITTED, GuestStatus.REMOVED)

    def end(self) -> None:
        with self._lock:
            self.ended = True

    def _signed_in(self, account: str | None) -> bool:
        return account is not None and account in self.accounts

    def _wall_for(self, signed_in: bool) -> Wall:
        return Wall.NONE if self.wall is Wall.SIGN_IN and signed_in else self.wall

    def _move(self, name: str, old: GuestStatus, new: GuestStatus) -> None:
        with self._lock:
            guests = [g for g in self._guests.values() if g.name == name and g.status is old]
            if not guests:
                raise LookupError(f"nobody called {name!r} is {old.value} in {self.meeting_id}")
            for guest in guests:
                guest.status = new
