"""A private Janus instance standing in for one vendor's meeting server.

The same server as `make run`'s room Janus (meetbridge.janus_server), but only
inside the lab's network namespace, and marked as this run's lab process so the
tests' leak check finds it if it outlives its test.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from lab.netns import require_lab_namespace
from lab.processes import as_other_machine, lab_env
from meetbridge.janus_server import JanusServer

DEFAULT_ROOM = 1234  # defined in Debian's janus.plugin.videoroom.jcfg


class LabJanus(JanusServer):
    """Async context manager: a running lab Janus reachable at `http_url`."""

    def __init__(
        self,
        *,
        workdir: Path | None = None,
        start_timeout_s: float = 15.0,
        vendor: bool = True,  # False: meetbridge's own (the rooms' server)
    ) -> None:
        super().__init__(workdir=workdir, start_timeout_s=start_timeout_s)
        self.vendor = vendor

    def launch_prefix(self) -> list[str]:
        return as_other_machine([]) if self.vendor else []

    def process_env(self) -> Mapping[str, str]:
        return lab_env(super().process_env())

    async def __aenter__(self) -> LabJanus:
        require_lab_namespace()
        await super().__aenter__()
        return self

    async def create_videoroom(self, room: int, publishers: int = 6) -> None:
        """Create VideoRoom `room` (not persisted) through the Janus HTTP API."""
        async with JanusHttpSession(self.http_url) as session:
            handle = await session.attach("janus.plugin.videoroom")
            data = await session.plugin_request(
                handle,
                {
                    "request": "create",
                    "room": room,
                    "publishers": publishers,
                    "bitrate": 128000,
                    "fir_freq": 10,
                    "permanent": False,
                },
            )
        if data.get("videoroom") != "created":
            raise RuntimeError(f"could not create videoroom {room}: {data}")

    async def participants(self, room: int = DEFAULT_ROOM) -> list[str]:
        """Display names Janus lists in VideoRoom `room` (a ghost would show here)."""
        async with JanusHttpSession(self.http_url) as session:
            handle = await session.attach("janus.plugin.videoroom")
            data = await session.plugin_request(
                handle, {"request": "listparticipants", "room": room}
            )
        return [str(p.get("display", "")) for p in data.get("participants", [])]


class JanusApiError(RuntimeError):
    pass


class JanusHttpSession:
    """Minimal Janus HTTP API session for synchronous plugin requests (e.g. `create`)."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._client = httpx.AsyncClient(timeout=5.0)
        self._session_id: int | None = None

    async def __aenter__(self) -> JanusHttpSession:
        try:
            reply = await self._post(self._base_url, {"janus": "create"})
        except BaseException:
            await self._client.aclose()
            raise
        self._session_id = int(reply["data"]["id"])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if self._session_id is not None:
                with contextlib.suppress(httpx.HTTPError, JanusApiError):
                    await self._post(self._session_url, {"janus": "destroy"})
        finally:
            self._session_id = None
            await self._client.aclose()

    @property
    def _session_url(self) -> str:
        return f"{self._base_url}/{self._session_id}"

    async def attach(self, plugin: str) -> int:
        reply = await self._post(self._session_url, {"janus": "attach", "plugin": plugin})
        return int(reply["data"]["id"])

    async def plugin_request(self, handle: int, body: dict[str, Any]) -> dict[str, Any]:
        """Send a request the plugin answers synchronously; return its `data`."""
        reply = await self._post(
            f"{self._session_url}/{handle}", {"janus": "message", "body": body}
        )
        data: dict[str, Any] = reply["plugindata"]["data"]
        if "error" in data:
            raise JanusApiError(f"{body.get('request')}: {data['error']}")
        return data

    async def _post(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        message = {**message, "transaction": secrets.token_hex(6)}
        response = await self._client.post(url, json=message)
        response.raise_for_status()
        reply: dict[str, Any] = response.json()
        if reply.get("janus") == "error":
            raise JanusApiError(f"{message['janus']}: {reply.get('error')}")
        return reply
