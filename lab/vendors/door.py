"""The door of a reconstructed meeting: who asks to join, who is let in, and the walls.

The lab's "host" drives it from the test (admit, deny, remove, end); the vendor's
reconstructed page asks it, then polls what became of the asker, and shows the
vendor's screen for that (lobby, in the call, denied, removed, ended, wrong passcode,
sign-in wall, captcha). Pure state, so its rules are unit-tested.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from enum import StrEnum


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


@dataclass
class MeetingDoor:
    """One meeting's door. Thread-safe: the site's request threads and the test share it."""

    meeting_id: str
    lobby: bool = False  # askers wait until the host admits them
    passcode: str | None = None  # askers must give it
    wall: Wall = Wall.NONE
    ended: bool = False
    _guests: dict[str, Guest] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ask(self, name: str, passcode: str | None = None) -> str:
        """Someone asks to join; returns their guest id (the page polls `status` with it)."""
        with self._lock:
            guest_id = f"g{next(self._ids)}"
            if self.passcode is not None and passcode != self.passcode:
                status = GuestStatus.PASSCODE_WRONG
            elif self.lobby:
                status = GuestStatus.WAITING
            else:
                status = GuestStatus.ADMITTED
            self._guests[guest_id] = Guest(name, status)
            return guest_id

    def status(self, guest_id: str) -> GuestStatus:
        """What became of a guest; walls and the end of the meeting win over the rest."""
        with self._lock:
            if self.wall is not Wall.NONE:
                return GuestStatus(self.wall.value)
            guest = self._guests.get(guest_id)
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

    def _move(self, name: str, old: GuestStatus, new: GuestStatus) -> None:
        with self._lock:
            guests = [g for g in self._guests.values() if g.name == name and g.status is old]
            if not guests:
                raise LookupError(f"nobody called {name!r} is {old.value} in {self.meeting_id}")
            for guest in guests:
                guest.status = new
