"""A private per-bot folder owned by the account the bot's processes run as."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bridge_worker.process import RunAs, chown_for


@contextlib.contextmanager
def private_dir(base: Path, prefix: str, owner: RunAs | None) -> Iterator[Path]:
    """A 0700 folder for one bot's sockets, profile and logs; removed on exit."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    try:
        os.chmod(path, 0o700)
        chown_for(str(path), owner)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
