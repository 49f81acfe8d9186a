"""Webhooks: every event of a key's bots, signed, retried after a failure, de-duplicable."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis.asyncio as aioredis

from orchestrator.keys import authenticate

pytestmark = [pytest.mark.integration]

GOOD = {"meeting_url": "http://127.0.0.1:8088/videoroomtest.html?room=1234", "display_name": "b"}


class Receiver:
    """A webhook endpoint on loopback that fails its first delivery on purpose."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.failures_left = 1
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.deliveries.append((dict(self.headers), body))
                    fail = receiver.failures_left > 0
                    receiver.failures_left -= 1
                self.send_response(500 if fail else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@contextlib.contextmanager
def receiving() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


async def test_events_reach_the_webhook_signed_and_retried(api_only) -> None:
    with receiving() as (receiver, url):
        token = await api_only.new_key("hooked", webhook_url=url)
        client = aioredis.Redis.from_url(api_only.redis_url, decode_responses=True)
        key = await authenticate(client, token)
        await client.aclose()
        assert key is not None and key.webhook_secret
        async with api_only.client(token) as api:
            bot_id = (await api.post("/v1/bots", json=GOOD)).json()["id"]
            await api.delete(f"/v1/bots/{bot_id}")  # queued -> ended: a second event
        async with asyncio.timeout(20):
            while len({h["X-Meetbridge-Event-Id"] for h, _ in receiver.deliveries}) < 2:
                await asyncio.sleep(0.1)
        ids = [h["X-Meetbridge-Event-Id"] for h, _ in receiver.deliveries]
        assert ids[0] == ids[1], "the failed delivery is retried with the same event id"
        states = []
        for headers, body in receiver.deliveries:
            signed = f"{headers['X-Meetbridge-Timestamp']}.".encode() + body
            expected = hmac.new(key.webhook_secret.encode(), signed, hashlib.sha256).hexdigest()
            assert headers["X-Meetbridge-Signature"] == f"sha256={expected}"
            event = json.loads(body)
            assert event["bot_id"] == bot_id and "key_id" not in event
            states.append(event["state"])
        assert states[-2:] == ["queued", "ended"] or states[-1] == "ended"


async def test_another_keys_events_never_reach_my_stream(api_only) -> None:
    from lab.api_client import sse_events

    mine, theirs = await api_only.new_key("mine"), await api_only.new_key("theirs")
    received: list[dict] = []

    async def listen() -> None:
        async with api_only.client(mine) as api:
            async for event in sse_events(api):
                received.append(event)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(1)
    async with api_only.client(theirs) as api:
        await api.post("/v1/bots", json=GOOD)
    async with api_only.client(mine) as api:
        my_bot = (await api.post("/v1/bots", json=GOOD)).json()["id"]
    async with asyncio.timeout(10):
        while not received:
            await asyncio.sleep(0.1)
    listener.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listener
    assert [e["bot_id"] for e in received] == [my_bot]
