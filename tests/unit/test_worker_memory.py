"""The worker caps its malloc arenas (glibc takes the setting), and its node driver's
young generation and JIT (through NODE_OPTIONS, keeping what is set there)."""

import pytest

from bridge_worker.worker_memory import (
    DRIVER_JITLESS,
    DRIVER_SEMI_SPACE,
    limit_driver_heap,
    limit_malloc_arenas,
)

pytestmark = pytest.mark.unit


def test_glibc_takes_the_arena_cap() -> None:
    assert limit_malloc_arenas() is True


def test_the_driver_gets_a_small_young_generation_no_jit_and_keeps_other_node_options() -> None:
    bare: dict[str, str] = {}
    limit_driver_heap(bare)
    assert bare["NODE_OPTIONS"].split() == [DRIVER_SEMI_SPACE, DRIVER_JITLESS]
    other = {"NODE_OPTIONS": "--max-old-space-size=512"}
    limit_driver_heap(other)
    assert other["NODE_OPTIONS"].split() == [
        "--max-old-space-size=512",
        DRIVER_SEMI_SPACE,
        DRIVER_JITLESS,
    ]
    chosen = {"NODE_OPTIONS": "--max-semi-space-size=4 --jitless"}
    limit_driver_heap(chosen)
    assert chosen["NODE_OPTIONS"] == "--max-semi-space-size=4 --jitless"


def test_the_driver_keeps_its_jit_when_asked() -> None:
    environ: dict[str, str] = {}
    limit_driver_heap(environ, jitless=False)
    assert environ["NODE_OPTIONS"] == DRIVER_SEMI_SPACE
