"""The lab's small HTTP servers (the demo site, the reconstructed vendors) run in a
thread of the lab's own process; this starts and stops one the same way for all."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from http.server import HTTPServer


def start_serving(server: HTTPServer, name: str) -> threading.Thread:
    """Serve in a daemon thread (polling for shutdown every 0.1 s)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
    )
    thread.start()
    return thread


async def stop_serving(server: HTTPServer, thread: threading.Thread | None) -> None:
    """Stop serving and close the socket, off the event loop (shutdown() blocks until
    serve_forever returns), even if the caller is being cancelled."""
    await asyncio.shield(asyncio.to_thread(_stop, server, thread))


def _stop(server: HTTPServer, thread: threading.Thread | None) -> None:
    with contextlib.suppress(Exception):
        server.shutdown()
    server.server_close()
    if thread is not None:
        thread.join(timeout=5)
