"""Notices bots whose worker died: no heartbeat for `heartbeat_timeout_s` → failed/worker_lost."""

from __future__ import annotations

import asyncio

import structlog

from meetbridge.lifecycle import RUNNING_STATES, BotState, FailureReason
from meetbridge.records import now
from meetbridge.store import BotStore

log = structlog.get_logger(__name__)


async def sweep_once(store: BotStore, timeout_s: float) -> list[str]:
    """Fail every running bot that has been silent too long; returns their ids."""
    lost = []
    current = now()
    for record in await store.list_all():
        if record.state not in RUNNING_STATES:
            continue
        last = record.heartbeat_at or record.updated_at
        if (current - last).total_seconds() <= timeout_s:
            continue
        result = await store.transition(
            record.id,
            BotState.FAILED,
            reason=FailureReason.WORKER_LOST,
            detail=f"no heartbeat from worker {record.worker or '?'} for {timeout_s:g}s",
        )
        if result.applied:
            log.warning("bot lost its worker", bot_id=record.id, worker=record.worker)
            lost.append(record.id)
    return lost


async def run_watchdog(store: BotStore, timeout_s: float, interval_s: float) -> None:
    while True:
        try:
            await sweep_once(store, timeout_s)
        except Exception as exc:  # noqa: BLE001 - Redis blips must not kill the watchdog
            log.warning("watchdog sweep failed", error=type(exc).__name__)
        await asyncio.sleep(interval_s)
