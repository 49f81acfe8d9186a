"""The virtual room as a pure plan: which bot's meeting reaches which other bot, and how.

Computed in one place from the room and its members' records, and read by both sides:
the worker wires a bot's seat from it (its path and its sources), the API shows the
room's health from it. No I/O here, so every rule is unit-tested: members never
receive themselves, each receives every other live member, a room with fewer than two
live members carries nothing, and the same-host path (PulseAudio pipes between
daemons) is chosen only when every placed member runs on one host and the room is not
forced across hosts. A person in a browser (through an invite) is a member too, always
elsewhere: while one is in the room, the room's media meets in Janus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from meetbridge.lifecycle import TERMINAL_STATES
from meetbridge.records import BotRecord, RoomRecord


class Path(StrEnum):
    JANUS = "janus"  # AudioBridge + VideoRoom: works across hosts
    SAME_HOST = "same_host"  # PulseAudio pipes between the bots' daemons


class RoomHealth(StrEnum):
    WIRED = "wired"
    DEGRADED = "degraded"  # fewer than two live members: nobody to bridge to


@dataclass(frozen=True)
class Member:
    bot_id: str  # a bot's id, or a browser participant's
    host: str | None  # the worker host the bot runs on; None: not on a worker yet
    live: bool = True  # in its meeting or on its way (not failed, not left)
    in_browser: bool = False  # a person on meetbridge's join page, on no worker


@dataclass(frozen=True)
class Link:
    """`source`'s meeting is heard and seen in `target`'s meeting."""

    source: str
    target: str


@dataclass(frozen=True)
class RoomPlan:
    path: Path
    health: RoomHealth
    links: tuple[Link, ...]

    def sources_for(self, bot_id: str) -> list[str]:
        """Whose meetings `bot_id` shows its meeting, in room order (side by side)."""
        return [link.source for link in self.links if link.target == bot_id]


def plan_room(members: Sequence[Member], *, force_path: Path | None = None) -> RoomPlan:
    """Links between every ordered pair of distinct live members, in join order.

    A member not yet on a worker is linked (it is waited for) but has no say in the path.
    """
    live = [m for m in members if m.live]
    ids = [m.bot_id for m in live]
    if len(set(ids)) != len(ids):
        raise ValueError("a bot is in a room at most once")
    hosts = {m.host for m in live if m.host is not None}
    if force_path is not None:
        path = force_path
    elif any(m.in_browser for m in live):
        path = Path.JANUS  # a browser reaches the room only through Janus
    elif len(hosts) == 1:
        path = Path.SAME_HOST
    else:
        path = Path.JANUS
    if len(live) < 2:
        return RoomPlan(path, RoomHealth.DEGRADED, ())
    links = tuple(Link(s.bot_id, t.bot_id) for t in live for s in live if s is not t)
    return RoomPlan(path, RoomHealth.WIRED, links)


def worker_host(worker: str | None) -> str | None:
    """The host of a worker name (`host:pid`), or None for a bot on no worker yet."""
    return worker.split(":")[0] if worker else None


def members_of(
    room: RoomRecord, records: Mapping[str, BotRecord | None], guests: Sequence[str] = ()
) -> list[Member]:
    """The room's members as the plan sees them; a closed room has none.

    A member whose record is gone or that ended or failed is not live. `guests`: the
    ids of the people in the room from a browser now (their invites' ids), after the bots.
    """
    if room.closed:
        return []
    members = []
    for bot_id in room.members:
        record = records.get(bot_id)
        live = record is not None and record.state not in TERMINAL_STATES
        members.append(Member(bot_id, worker_host(record.worker if record else None), live))
    members.extend(Member(guest, None, in_browser=True) for guest in guests)
    return members
