"""Find lab processes (Janus, Chromium) that outlived the code that started them.

Every process the lab starts gets an environment variable unique to this Python
process; the variable is inherited by all descendants, also by those that get
reparented to init (Chromium's crashpad handler, say). Looking for it in
/proc/*/environ finds exactly *our* leftovers, never a process another test
run or engineer started on the same machine.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

RUN_ENV_VAR = "MEETBRIDGE_LAB_RUN"
RUN_ID = f"{os.getpid()}-{secrets.token_hex(4)}"
_MARKER = f"{RUN_ENV_VAR}={RUN_ID}".encode()


def lab_env(base: Mapping[str, str]) -> dict[str, str]:
    """`base` plus this run's marker: use it as the environment of every lab process."""
    return {**base, RUN_ENV_VAR: RUN_ID}


def _is_ours(proc: Path) -> bool:
    try:
        return _MARKER in (proc / "environ").read_bytes().split(b"\0")
    except OSError:  # gone meanwhile, a kernel thread, or a zombie
        return False


def _command_line(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


def leftover_processes() -> list[str]:
    """"PID command line" of every live process carrying this run's marker."""
    own = str(os.getpid())
    return [
        f"{proc.name} {_command_line(proc)[:200]}"
        for proc in Path("/proc").iterdir()
        if proc.name.isdigit() and proc.name != own and _is_ours(proc)
    ]


def wait_for_no_leftovers(timeout_s: float = 5.0) -> list[str]:
    """Leftovers still alive after `timeout_s` (browsers need a moment to exit)."""
    deadline = time.monotonic() + timeout_s
    while (leftovers := leftover_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return leftovers
