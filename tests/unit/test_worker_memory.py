"""The worker caps its malloc arenas (glibc takes the setting)."""

import pytest

from bridge_worker.worker_memory import limit_malloc_arenas

pytestmark = pytest.mark.unit


def test_glibc_takes_the_arena_cap() -> None:
    assert limit_malloc_arenas() is True
