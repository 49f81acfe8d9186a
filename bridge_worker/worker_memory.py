"""A smaller footprint for the worker process, which all of its bots share.

glibc makes a malloc arena for each thread that contends (up to 8 per core), and
each arena keeps the memory freed into it. The worker's stage grabs, executor and
Celery threads allocate frames all the time; two arenas serve them, and the worker's
memory per bot went down (bench.bridge_latency, two bots in one worker).

Playwright's node driver, also shared by all the bots, is a large process even idle,
and V8 grows its young generation under the driver's steady traffic (camera
pictures, page checks). Its semi-spaces are capped at 1 MiB, and it runs without
V8's compilers (`--jitless`: interpreted only, no code space), through
`NODE_OPTIONS`, which the driver inherits from the worker. The driver only relays
messages, so interpreted it takes only a little more CPU; the worker and its driver
take less memory, and joins take a little longer (bench.join_time, bench.api_join). The
worker setting `driver_jitless` keeps the JIT. Figures: docs/figures.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import MutableMapping

M_ARENA_MAX = -8  # glibc's mallopt parameter number
MALLOC_ARENAS = 2
DRIVER_SEMI_SPACE = "--max-semi-space-size=1"
DRIVER_JITLESS = "--jitless"


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap this process's malloc arenas (threads then share them); False off glibc.
    Call before the worker starts its threads."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def limit_driver_heap(
    environ: MutableMapping[str, str] = os.environ, *, jitless: bool = True
) -> None:
    """Cap the young generation of the node driver Playwright starts from this process
    and, with `jitless`, run it without V8's compilers (keeping any NODE_OPTIONS
    already set, and a semi-space size already chosen). Call before Playwright starts:
    the driver takes the environment as it is then."""
    options = environ.get("NODE_OPTIONS", "").split()
    chosen = {option.split("=")[0] for option in options}
    wanted = [DRIVER_SEMI_SPACE, DRIVER_JITLESS] if jitless else [DRIVER_SEMI_SPACE]
    added = [option for option in wanted if option.split("=")[0] not in chosen]
    environ["NODE_OPTIONS"] = " ".join([*options, *added])
