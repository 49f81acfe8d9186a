"""CPU (in cores) and PSS (in MiB) of a whole set of process trees, sampled over time.

PSS, not RSS: Chromium's processes share most of their pages, and summing RSS
would count those pages once per process.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import collections
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil

T = TypeVar("T")
SATURATED = 0.9  # of the machine's cores: a run this busy measures starvation too


def scratch_dir(prefix: str) -> Path:
    """A temporary folder for a benchmark's media and stack, removed when it exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def with_descendants(pids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            found.add(pid)
            found.update(child.pid for child in root.children(recursive=True))
    return found


def process_role(pid: int) -> str:
    """What a process is for, to say where the CPU goes: Chromium's by process type
    ("chromium:renderer", "chromium:utility/AudioService"), others by name."""
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        process = psutil.Process(pid)
        argv = process.cmdline()
        name = process.name()
        if "chromium" in " ".join(argv[:1]) or name == "chromium":
            joined = " ".join(argv)
            kind = re.search(r"--type=(\S+)", joined)
            sub = re.search(r"--utility-sub-type=(\S+)", joined)
            role = kind.group(1) if kind else "browser"
            if sub:
                role += "/" + sub.group(1).split(".")[-1]
            return f"chromium:{role}"
        return name
    return "gone"


def stack_worker_pids() -> list[int]:
    """The lab stack's Celery worker processes (their trees hold the bots)."""
    return [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if "meetbridge_cli" in (p.info["cmdline"] or []) and "worker" in p.info["cmdline"]
    ]


def _cpu_seconds(pid: int) -> float | None:
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system
    return None


def _pss_bytes(pid: int) -> int:
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        return int(psutil.Process(pid).memory_full_info().pss)
    return 0


@dataclass
class TreeSampler:
    """Samples the processes `pids()` names (and, if asked, their descendants) each second."""

    pids: Callable[[], Iterable[int]]
    descendants: bool = False
    interval_s: float = 1.0
    # PSS walks each process's page tables under its memory-map lock, which stalls
    # the process meanwhile: leave it out where latency is timed in the same window.
    pss: bool = True
    _first_cpu: dict[int, float] = field(default_factory=dict)
    _last_cpu: dict[int, float] = field(default_factory=dict)
    _pss_samples: list[int] = field(default_factory=list)
    _pss_by_role: dict[str, list[int]] = field(default_factory=dict)
    _roles: dict[int, str] = field(default_factory=dict)
    own_cpu_s: float = 0.0  # the sampler's own CPU, spent in the calling process
    _started: float = 0.0
    _ended: float = 0.0

    def sample(self) -> None:
        began = time.thread_time()
        first = not self._pss_samples
        total_pss = 0
        by_role: dict[str, int] = collections.defaultdict(int)
        pids = with_descendants(self.pids()) if self.descendants else set(self.pids())
        for pid in pids:
            cpu = _cpu_seconds(pid)
            if cpu is None:
                continue
            # A process born during the window counts from zero.
            self._first_cpu.setdefault(pid, cpu if first else 0.0)
            self._last_cpu[pid] = cpu
            if pid not in self._roles:
                self._roles[pid] = process_role(pid)
            if self.pss:
                pss = _pss_bytes(pid)
                total_pss += pss
                by_role[self._roles[pid]] += pss
        self._pss_samples.append(total_pss)
        for role, pss in by_role.items():
            self._pss_by_role.setdefault(role, []).append(pss)
        self.own_cpu_s += time.thread_time() - began

    async def run_for(self, seconds: float) -> None:
        self._started = time.monotonic()
        self.sample()
        while time.monotonic() - self._started < seconds:
            await asyncio.sleep(self.interval_s)
            await asyncio.to_thread(self.sample)
        self._ended = time.monotonic()

    @property
    def cpu_cores(self) -> float:
        used = sum(self._last_cpu[pid] - self._first_cpu[pid] for pid in self._last_cpu)
        return used / max(self._ended - self._started, 1e-9)

    @property
    def cpu_cores_by_role(self) -> dict[str, float]:
        """`cpu_cores` split by `process_role`, largest first."""
        seconds = max(self._ended - self._started, 1e-9)
        used: dict[str, float] = collections.defaultdict(float)
        for pid, last in self._last_cpu.items():
            used[self._roles.get(pid, "gone")] += (last - self._first_cpu[pid]) / seconds
        return dict(sorted(used.items(), key=lambda item: -item[1]))

    @property
    def pss_mib_by_role(self) -> dict[str, float]:
        """`pss_mib` split by `process_role`, largest first (a role counts 0 in the
        samples it was not in, so the roles add up to `pss_mib`)."""
        samples = max(len(self._pss_samples), 1)
        means = {role: sum(values) / samples / 2**20 for role, values in self._pss_by_role.items()}
        return dict(sorted(means.items(), key=lambda item: -item[1]))

    @property
    def pss_mib(self) -> float:
        return sum(self._pss_samples) / max(len(self._pss_samples), 1) / 2**20


def _busy_cpu_seconds(cpus: set[int] | None = None) -> float:
    """CPU seconds spent busy so far, on the whole machine or on `cpus` only."""
    if cpus is None:
        per_cpu = [psutil.cpu_times()]
    else:
        per_cpu = [t for n, t in enumerate(psutil.cpu_times(percpu=True)) if n in cpus]
    return float(sum(t.user + t.nice + t.system + t.irq + t.softirq for t in per_cpu))


async def cores_busy(cpus: set[int], seconds: float) -> float:
    """How many of `cpus` were busy over the next `seconds`, in cores."""
    before, at = _busy_cpu_seconds(cpus), time.monotonic()
    await asyncio.sleep(seconds)
    return (_busy_cpu_seconds(cpus) - before) / max(time.monotonic() - at, 1e-3)


def add_other_machines_nice(parser: argparse.ArgumentParser) -> None:
    """The option for the niceness of the lab parts that stand for other machines (the
    meetings' Janus servers, the people): given, it goes to lab.processes through
    OTHER_MACHINE_NICE_VAR; 0 runs them like the bots."""
    parser.add_argument(
        "--other-machines-nice",
        type=int,
        default=-10,
        help="niceness of the lab parts that stand for other machines (the meetings' "
        "Janus servers, the people); 0 runs them like the bots",
    )


async def machine_busy(during: Awaitable[T]) -> tuple[T, dict[str, object]]:
    """Run `during`, and say how busy the whole machine was meanwhile (in cores)."""
    busy, at = _busy_cpu_seconds(), time.monotonic()
    result = await during
    machine = (_busy_cpu_seconds() - busy) / max(time.monotonic() - at, 1e-3)
    cores = psutil.cpu_count() or 1
    return result, {
        "machine_busy_cores": round(machine, 2),
        "machine_cores": cores,
        "saturated": machine >= SATURATED * cores,
    }


@contextlib.contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """`count` unrelated processes, each keeping one core busy at normal priority, for
    as long as the block runs (a machine with other work on it); killed with their
    process groups at the end."""
    spinners = [
        subprocess.Popen(  # noqa: S603 - our own interpreter, a fixed loop
            [sys.executable, "-c", "while True: pass"], start_new_session=True
        )
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for spinner in spinners:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(spinner.pid, signal.SIGKILL)
            spinner.wait()
