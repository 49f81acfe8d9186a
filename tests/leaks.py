"""Finds processes a test started and did not stop (Xvfb, Chromium, PulseAudio, ...)."""

from __future__ import annotations

import time

import psutil

WATCHED = frozenset(
    {"Xvfb", "chromium", "chrome", "pulseaudio", "janus", "paplay", "parec", "pacat", "ffmpeg"}
)


def watched_processes() -> dict[int, str]:
    """Live (non-zombie) processes of the kinds tests start, by pid."""
    found = {}
    for proc in psutil.process_iter(["pid", "name", "status"]):
        info = proc.info
        if info["name"] in WATCHED and info["status"] != psutil.STATUS_ZOMBIE:
            found[info["pid"]] = info["name"]
    return found


def leftovers(before: dict[int, str], grace_s: float = 3.0) -> dict[int, str]:
    """Processes that appeared since `before` and are still alive after `grace_s`."""
    deadline = time.monotonic() + grace_s
    while True:
        new = {pid: name for pid, name in watched_processes().items() if pid not in before}
        if not new or time.monotonic() > deadline:
            return new
        time.sleep(0.1)
