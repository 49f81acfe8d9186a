"""A smaller footprint for the worker process, which all of its bots share.

glibc makes a malloc arena for each thread that contends (up to 8 per core), and
each arena keeps the memory freed into it. The worker's stage grabs, executor and
Celery threads allocate frames all the time; two arenas serve them. Measured in
bench.bridge_latency (two bots in one worker): the worker's PSS per bot 65.7 ->
60-61 MiB.

Playwright's node driver, also shared by all the bots, is ~116 MiB of PSS idle, and
V8 grows its young generation under the driver's steady traffic (camera pictures,
page checks): in bench.bridge_latency it stood at 114-138 MiB. Its semi-spaces are
capped at 1 MiB (`NODE_OPTIONS`, which the driver inherits from the worker).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import MutableMapping

M_ARENA_MAX = -8  # glibc's mallopt parameter number
MALLOC_ARENAS = 2
DRIVER_SEMI_SPACE = "--max-semi-space-size=1"


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap this process's malloc arenas (threads then share them); False off glibc.
    Call before the worker starts its threads."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def limit_driver_heap(environ: MutableMapping[str, str] = os.environ) -> None:
    """Cap the young generation of the node driver Playwright starts from this process
    (keeping any NODE_OPTIONS already set, and a semi-space size already chosen).
    Call before Playwright starts: the driver takes the environment as it is then."""
    options = environ.get("NODE_OPTIONS", "").split()
    if not any(option.startswith("--max-semi-space-size") for option in options):
        environ["NODE_OPTIONS"] = " ".join([*options, DRIVER_SEMI_SPACE])
