"""Test-wide fixtures: the meeting lab, and the check that nothing is left running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.leaks import leftovers, watched_processes

pytest_plugins = ["tests.fixtures.lab", "tests.fixtures.stack", "tests.hang_dump"]


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Every process a test starts must be stopped by the code that started it."""
    before = watched_processes()
    yield
    left = leftovers(before)
    assert not left, f"processes left running after the test: {left}"
