"""The worker caps its malloc arenas (glibc takes the setting) and its node driver's
young generation (through NODE_OPTIONS, keeping what is set there)."""

import pytest

from bridge_worker.worker_memory import DRIVER_SEMI_SPACE, limit_driver_heap, limit_malloc_arenas

pytestmark = pytest.mark.unit


def test_glibc_takes_the_arena_cap() -> None:
    assert limit_malloc_arenas() is True


def test_the_driver_gets_a_small_young_generation_and_keeps_other_node_options() -> None:
    bare: dict[str, str] = {}
    limit_driver_heap(bare)
    assert bare["NODE_OPTIONS"] == DRIVER_SEMI_SPACE
    other = {"NODE_OPTIONS": "--max-old-space-size=512"}
    limit_driver_heap(other)
    assert other["NODE_OPTIONS"].split() == ["--max-old-space-size=512", DRIVER_SEMI_SPACE]
    chosen = {"NODE_OPTIONS": "--max-semi-space-size=4"}
    limit_driver_heap(chosen)
    assert chosen["NODE_OPTIONS"] == "--max-semi-space-size=4"
