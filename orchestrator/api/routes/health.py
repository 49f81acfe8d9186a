"""/healthz (no auth) and /metrics (Prometheus text format)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from orchestrator.api.deps import StoreDep
from orchestrator.metrics import Metrics

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(store: StoreDep) -> dict[str, str]:
    """Alive, and Redis answers."""
    await store.ping()
    return {"status": "ok"}


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics(request: Request, store: StoreDep) -> Response:
    collected: Metrics = request.app.state.metrics
    collected.set_states(Counter(record.state for record in await store.list_all()))
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
