"""`meetbridge drain`: a worker stops taking jobs, and (with --wait) its bots are let
finish. A worker pod's preStop hook: scaling in never takes a pod whose bots are
still in their meetings (within its grace period); the SIGTERM that follows finds
none left, or makes the last ones leave.

Through Celery's remote control on the broker: the worker named `NAME@<this host>`
stops consuming the bots queue, then is asked for its running jobs until none are.
"""

from __future__ import annotations

import socket
import sys
import time

POLL_S = 2.0
REPLY_TIMEOUT_S = 5.0
QUEUE = "bots"


def drain(name: str, wait_s: float) -> int:
    """0 once the worker takes no jobs and runs no bot (or at once without a wait); 1
    when no worker answers to the name; 3 when bots still run after `wait_s`."""
    from bridge_worker.celery_app import app

    node = f"{name}@{socket.gethostname()}"
    replies = app.control.cancel_consumer(
        QUEUE, destination=[node], reply=True, timeout=REPLY_TIMEOUT_S
    )
    if not replies:
        print(f"meetbridge: no worker answers as {node}", file=sys.stderr)
        return 1
    print(f"meetbridge: {node} takes no more jobs", file=sys.stderr)
    deadline = time.monotonic() + wait_s
    while True:
        active = app.control.inspect([node], timeout=REPLY_TIMEOUT_S).active() or {}
        running = len(active.get(node, []))
        if running == 0:
            return 0
        if time.monotonic() >= deadline:
            print(f"meetbridge: {node} still runs {running} bot(s)", file=sys.stderr)
            return 0 if wait_s == 0 else 3
        time.sleep(POLL_S)
