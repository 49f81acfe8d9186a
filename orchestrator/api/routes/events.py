"""/v1/events: every state change of the caller's bots, as server-sent events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from sse_starlette.sse import EventSourceResponse

from orchestrator.api.deps import EventsDep, KeyDep
from orchestrator.events import valid_stream_id

router = APIRouter(tags=["events"])


@router.get(
    "/v1/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "event stream"}},
)
async def events(
    request: Request,
    key: KeyDep,
    event_log: EventsDep,
    bot_id: Annotated[str | None, Query(max_length=64)] = None,
    last_event_id: Annotated[str | None, Header(max_length=40)] = None,
) -> EventSourceResponse:
    """State changes from now on (or after `Last-Event-ID`), only of the caller's bots."""
    start = last_event_id if last_event_id and valid_stream_id(last_event_id) else "$"

    async def stream() -> AsyncIterator[dict[str, str]]:
        async for event in event_log.follow(start, block_ms=5000):
            if await request.is_disconnected():
                return
            if event is None or event.key_id != key.key_id:
                continue
            if bot_id is not None and event.fields.get("bot_id") != bot_id:
                continue
            yield {
                "id": event.stream_id,
                "event": event.fields.get("type", "bot.state"),
                "data": json.dumps(event.public()),
            }

    return EventSourceResponse(stream(), ping=15)
