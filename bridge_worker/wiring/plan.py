"""The virtual room as a pure plan: which bot's meeting reaches which other bot.

No I/O here, so every rule is unit-tested: members never receive themselves, each
receives every other live member, a room with fewer than two live members carries
nothing, and the same-host path (PulseAudio pipes between daemons) is chosen only
when every member runs on one host and the room is not forced across hosts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Path(StrEnum):
    JANUS = "janus"  # AudioBridge + VideoRoom: works across hosts
    SAME_HOST = "same_host"  # PulseAudio pipes between the bots' daemons


class RoomHealth(StrEnum):
    WIRED = "wired"
    DEGRADED = "degraded"  # fewer than two live members: nobody to bridge to


@dataclass(frozen=True)
class Member:
    bot_id: str
    host: str  # the worker host the bot runs on
    live: bool = True  # in its meeting (not failed, not left)


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
    """Links between every ordered pair of distinct live members, in join order."""
    live = [m for m in members if m.live]
    ids = [m.bot_id for m in live]
    if len(set(ids)) != len(ids):
        raise ValueError("a bot is in a room at most once")
    if force_path is not None:
        path = force_path
    elif live and len({m.host for m in live}) == 1:
        path = Path.SAME_HOST
    else:
        path = Path.JANUS
    if len(live) < 2:
        return RoomPlan(path, RoomHealth.DEGRADED, ())
    links = tuple(Link(s.bot_id, t.bot_id) for t in live for s in live if s is not t)
    return RoomPlan(path, RoomHealth.WIRED, links)
