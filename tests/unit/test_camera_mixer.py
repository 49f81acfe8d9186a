"""The camera of a bot seated in a room composes its sources at most at its frame
rate; a source's frame that comes too soon is shown in its turn, not held until some
frame comes after it (a still stage sends its next one a second later)."""

from __future__ import annotations

import asyncio

import av
import numpy as np

from bridge_worker.devices.camera_feed import CameraFeed
from bridge_worker.devices.camera_injected import InjectedCamera
from bridge_worker.wiring.seat import CameraMixer
from bridge_worker.wiring.seat_health import SeatCounters

FPS = 10  # a 100 ms period: turns come 75 ms apart


def _frame(rgb: tuple[int, int, int]) -> av.VideoFrame:
    pixels = np.zeros((36, 64, 3), np.uint8)
    pixels[:] = rgb
    return av.VideoFrame.from_ndarray(pixels, format="rgb24")


def _mixer() -> tuple[CameraMixer, CameraFeed]:
    feed = CameraFeed(InjectedCamera(width=128, height=36, fps=FPS))
    return CameraMixer(feed, ["a", "b"], SeatCounters()), feed


async def test_a_frame_too_soon_is_shown_in_its_turn_without_another_frame() -> None:
    mixer, feed = _mixer()
    mixer.on_frame("a", _frame((220, 0, 0)))
    shown_a = feed.picture
    mixer.on_frame("b", _frame((0, 0, 220)))  # within the turn: held
    assert feed.picture is shown_a
    await asyncio.sleep(0.15)
    assert feed.picture is not shown_a
    right_half = feed.picture[:, 64:].reshape(-1, 3).mean(0)
    assert right_half[2] > 150 and right_half[0] < 50  # b's blue, beside a's red


async def test_a_held_turn_is_dropped_when_the_mixer_closes() -> None:
    mixer, feed = _mixer()
    mixer.on_frame("a", _frame((220, 0, 0)))
    shown_a = feed.picture
    mixer.on_frame("b", _frame((0, 0, 220)))
    mixer.drop_held()
    await asyncio.sleep(0.15)
    assert feed.picture is shown_a
