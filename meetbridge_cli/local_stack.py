"""The pieces of a local meetbridge, each an async context manager that stops what it starts.

Used by `meetbridge run` (`make run`) and by the tests' fixtures: Redis with an
append-only file, the API (uvicorn) and Celery workers, as child processes, and the
key their stored sign-ins are encrypted with.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx
import redis.asyncio as aioredis
from cryptography.fernet import Fernet
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_fixed

from meetbridge.ports import free_port
from meetbridge.process import supervised


class StartError(RuntimeError):
    """A service did not come up in time."""


async def _wait_for(check: object, what: str, timeout_s: float) -> None:
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(timeout_s),
            wait=wait_fixed(0.1),
            retry=retry_if_exception_type(Exception),
            reraise=True,
        ):
            with attempt:
                await check()  # type: ignore[operator]
    except Exception as exc:
        raise StartError(f"{what} did not start in {timeout_s:g}s: {exc}") from exc


def session_key(folder: Path) -> str:
    """The local stack's MEETBRIDGE_SESSION_KEY: made once, then kept in
    `folder`/session.key (readable by its owner only), so sign-ins stored in the
    stack's Redis open again after a restart. A random key rather than the
    development one: the stack runs as production does."""
    path = folder / "session.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another process: use that one
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key


@contextlib.asynccontextmanager
async def redis_server(folder: Path, port: int | None = None) -> AsyncIterator[str]:
    """redis-server on 127.0.0.1 with AOF persistence in `folder`; yields its URL."""
    folder = folder.resolve()  # redis chdirs into --dir before opening its log file
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [
        "redis-server",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(folder),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--protected-mode",
        "yes",
        "--daemonize",
        "no",
        "--logfile",
        str(folder / "redis.log"),
    ]
    url = f"redis://127.0.0.1:{port}/0"
    async with supervised(argv, name="redis-server", env={"PATH": "/usr/bin:/bin"}):
        client = aioredis.Redis.from_url(url)
        try:
            await _wait_for(client.ping, "redis", 10)
        finally:
            await client.aclose()
        yield url


@contextlib.asynccontextmanager
async def api_server(
    env: Mapping[str, str], port: int | None = None, log_file: Path | None = None
) -> AsyncIterator[str]:
    """The HTTP API in a child process; yields its base URL once /healthz answers."""
    port = port or free_port()
    argv = [sys.executable, "-m", "meetbridge_cli", "api", "--port", str(port)]
    with _output(log_file) as out:
        async with supervised(argv, name="api", env=env, stdout=out, stderr=out, grace_s=10):
            base = f"http://127.0.0.1:{port}"

            async def healthy() -> None:
                async with httpx.AsyncClient() as client:
                    (await client.get(f"{base}/healthz", timeout=2)).raise_for_status()

            await _wait_for(healthy, "the API", 30)
            yield base


@contextlib.asynccontextmanager
async def worker(
    env: Mapping[str, str],
    name: str = "worker",
    log_file: Path | None = None,
    grace_s: float = 60,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A Celery worker running bots; stopped with SIGTERM (its bots leave) then killed."""
    argv = [sys.executable, "-m", "meetbridge_cli", "worker", "--name", name]
    with _output(log_file) as out:
        async with supervised(
            argv,
            name=name,
            env=env,
            stdout=out,
            stderr=out,
            grace_s=grace_s,
            polite_to_leader_only=True,
        ) as proc:
            yield proc


@contextlib.contextmanager
def _output(log_file: Path | None):  # type: ignore[no-untyped-def]
    if log_file is None:
        yield None
        return
    with log_file.open("ab") as handle:
        yield handle
