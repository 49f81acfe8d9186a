"""The real service stack for the lab: Redis, the API and Celery workers as processes,
each of which a test or benchmark can restart or stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis.asyncio as aioredis

from meetbridge.ports import free_port
from meetbridge_cli.local_stack import api_server, redis_server, session_key, worker
from orchestrator.keys import create_key


def stack_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of the stack's processes: explicit, lab hosts allowed."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "MEETBRIDGE_REDIS_URL": redis_url,
        "MEETBRIDGE_LAB_HOSTS": json.dumps(["127.0.0.1"]),
        "MEETBRIDGE_HEARTBEAT_INTERVAL_S": "1",
        "MEETBRIDGE_HEARTBEAT_TIMEOUT_S": "6",
        "MEETBRIDGE_WATCHDOG_INTERVAL_S": "1",
        "MEETBRIDGE_LEASE_TTL_S": "8",
        "MEETBRIDGE_STATUS_INTERVAL_S": "0.5",
        "MEETBRIDGE_WARM_POOL_VENDORS": json.dumps(["janus"]),  # the lab's meetings
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("MEETBRIDGE_IN_LAB_NETNS", "MEETBRIDGE_LAB_RUN"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env | extra


@dataclass
class Stack:
    """A running stack; each part can be restarted or stopped by a test."""

    folder: Path
    redis_port: int
    api_port: int
    env: dict[str, str]
    exits: contextlib.AsyncExitStack
    base_url: str = ""
    parts: dict[str, contextlib.AsyncExitStack] = field(default_factory=dict)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    async def start(self, part: str) -> object:
        """Start `redis`, `api` or `worker[-N]` (stopping it first if it runs)."""
        await self.stop(part)
        exits = contextlib.AsyncExitStack()
        if part == "redis":
            value: object = await exits.enter_async_context(
                redis_server(self.folder / "redis", self.redis_port)
            )
        elif part == "api":
            value = self.base_url = await exits.enter_async_context(
                api_server(self.env, self.api_port, self.log("api"))
            )
        else:
            value = await exits.enter_async_context(
                worker(self.env, part, self.log(part), grace_s=45)
            )
        self.parts[part] = exits
        return value

    async def stop(self, part: str) -> None:
        exits = self.parts.pop(part, None)
        if exits is not None:
            await exits.aclose()

    async def aclose(self) -> None:
        for part in sorted(self.parts, key=lambda p: p == "redis"):  # redis last
            await self.stop(part)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)

    async def new_key(self, name: str = "test", webhook_url: str | None = None) -> str:
        client = aioredis.Redis.from_url(self.redis_url, decode_responses=True)
        try:
            return (await create_key(client, name, webhook_url)).token
        finally:
            await client.aclose()

    def all_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.folder.glob("*.log"))


@contextlib.asynccontextmanager
async def running_stack(folder: Path, *, workers: int = 1) -> AsyncIterator[Stack]:
    redis_port = free_port()
    stack = Stack(folder, redis_port, free_port(), {}, contextlib.AsyncExitStack())
    stack.env = stack_env(stack.redis_url, MEETBRIDGE_SESSION_KEY=session_key(folder))
    try:
        await stack.start("redis")
        await stack.start("api")
        for n in range(workers):
            await stack.start(f"worker{n}")
        yield stack
    finally:
        await asyncio.shield(stack.aclose())
