"""Small helpers for tests that drive meetbridge over HTTP like a user would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx

from meetbridge.lifecycle import BotState


async def sse_events(client: httpx.AsyncClient, **params: str) -> AsyncIterator[dict]:
    """Parsed `data:` payloads from GET /v1/events, as they arrive."""
    async with client.stream("GET", "/v1/events", params=params, timeout=None) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                yield json.loads(line[5:].strip())


async def wait_for_state(
    client: httpx.AsyncClient, bot_id: str, *states: BotState, timeout_s: float = 60
) -> dict:
    """Poll GET /v1/bots/{id} until the bot is in one of `states`; returns the bot."""
    wanted = {s.value for s in states}
    async with asyncio.timeout(timeout_s):
        while True:
            bot = (await client.get(f"/v1/bots/{bot_id}")).json()
            if bot["state"] in wanted:
                return bot
            await asyncio.sleep(0.2)


def relay_said(media: dict | None) -> str:
    """How a room member's meeting hears the room, from its `media` in GET
    /v1/rooms/{id}: `encoded`, or `devices` with why ("devices (guest_source)")."""
    media = media or {}
    why = media.get("relay_reason")
    return f"{media.get('relay')}" + (f" ({why})" if why else "")
