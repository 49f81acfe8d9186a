"""Per-bot folders left by a killed worker are swept at the next worker's start, and
only those: a live owner's folder, a just-made one and other files stay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bridge_worker.devices.runtime_dir import (
    LOCK_NAME,
    SWEEP_GRACE_S,
    private_dir,
    sweep_orphans,
)

OWNER = """
import sys, time
from pathlib import Path
from bridge_worker.devices.runtime_dir import private_dir
with private_dir(Path(sys.argv[1]), "mb-bot-", None) as path:
    print(path, flush=True)
    time.sleep(60)
"""


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    for item in (path, path / LOCK_NAME):
        if item.exists():
            os.utime(item, (then, then))


def _killed_owner_folder(base: Path) -> Path:
    """A folder whose owner process was killed with -9 (so never cleaned up)."""
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(base)], stdout=subprocess.PIPE, text=True
    )
    assert owner.stdout is not None
    path = Path(owner.stdout.readline().strip())
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    assert path.is_dir()
    return path


def test_folders_of_dead_owners_go_and_the_rest_stay(tmp_path: Path) -> None:
    old_orphan = _killed_owner_folder(tmp_path)
    _age(old_orphan, SWEEP_GRACE_S + 60)
    young_orphan = _killed_owner_folder(tmp_path)  # its owner may be about to lock it
    unlocked_old = tmp_path / "mb-audio-fromolderversion"
    unlocked_old.mkdir()
    _age(unlocked_old, SWEEP_GRACE_S + 60)
    other = tmp_path / "mb-bench-media-x"
    other.mkdir()
    _age(other, SWEEP_GRACE_S + 60)
    with private_dir(tmp_path, "mb-bot-", None) as live:
        _age(live, SWEEP_GRACE_S + 60)  # old, but its owner (this process) lives

        removed = sweep_orphans(tmp_path)

        assert sorted(removed) == sorted([old_orphan, unlocked_old])
        assert live.is_dir() and young_orphan.is_dir() and other.is_dir()
    assert not live.exists()  # its owner removed it on exit
