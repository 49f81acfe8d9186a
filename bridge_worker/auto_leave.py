"""When a bot in its meeting leaves by itself, and why: the rules users expect.

- nobody else (no person: other meetbridge bots do not count) joined within
  `nobody_joined_s` of the bot's admission: `nobody_joined`;
- people were there and all have left, for `everyone_left_s`: `everyone_left`;
- the bot has been in the meeting for `max_duration_s`: `max_duration`.
Pure (the caller counts the people on each status check), so every rule is unit-tested.
The times are the worker's settings, unless the bot was sent with its own
(`with_limits`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge_worker.settings import WorkerSettings
from meetbridge.lifecycle import FailureReason
from meetbridge.records import AutoLeaveLimits


@dataclass
class AutoLeave:
    nobody_joined_s: float
    everyone_left_s: float
    max_duration_s: float
    admitted_at: float
    _last_seen: float | None = None  # when a person was last in the meeting

    def check(self, now: float, people: int) -> tuple[FailureReason, str] | None:
        """Why the bot should leave now, with words for the user; None: it stays."""
        if now - self.admitted_at >= self.max_duration_s:
            return FailureReason.MAX_DURATION, f"in the meeting for {self.max_duration_s:g}s"
        if people > 0:
            self._last_seen = now
            return None
        if self._last_seen is None:
            if now - self.admitted_at >= self.nobody_joined_s:
                return FailureReason.NOBODY_JOINED, f"nobody joined in {self.nobody_joined_s:g}s"
            return None
        if now - self._last_seen >= self.everyone_left_s:
            return FailureReason.EVERYONE_LEFT, f"everyone left {self.everyone_left_s:g}s ago"
        return None


def with_limits(settings: WorkerSettings, limits: AutoLeaveLimits | None) -> WorkerSettings:
    """The settings one bot runs with: its own auto-leave limits where it was sent with
    them, the worker's elsewhere."""
    if limits is None:
        return settings
    chosen = {
        "alone_timeout_s": limits.everyone_left_after_s,
        "nobody_joined_timeout_s": limits.nobody_joined_after_s,
        "max_duration_s": limits.max_duration_s,
    }
    return settings.model_copy(update={k: v for k, v in chosen.items() if v is not None})
