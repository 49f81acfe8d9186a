"""bench.capacity's measures: audio continuity counts gaps, and pinning reaches every thread."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.capacity import audio_continuity, pin
from lab.light_person import RATE, SAMPLES, Received

pytestmark = pytest.mark.unit

SECONDS = 2.0  # 100 frames


def _frames(freqs: list[float | None], *, level: float = 0.3) -> Received:
    """A frame a second's 50th per entry: a tone at that frequency (several summed when
    a list), or silence for None."""
    audio = []
    for index, freq in enumerate(freqs):
        t = (index * SAMPLES + np.arange(SAMPLES)) / RATE
        pcm = np.zeros(SAMPLES) if freq is None else level * np.sin(2 * np.pi * freq * t)
        audio.append((index * 20.0, pcm.astype(np.float32)))
    return Received(audio)


def test_every_frame_with_the_tone_is_whole() -> None:
    assert audio_continuity(_frames([700.0] * 100), 700.0, SECONDS) == 1.0


def test_lost_and_silent_frames_are_gaps() -> None:
    lost = [700.0] * 97  # three never came
    assert audio_continuity(_frames(lost), 700.0, SECONDS) == pytest.approx(0.97)
    silent = [700.0] * 95 + [None] * 5  # five concealed with silence
    assert audio_continuity(_frames(silent), 700.0, SECONDS) == pytest.approx(0.95)


def test_another_tone_is_not_the_one_awaited() -> None:
    assert audio_continuity(_frames([900.0] * 100), 700.0, SECONDS) == 0.0
    mixed = _frames([700.0] * 100)
    other = _frames([900.0] * 100)
    both = Received([(at, a + b) for (at, a), (_, b) in zip(mixed.audio, other.audio, strict=True)])
    assert audio_continuity(both, 700.0, SECONDS) == 1.0


def test_frames_that_arrive_twice_count_once() -> None:
    assert audio_continuity(_frames([700.0] * 150), 700.0, SECONDS) == 1.0


def _affinities(pid: int) -> list[set[int]]:
    return [os.sched_getaffinity(int(t.name)) for t in Path(f"/proc/{pid}/task").iterdir()]


def test_pinning_reaches_every_thread_and_what_starts_after() -> None:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("one cpu: nothing to confine to")
    script = (
        "import threading, time, subprocess, sys\n"
        "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        "sys.stdin.readline()\n"  # the test pins, then lets it start a child
        "child = subprocess.Popen(['sleep', '30'])\n"
        "print(child.pid, flush=True)\n"
        "sys.stdin.readline()\n"
        "child.kill()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 10
        while len(list(Path(f"/proc/{proc.pid}/task").iterdir())) < 2:
            assert time.monotonic() < deadline, "the thread did not start"
            time.sleep(0.05)
        assert pin([proc.pid], {cpus[-1]}) >= 2
        assert _affinities(proc.pid) == [{cpus[-1]}] * len(_affinities(proc.pid))
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        child = int(proc.stdout.readline())
        assert os.sched_getaffinity(child) == {cpus[-1]}
        proc.stdin.write("\n")
        proc.stdin.flush()
    finally:
        proc.kill()
        proc.wait()
