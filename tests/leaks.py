"""Finds processes a test started and did not stop (Xvfb, Chromium, PulseAudio, ...)."""

from __future__ import annotations

import time

import psutil

WATCHED = frozenset(
    {
        "Xvfb",
        "chromium",
        "chrome",
        "pulseaudio",
        "janus",
        "paplay",
        "parec",
        "pacat",
        "ffmpeg",
        "redis-server",
        "celery",
        "uvicorn",
    }
)


def watched_processes() -> dict[int, str]:
    """Live (non-zombie) processes of the kinds tests start: pid -> a short description."""
    found = {}
    for proc in psutil.process_iter(["pid", "name", "status", "cmdline", "username"]):
        info = proc.info
        if info["name"] in WATCHED and info["status"] != psutil.STATUS_ZOMBIE:
            args = " ".join(info["cmdline"] or [])[:160]
            found[info["pid"]] = f"{info['name']} ({info['username']}): {args}"
    return found


def leftovers(before: dict[int, str], grace_s: float = 3.0) -> dict[int, str]:
    """Processes that appeared since `before` and are still alive after `grace_s`."""
    deadline = time.monotonic() + grace_s
    while True:
        new = {pid: name for pid, name in watched_processes().items() if pid not in before}
        if not new or time.monotonic() > deadline:
            return new
        time.sleep(0.1)
