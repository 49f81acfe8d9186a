"""`make demo` keeps its promise: from nothing, two meetings bridged, shown in print."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
REPO = Path(__file__).resolve().parents[2]


async def test_the_demo_bridges_two_meetings_and_stops_everything(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.lab.demo",
        "--once",
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 240)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    assert re.search(r"before +ann hears +silence", text), text  # not bridged yet
    assert re.search(r"bridged ann hears +(99\d|100\d) Hz and sees blue", text), text
    assert re.search(r"bridged bob hears +(43\d|44\d) Hz and sees red", text), text
    assert re.search(r"latency ann's meeting -> bob's meeting: \d+ ms", text), text
    for name in ("ann", "bob"):
        assert (tmp_path / ".run" / "demo" / f"{name}.png").stat().st_size > 10_000
