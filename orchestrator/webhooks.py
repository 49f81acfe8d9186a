"""Webhooks: each event of a key's bots POSTed to that key's URL, signed and retried.

Delivery reads the event stream through a consumer group, so with several API
replicas each event is delivered by one of them; an event is acknowledged once
delivered or given up on. Receivers de-duplicate by `X-Meetbridge-Event-Id`.
Signature: `X-Meetbridge-Signature: sha256=HEX`, the HMAC-SHA256 with the key's
webhook secret of `"{X-Meetbridge-Timestamp}.{body}"`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import httpx
import redis.asyncio as aioredis
import structlog
from redis.exceptions import ResponseError
from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

from meetbridge.records import EVENTS_STREAM
from orchestrator.events import Event
from orchestrator.keys import get_key

log = structlog.get_logger(__name__)
GROUP = "webhooks"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


async def deliver(
    client: httpx.AsyncClient, url: str, secret: str, event: Event, attempts: int
) -> bool:
    body = json.dumps(event.public()).encode()
    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.5, max=30),
        reraise=False,
        retry_error_callback=lambda _state: False,
    ):
        with attempt:
            timestamp = str(int(time.time()))
            response = await client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Meetbridge-Event-Id": event.fields.get("event_id", event.stream_id),
                    "X-Meetbridge-Timestamp": timestamp,
                    "X-Meetbridge-Signature": sign(secret, timestamp, body),
                },
            )
            response.raise_for_status()
    return True


async def run_webhooks(
    redis: aioredis.Redis, consumer: str, attempts: int, timeout_s: float
) -> None:
    try:
        await redis.xgroup_create(EVENTS_STREAM, GROUP, id="$", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client:
        while True:
            try:
                batch = await redis.xreadgroup(
                    GROUP, consumer, {EVENTS_STREAM: ">"}, count=20, block=5000
                )
            except Exception as exc:  # noqa: BLE001 - keep delivering after Redis blips
                log.warning("webhook read failed", error=type(exc).__name__)
                await asyncio.sleep(1)
                continue
            for stream_id, fields in batch[0][1] if batch else []:
                event = Event(stream_id, fields)
                key = await get_key(redis, event.key_id) if event.key_id else None
                if key and key.webhook_url and key.webhook_secret:
                    ok = await deliver(client, key.webhook_url, key.webhook_secret, event, attempts)
                    if not ok:
                        log.warning(
                            "webhook given up", key_id=key.key_id, event_id=fields.get("event_id")
                        )
                await redis.xack(EVENTS_STREAM, GROUP, stream_id)
