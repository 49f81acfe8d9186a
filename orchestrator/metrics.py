"""Prometheus metrics: bots by state (read at scrape), join time and failures (from events)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from meetbridge.lifecycle import BotState
from orchestrator.events import Event


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.bots = Gauge("meetbridge_bots", "Bots by state", ["state"], registry=self.registry)
        self.join_seconds = Histogram(
            "meetbridge_join_duration_seconds",
            "From the API request to in_meeting",
            buckets=(0.5, 1, 1.5, 2, 3, 5, 8, 13, 21, 34, 60, 120),
            registry=self.registry,
        )
        self.failures = Counter(
            "meetbridge_bot_failures_total",
            "Bots that failed, by reason",
            ["reason"],
            registry=self.registry,
        )

    def set_states(self, counts: dict[BotState, int]) -> None:
        for state in BotState:
            self.bots.labels(state=state.value).set(counts.get(state, 0))

    def observe(self, event: Event) -> None:
        fields = event.fields
        state = fields.get("state")
        if state == BotState.IN_MEETING and fields.get("created_at") and fields.get("at"):
            joined = datetime.fromisoformat(fields["at"])
            created = datetime.fromisoformat(fields["created_at"])
            self.join_seconds.observe(max((joined - created).total_seconds(), 0.0))
        elif state == BotState.FAILED:
            self.failures.labels(reason=fields.get("reason") or "unknown").inc()
