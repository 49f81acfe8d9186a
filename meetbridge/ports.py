"""Picking a free TCP port for a service this machine starts (Redis, Janus, the API)."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (another process may still take it before the
    caller binds it: callers that can, retry)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
