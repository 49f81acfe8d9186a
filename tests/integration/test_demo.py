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
FREQUENCY_TOLERANCE_HZ = 30.0  # as lab/demo.py: a starved run heard 462 Hz for 440


async def test_the_demo_bridges_two_meetings_and_stops_everything(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lab.demo",
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
    assert _heard(text, "ann", "blue") == pytest.approx(1000, abs=FREQUENCY_TOLERANCE_HZ), text
    assert _heard(text, "bob", "red") == pytest.approx(440, abs=FREQUENCY_TOLERANCE_HZ), text
    assert re.search(r"latency ann's meeting -> bob's meeting: \d+ ms", text), text
    for name in ("ann", "bob"):
        assert (tmp_path / ".run" / "demo" / f"{name}.png").stat().st_size > 10_000


def _heard(text: str, person: str, colour: str) -> float | None:
    """The frequency the demo says `person` hears once bridged, if they see `colour`."""
    found = re.search(rf"bridged {person} hears +(\d+) Hz and sees {colour}", text)
    return float(found.group(1)) if found else None
