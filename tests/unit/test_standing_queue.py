"""A queue's standing part is found and dropped once; bursts and slack pass."""

from __future__ import annotations

import pytest

from bridge_worker.wiring.standing_queue import StandingQueue

pytestmark = [pytest.mark.unit]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


STEP_S = 1 / 16  # exact in binary: 16 steps make the 1 s window


def _feed(
    queue: StandingQueue, clock: Clock, levels: list[int], step_s: float = STEP_S
) -> list[int]:
    drops = []
    for level in levels:
        drops.append(queue.excess(level))
        clock.now += step_s
    return drops


def test_a_level_that_never_drains_is_dropped_once_the_window_ends() -> None:
    clock = Clock()
    queue = StandingQueue(960, window_s=1.0, clock=clock)
    drops = _feed(queue, clock, [3840, 4320, 3840, 4800] * 4 + [3840])
    assert drops[:16] == [0] * 16  # inside the first window: nothing yet
    assert drops[16] == 3840 - 960  # the lowest level of the window, less the slack
    assert queue.dropped == 2880


def test_bursts_pass_when_the_queue_drains_between_them() -> None:
    clock = Clock()
    queue = StandingQueue(0, window_s=1.0, clock=clock)
    drops = _feed(queue, clock, [0, 3840, 7680, 480, 0, 3840] * 10)
    assert sum(drops) == 0 and queue.dropped == 0


def test_each_window_is_judged_on_its_own_and_drops_are_whole_samples() -> None:
    clock = Clock()
    queue = StandingQueue(0, window_s=1.0, clock=clock)
    first = _feed(queue, clock, [0] * 16 + [1001])  # drained in window one
    assert sum(first) == 0
    second = _feed(queue, clock, [1001] * 16 + [1001])  # stood all of window two
    assert sum(second) == 1000  # 1001 bytes, cut to whole 2-byte samples
