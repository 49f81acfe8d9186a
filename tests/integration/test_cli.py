"""`meetbridge bot run` joins a lab meeting in the foreground and leaves on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from tests.lab.meeting import LabMeeting
from tests.lab.person import SimulatedPerson

pytestmark = [pytest.mark.integration]


async def _read_until(stream: asyncio.StreamReader, marker: str, timeout_s: float) -> str:
    seen = []
    async with asyncio.timeout(timeout_s):
        while line := (await stream.readline()).decode():
            seen.append(line)
            if marker in line:
                return "".join(seen)
    raise AssertionError(f"{marker!r} never logged:\n{''.join(seen)}")


async def test_foreground_bot_joins_logs_its_states_and_leaves_on_ctrl_c(
    playwright, lab_media_dir
) -> None:
    async with (
        LabMeeting() as meeting,
        SimulatedPerson(playwright, "ann", 440.0, (200, 0, 0), lab_media_dir) as person,
    ):
        await person.join(meeting.url)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "meetbridge.cli",
            "bot",
            "run",
            "--vendor",
            "janus",
            "--name",
            "clibot",
            meeting.url,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "MEETBRIDGE_LAB_HOSTS": '["127.0.0.1"]'},
            start_new_session=True,
        )
        try:
            assert proc.stderr is not None
            log = await _read_until(proc.stderr, "joining -> in_meeting", 40)
            assert "queued -> booting" in log and "booting -> joining" in log
            await person.wait_for_participant("clibot", timeout_s=20)
            os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal does
            log = await _read_until(proc.stderr, "leaving -> ended", 30)
            assert await asyncio.wait_for(proc.wait(), 30) == 0
            await person.wait_for_participant_gone("clibot", timeout_s=20)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
