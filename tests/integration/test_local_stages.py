"""In-process stage handoff: a seat takes a same-process member's frames straight from
its `Stage` (no VP8, no Janus), follows it when it is rebuilt, and nothing is grabbed
while nobody watches."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

import av
import pytest

from bridge_worker.capture.screen import Screen
from bridge_worker.capture.stage import Stage
from bridge_worker.devices.display import virtual_display
from bridge_worker.wiring import local_stages
from lab.media import closest_colour_name
from meetbridge.process import bot_account
from tests.integration.test_video_room import paint
from vendor_scripts.base import Box

pytestmark = [pytest.mark.integration]


async def _whole_screen() -> Box:
    return Box(0, 0, 320, 180)


def _colour(frame: av.VideoFrame) -> str:
    rgb = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(0)
    return closest_colour_name(tuple(float(c) for c in rgb))


@contextlib.asynccontextmanager
async def _offered_stage(bot_id: str, display: str):
    stage = Stage(display, _whole_screen, width=160, height=90, fps=15)
    capture = asyncio.create_task(stage.run())
    try:
        with local_stages.offering(bot_id, stage):
            yield stage
    finally:
        capture.cancel()
        await asyncio.gather(capture, return_exceptions=True)


async def _wait_for(predicate, timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.05)


async def test_a_seat_watches_a_same_process_stage_and_follows_its_rebuild() -> None:
    seen: list[tuple[str, str]] = []
    account = bot_account("meetbridge-bot")
    async with virtual_display(width=320, height=180, run_as=account) as screen:
        paint(screen.name, (220, 0, 0))
        watcher = asyncio.create_task(
            local_stages.keep_watching_local(
                "bot-a", lambda source, frame: seen.append((source, _colour(frame)))
            )
        )
        try:
            await asyncio.sleep(0.5)
            assert seen == []  # not offered yet: waited for, not an error
            async with _offered_stage("bot-a", screen.name) as first:
                await _wait_for(lambda: len(seen) >= 3)
                assert set(seen) == {("bot-a", "red")}
            grabbed = first.frames
            await asyncio.sleep(0.3)
            assert first.frames == grabbed  # stopped with its seat

            paint(screen.name, (0, 0, 220))
            seen.clear()
            async with _offered_stage("bot-a", screen.name) as second:  # the seat rebuilt
                await _wait_for(lambda: ("bot-a", "blue") in seen)
            assert local_stages.offered("bot-a") is None
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        assert second.frames > 0


async def test_nothing_is_grabbed_while_nobody_watches() -> None:
    account = bot_account("meetbridge-bot")
    async with (
        virtual_display(width=320, height=180, run_as=account) as screen,
        _offered_stage("bot-b", screen.name) as stage,
    ):
        await asyncio.sleep(0.5)
        assert stage.frames == 0
        frames: list[av.VideoFrame] = []
        unwatch = stage.watch(frames.append)
        await _wait_for(lambda: len(frames) >= 3)
        unwatch()
        await asyncio.sleep(0.2)  # a grab in flight may still land
        stopped_at = stage.frames
        await asyncio.sleep(0.5)
        assert stage.frames == stopped_at
        first = frames[0]
        assert (first.format.name, first.width, first.height) == ("yuv420p", 160, 90)


async def test_a_still_stage_is_grabbed_once_a_second_and_a_change_at_once() -> None:
    """X DAMAGE drives the grabs: ~1 per second while nothing moves (not 15), and a
    change is grabbed when it is drawn, not at the next refresh."""
    account = bot_account("meetbridge-bot")
    async with (
        virtual_display(width=320, height=180, run_as=account) as screen,
        _offered_stage("bot-c", screen.name) as stage,
    ):
        paint(screen.name, (220, 0, 0))
        seen: list[tuple[float, str]] = []
        unwatch = stage.watch(lambda frame: seen.append((time.monotonic(), _colour(frame))))
        try:
            await asyncio.sleep(3.0)
            assert 2 <= len(seen) <= 6, seen  # the first grab, then one a second
            for rgb, name in (((0, 0, 220), "blue"), ((0, 200, 0), "green"), ((220, 0, 0), "red")):
                painted_at = time.monotonic()
                paint(screen.name, rgb)
                await _wait_for(lambda name=name: seen[-1][1] == name, 2.0)
                # well inside the still refresh (1 s): grabbed because it was drawn
                assert seen[-1][0] - painted_at < 0.5, (name, seen[-1][0] - painted_at)
        finally:
            unwatch()


async def test_a_stage_repainted_unchanged_is_handed_on_once_a_second() -> None:
    """A video that keeps repainting the same picture (damage at 20 Hz) costs the
    watchers one frame a second; a change among the repaints is still handed at once."""
    account = bot_account("meetbridge-bot")
    async with (
        virtual_display(width=320, height=180, run_as=account) as screen,
        _offered_stage("bot-e", screen.name) as stage,
    ):
        paint(screen.name, (220, 0, 0))
        seen: list[tuple[float, str]] = []
        unwatch = stage.watch(lambda frame: seen.append((time.monotonic(), _colour(frame))))
        try:
            until = time.monotonic() + 3.0
            while time.monotonic() < until:
                paint(screen.name, (220, 0, 0))
                await asyncio.sleep(0.05)
            assert stage.repeats >= 10, stage.repeats  # grabbed: the display was drawn on
            assert 2 <= len(seen) <= 5, seen  # the first picture, then one a second
            painted_at = time.monotonic()
            paint(screen.name, (0, 0, 220))
            await _wait_for(lambda: seen[-1][1] == "blue", 2.0)
            assert seen[-1][0] - painted_at < 0.5, seen[-1][0] - painted_at
        finally:
            unwatch()


async def test_a_stage_on_a_frozen_display_still_stops_at_once() -> None:
    """An X server that stops answering (SIGSTOP: a hung or starved Xvfb) leaves a grab
    waiting on its reply; cancelling the stage must not wait for it with it."""
    account = bot_account("meetbridge-bot")
    async with virtual_display(width=320, height=180, run_as=account) as screen:
        capture_stage = Stage(screen.name, _whole_screen, width=160, height=90, fps=15)
        frames: list[av.VideoFrame] = []
        unwatch = capture_stage.watch(frames.append)
        capture = asyncio.create_task(capture_stage.run())
        try:
            await _wait_for(lambda: len(frames) >= 2)
            os.kill(screen.pid, signal.SIGSTOP)
            grabbed = len(frames)
            await asyncio.sleep(1.5)  # past the still refresh: a grab waits on the stopped server
            assert len(frames) <= grabbed + 1
            capture.cancel()
            async with asyncio.timeout(3.0):
                (ended,) = await asyncio.gather(capture, return_exceptions=True)
            assert isinstance(ended, asyncio.CancelledError), repr(ended)  # stopped, not failed
            assert capture_stage.ended.is_set()
        finally:
            os.kill(screen.pid, signal.SIGCONT)
            unwatch()
            capture.cancel()
            await asyncio.gather(capture, return_exceptions=True)


async def test_a_grab_waiting_on_a_stopped_display_is_released_by_interrupt() -> None:
    """Screen.interrupt, from another thread, makes a grab stuck on a stopped X server
    fail at once; the screen then reconnects for the next grab."""
    account = bot_account("meetbridge-bot")
    async with virtual_display(width=320, height=180, run_as=account) as display:
        screen = Screen(display.name)
        try:
            assert (await asyncio.to_thread(screen.grab_bgrx)).shape == (180, 320, 4)
            os.kill(display.pid, signal.SIGSTOP)
            try:
                grab = asyncio.ensure_future(asyncio.to_thread(screen.grab_bgrx))
                await asyncio.sleep(0.5)
                assert not grab.done()  # waiting on the stopped server
                screen.interrupt()
                async with asyncio.timeout(3.0):
                    (failed,) = await asyncio.gather(grab, return_exceptions=True)
                assert isinstance(failed, Exception), failed
            finally:
                os.kill(display.pid, signal.SIGCONT)
            assert (await asyncio.to_thread(screen.grab_bgrx)).shape == (180, 320, 4)
        finally:
            screen.close()
