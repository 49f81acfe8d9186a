"""A small client for Janus's HTTP API: sessions, plugin handles, messages, events.

Why our own: the PyPI janus-client package has no AudioBridge plugin, and the HTTP
transport (long-poll, no trickle: aiortc's SDP carries all its candidates) is a
few requests. Requests answered `success` resolve at once; the rest are `ack`ed
and answered later by an `event` with the same transaction, which the long-poll
loop hands back.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

import httpx
import structlog

from meetbridge.tasks import stopped

log = structlog.get_logger(__name__)
KEEPALIVE_S = 25.0
POLL_TIMEOUT_S = 40.0


class JanusError(RuntimeError):
    """Janus (or a plugin) refused a request."""


def _transaction() -> str:
    return secrets.token_hex(8)


def _raise_for_error(reply: dict[str, Any]) -> None:
    if reply.get("janus") == "error":
        error = reply.get("error", {})
        raise JanusError(f"janus error {error.get('code')}: {error.get('reason')}")
    data = reply.get("plugindata", {}).get("data", {})
    if "error" in data:
        raise JanusError(f"plugin error {data.get('error_code')}: {data['error']}")


class JanusHandle:
    """One attached plugin handle of a session."""

    def __init__(self, session: JanusSession, handle_id: int):
        self.session, self.id = session, handle_id
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous plugin request (create, destroy, list...): its `data`."""
        reply = await self.session.post(
            {"janus": "message", "body": body}, handle=self.id, wait_event=False
        )
        data: dict[str, Any] = reply.get("plugindata", {}).get("data", {})
        return data

    async def message(
        self, body: dict[str, Any], jsep: dict[str, Any] | None = None, timeout_s: float = 15
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """An asynchronous request: waits for the plugin's event; returns (data, jsep)."""
        message: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        reply = await self.session.post(
            message, handle=self.id, wait_event=True, timeout_s=timeout_s
        )
        return reply.get("plugindata", {}).get("data", {}), reply.get("jsep")

    async def detach(self) -> None:
        with contextlib.suppress(httpx.HTTPError, JanusError):
            await self.session.post({"janus": "detach"}, handle=self.id, wait_event=False)


class JanusSession:
    """A Janus session with its long-poll and keep-alive loops; destroyed on exit."""

    def __init__(self, base_url: str, *, api_secret: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.api_secret = api_secret
        self.id: int | None = None
        self._client = httpx.AsyncClient(timeout=POLL_TIMEOUT_S + 5)
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._handles: dict[int, JanusHandle] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> JanusSession:
        try:
            reply = await self._post_raw(self.base_url, {"janus": "create"})
            self.id = int(reply["data"]["id"])
        except BaseException:
            await self._client.aclose()
            raise
        self._tasks = [asyncio.create_task(self._poll()), asyncio.create_task(self._keepalive())]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        with contextlib.suppress(httpx.HTTPError, JanusError):
            await self._post_raw(self._session_url, {"janus": "destroy"})
        await stopped(*self._tasks)
        await self._client.aclose()

    @property
    def _session_url(self) -> str:
        return f"{self.base_url}/{self.id}"

    async def attach(self, plugin: str) -> JanusHandle:
        reply = await self.post({"janus": "attach", "plugin": plugin}, wait_event=False)
        handle = JanusHandle(self, int(reply["data"]["id"]))
        self._handles[handle.id] = handle
        return handle

    async def post(
        self,
        message: dict[str, Any],
        *,
        handle: int | None = None,
        wait_event: bool,
        timeout_s: float = 15,
    ) -> dict[str, Any]:
        url = f"{self._session_url}/{handle}" if handle is not None else self._session_url
        transaction = _transaction()
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = waiter
        try:
            reply = await self._post_raw(url, {**message, "transaction": transaction})
            if reply.get("janus") == "ack" and wait_event:
                reply = await asyncio.wait_for(waiter, timeout_s)
                _raise_for_error(reply)
            return reply
        finally:
            self._pending.pop(transaction, None)

    async def _post_raw(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        message.setdefault("transaction", _transaction())
        if self.api_secret:
            message["apisecret"] = self.api_secret
        response = await self._client.post(url, json=message)
        response.raise_for_status()
        reply: dict[str, Any] = response.json()
        _raise_for_error(reply)
        return reply

    async def _poll(self) -> None:
        params = {"maxev": "10"}
        if self.api_secret:
            params["apisecret"] = self.api_secret
        while True:
            try:
                response = await self._client.get(self._session_url, params=params)
                response.raise_for_status()
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("janus poll failed", error=type(exc).__name__)
                await asyncio.sleep(1)
                continue
            for event in body if isinstance(body, list) else [body]:
                self._dispatch(event)

    def _dispatch(self, event: dict[str, Any]) -> None:
        waiter = self._pending.get(event.get("transaction", ""))
        if waiter is not None and not waiter.done() and event.get("janus") != "ack":
            waiter.set_result(event)
            return
        handle = self._handles.get(int(event.get("sender", 0) or 0))
        if handle is not None:
            handle.events.put_nowait(event)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_S)
            with contextlib.suppress(httpx.HTTPError, JanusError):
                await self._post_raw(self._session_url, {"janus": "keepalive"})
