"""A smaller footprint for the worker process, which all of its bots share.

glibc makes a malloc arena for each thread that contends (up to 8 per core), and
each arena keeps the memory freed into it. The worker's stage grabs, executor and
Celery threads allocate frames all the time; two arenas serve them. Measured in
bench.bridge_latency (two bots in one worker): the worker's PSS per bot 65.7 ->
60-61 MiB. (A smaller young generation for Playwright's node driver,
--max-semi-space-size=1, moved nothing there.)
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's mallopt parameter number
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap this process's malloc arenas (threads then share them); False off glibc.
    Call before the worker starts its threads."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
