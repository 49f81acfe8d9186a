"""A private per-bot folder owned by the account the bot's processes run as.

Each folder holds an owner lock (flock) for as long as the process that made it
lives: a worker killed with -9 leaves its bots' folders behind (its children die
with it, the folders do not), and workers share the folder's base, so a sweep at
start-up removes only folders whose lock nobody holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import structlog

from meetbridge.process import RunAs, chown_for

log = structlog.get_logger(__name__)
PREFIXES = ("mb-bot-", "mb-audio-")
LOCK_NAME = ".owner.lock"
# A folder younger than this is never swept: its owner may be between making it and
# locking it. Folders from before owner locks existed go once this old.
SWEEP_GRACE_S = 120.0


@contextlib.contextmanager
def private_dir(base: Path, prefix: str, owner: RunAs | None) -> Iterator[Path]:
    """A 0700 folder for one bot's sockets, profile and logs; removed on exit."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    lock = os.open(path / LOCK_NAME, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.chmod(path, 0o700)
        chown_for(str(path), owner)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(lock)


def _orphaned(path: Path) -> bool:
    """Nobody holds the folder's owner lock, and it is past the grace period."""
    lock_path = path / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return time.time() - path.stat().st_mtime > SWEEP_GRACE_S
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its owner lives
    finally:
        os.close(fd)  # also lets go of the lock, if we got it
    return time.time() - lock_path.stat().st_mtime > SWEEP_GRACE_S


def sweep_orphans(base: Path) -> list[Path]:
    """Remove per-bot folders in `base` whose owner died without removing them."""
    removed = []
    for path in base.iterdir():
        if not path.name.startswith(PREFIXES) or not path.is_dir():
            continue
        with contextlib.suppress(OSError):
            if _orphaned(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    if removed:
        log.info("removed orphaned bot folders", count=len(removed), base=str(base))
    return removed
