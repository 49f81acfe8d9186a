"""`meetbridge bot run` joins a lab meeting in the foreground and leaves on Ctrl-C;
`meetbridge run` (`make run`) brings up the whole local stack and stops it on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import httpx
import pytest

from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from meetbridge.ports import free_port

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
            "meetbridge_cli",
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


async def test_meetbridge_run_starts_redis_janus_api_and_worker_and_stops_them_on_ctrl_c(
    tmp_path,
) -> None:
    """`make run`: one command brings up everything rooms need, Ctrl-C takes it down."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "meetbridge_cli",
        "run",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("MEETBRIDGE_ROOM")},
            "MEETBRIDGE_API_PORT": str(free_port()),
            "MEETBRIDGE_REDIS_PORT": str(free_port()),
            "PYTHONPATH": os.getcwd(),
        },
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        banner = await _read_until(proc.stdout, "Ctrl-C stops everything", 60)
        api = re.search(r"API: +(\S+)", banner)
        key = re.search(r"API key: +(\S+)", banner)
        rooms = re.search(r"rooms: +(\S+)", banner)
        dashboard = re.search(r"dashboard: +(\S+)", banner)
        assert api and key and rooms and dashboard, banner
        api, key, rooms = api[1], key[1], rooms[1]
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.get(f"{api}/healthz")).status_code == 200
            page = await client.get(dashboard[1])
            assert page.status_code == 200 and "text/html" in page.headers["content-type"]
            listed = await client.get(f"{api}/v1/bots", headers={"Authorization": f"Bearer {key}"})
            assert listed.status_code == 200, listed.text
            info = await client.get(f"{rooms}/info")
            assert info.status_code == 200
            assert "janus.plugin.audiobridge" in info.json()["plugins"]
        os.killpg(proc.pid, signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
