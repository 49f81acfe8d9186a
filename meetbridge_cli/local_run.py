"""`meetbridge run` (`make run`): Redis, the room Janus, the API and one worker here.

Prints the API address and a fresh API key, runs until Ctrl-C, then stops the
worker first (its bots leave their meetings), then the API, Janus and Redis.
A room Janus is started unless MEETBRIDGE_ROOM_JANUS_URL names one already (its
media ports and NAT settings come from MEETBRIDGE_ROOM_JANUS_*: see JanusNetwork in
meetbridge/janus_server.py); stored sign-ins are encrypted with
MEETBRIDGE_SESSION_KEY, or else a key made once and kept in .run/session.key.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from meetbridge.janus_server import JanusNetwork, JanusServer
from meetbridge.ports import free_port
from meetbridge_cli.local_stack import api_server, redis_server, session_key, worker

RUN_DIR = Path(".run")


async def run_local(environ: Mapping[str, str]) -> int:
    port = int(environ.get("MEETBRIDGE_API_PORT", "8000"))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    redis_port = int(environ.get("MEETBRIDGE_REDIS_PORT", "0")) or free_port()
    async with contextlib.AsyncExitStack() as stack:
        redis_url = await stack.enter_async_context(redis_server(RUN_DIR / "redis", redis_port))
        env = {**environ, "MEETBRIDGE_REDIS_URL": redis_url}
        if not env.get("MEETBRIDGE_SESSION_KEY"):
            env["MEETBRIDGE_SESSION_KEY"] = session_key(RUN_DIR)
        if not env.get("MEETBRIDGE_ROOM_JANUS_URL"):
            janus = await stack.enter_async_context(
                JanusServer(workdir=RUN_DIR / "janus", network=JanusNetwork.from_env(env))
            )
            env["MEETBRIDGE_ROOM_JANUS_URL"] = janus.http_url
        base = await stack.enter_async_context(api_server(env, port, RUN_DIR / "api.log"))
        await stack.enter_async_context(worker(env, "worker", RUN_DIR / "worker.log"))
        key = await _new_key(env)
        print(
            f"meetbridge is running\n  dashboard: {base}/  (sign in with the key below)\n"
            f"  API:       {base}  (docs: {base}/docs)\n"
            f"  API key:   {key}\n  rooms:     {env['MEETBRIDGE_ROOM_JANUS_URL']}\n"
            f"  logs:      {RUN_DIR}/api.log, {RUN_DIR}/worker.log\n"
            "Ctrl-C stops everything.",
            flush=True,
        )
        await stop.wait()
        print("stopping: bots leave their meetings first ...", flush=True)
    return 0


async def _new_key(env: Mapping[str, str]) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "meetbridge_cli",
        "--log-level",
        "WARNING",
        "keys",
        "create",
        "local",
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError("could not create an API key")
    return out.decode().strip()
