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


# Lab parts that stand for other machines (the vendors' servers, the people) run at
# this niceness when it is set: a benchmark on one shared box then charges the
# bridge with its own delays, not with a starved simulated person's (bench.bridge_latency).
OTHER_MACHINE_NICE_VAR = "MEETBRIDGE_LAB_OTHER_MACHINE_NICE"


def as_other_machine(argv: list[str]) -> list[str]:
    """`argv`, run at the other machines' niceness when one is set (root may lower it)."""
    nice = os.environ.get(OTHER_MACHINE_NICE_VAR)
    return ["nice", "-n", str(int(nice)), *argv] if nice else argv


def _is_marked(proc: Path) -> bool:
    try:
        return _MARKER in (proc / "environ").read_bytes().split(b"\0")
    except OSError:  # gone meanwhile, a kernel thread, or a zombie
        return False


def _parent_pid(proc: Path) -> int | None:
    """The parent's pid; None for zombies (dead, only not reaped) and vanished ones."""
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    state, ppid = stat.rsplit(")", 1)[1].split()[:2]
    return None if state == "Z" else int(ppid)


def _command_line(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


def leftover_processes() -> list[str]:
    """Every live process of this run, as "PID command line".

    A process is ours when it carries the marker, or descends from one that does:
    Chromium starts its zygotes and utility processes with an environment of its
    own, so only the browser and its crash handler carry the marker themselves.
    """
    procs = {int(p.name): p for p in Path("/proc").iterdir() if p.name.isdigit()}
    procs.pop(os.getpid(), None)
    parents = {pid: _parent_pid(proc) for pid, proc in procs.items()}
    alive = {pid for pid, ppid in parents.items() if ppid is not None}
    ours = {pid for pid in alive if _is_marked(procs[pid])}
    while grown := {pid for pid, ppid in parents.items() if ppid in ours} - ours:
        ours |= grown
    return [f"{pid} {_command_line(procs[pid])[:200]}" for pid in sorted(ours)]


def wait_for_no_leftovers(timeout_s: float = 5.0) -> list[str]:
    """Leftovers still alive after `timeout_s` (browsers need a moment to exit)."""
    deadline = time.monotonic() + timeout_s
    while (leftovers := leftover_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return leftovers
