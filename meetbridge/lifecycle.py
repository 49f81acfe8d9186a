"""The bot lifecycle: one state enum, one transition table, one place that changes state.

Shared by the worker and the orchestrator, so it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import structlog

log = structlog.get_logger(__name__)


class BotState(StrEnum):
    QUEUED = "queued"
    BOOTING = "booting"
    JOINING = "joining"
    WAITING_ROOM = "waiting_room"
    IN_MEETING = "in_meeting"
    LEAVING = "leaving"
    ENDED = "ended"
    FAILED = "failed"


class FailureReason(StrEnum):
    URL_REJECTED = "url_rejected"
    DEVICES_FAILED = "devices_failed"
    JOIN_TIMEOUT = "join_timeout"  # the join screens did not get it into the meeting in time
    WAITING_ROOM_TIMEOUT = "waiting_room_timeout"  # nobody admitted it from the lobby in time
    JOIN_FAILED = "join_failed"
    DENIED = "denied"  # someone in the meeting refused to admit it
    MEETING_NOT_FOUND = "meeting_not_found"  # the link leads to no meeting
    PASSCODE_WRONG = "passcode_wrong"
    SIGN_IN_REQUIRED = "sign_in_required"  # the meeting admits only signed-in accounts
    BLOCKED_BY_VENDOR = "blocked_by_vendor"  # a captcha or the vendor's wall against bots
    REMOVED = "removed"
    MEETING_ENDED = "meeting_ended"
    ALONE_TIMEOUT = "alone_timeout"  # older records: now everyone_left or nobody_joined
    # Why a bot that ended left by itself (with `ended`, not `failed`):
    EVERYONE_LEFT = "everyone_left"  # the people who were there all left
    NOBODY_JOINED = "nobody_joined"  # no person joined within the set time
    MAX_DURATION = "max_duration"  # it stayed as long as it may
    WORKER_LOST = "worker_lost"
    BROWSER_CRASHED = "browser_crashed"
    CANCELLED = "cancelled"
    INTERNAL_ERROR = "internal_error"


TERMINAL_STATES = frozenset({BotState.ENDED, BotState.FAILED})
# A worker holds the bot: it heartbeats, takes commands, has a screen to show.
RUNNING_STATES = frozenset(
    {
        BotState.BOOTING,
        BotState.JOINING,
        BotState.WAITING_ROOM,
        BotState.IN_MEETING,
        BotState.LEAVING,
    }
)

# Which state may follow which. FAILED may follow any non-terminal state.
TRANSITIONS: dict[BotState, frozenset[BotState]] = {
    BotState.QUEUED: frozenset({BotState.BOOTING, BotState.ENDED}),
    BotState.BOOTING: frozenset({BotState.JOINING, BotState.LEAVING}),
    BotState.JOINING: frozenset({BotState.WAITING_ROOM, BotState.IN_MEETING, BotState.LEAVING}),
    BotState.WAITING_ROOM: frozenset({BotState.IN_MEETING, BotState.LEAVING}),
    BotState.IN_MEETING: frozenset({BotState.LEAVING}),
    BotState.LEAVING: frozenset({BotState.ENDED}),
    BotState.ENDED: frozenset(),
    BotState.FAILED: frozenset(),
}


class TransitionError(RuntimeError):
    """A state change the lifecycle does not allow (a bug in the caller)."""


def can_move(old: BotState, new: BotState) -> bool:
    if old in TERMINAL_STATES:
        return False
    return new is BotState.FAILED or new in TRANSITIONS[old]


@dataclass(frozen=True)
class StateChange:
    """One transition, as logged and emitted to listeners."""

    old: BotState
    new: BotState
    at: datetime
    reason: FailureReason | None = None
    detail: str | None = None


Listener = Callable[[StateChange], None]


@dataclass
class BotLifecycle:
    """Holds a bot's state; `move` is the only way to change it."""

    bot_id: str
    state: BotState = BotState.QUEUED
    reason: FailureReason | None = None
    listeners: list[Listener] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    def move(
        self, new: BotState, *, reason: FailureReason | None = None, detail: str | None = None
    ) -> StateChange:
        if new is BotState.FAILED and reason is None:
            raise TransitionError("a bot fails with a reason")
        if reason is not None and new not in TERMINAL_STATES:
            raise TransitionError("a reason comes with the end of a bot's run, failed or ended")
        if not can_move(self.state, new):
            raise TransitionError(f"bot {self.bot_id}: {self.state} -> {new} is not allowed")
        change = StateChange(self.state, new, datetime.now(UTC), reason, detail)
        self.state, self.reason = new, reason
        log.info(
            "bot state",
            bot_id=self.bot_id,
            transition=f"{change.old} -> {change.new}",
            reason=reason,
            detail=detail,
        )
        for listener in self.listeners:
            listener(change)
        return change
