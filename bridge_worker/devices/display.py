"""The bot's virtual screen: an Xvfb server on a display number it picks itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from meetbridge.process import RunAs, supervised


class DisplayError(RuntimeError):
    """Xvfb did not come up."""


@dataclass(frozen=True)
class VirtualDisplay:
    name: str  # ":N"
    width: int
    height: int
    pid: int

    def client_env(self) -> dict[str, str]:
        return {"DISPLAY": self.name}


async def _read_display_number(read_fd: int, timeout_s: float) -> str:
    loop = asyncio.get_running_loop()
    data = await asyncio.wait_for(loop.run_in_executor(None, os.read, read_fd, 64), timeout_s)
    number = data.decode().strip()
    if not number.isdigit():
        raise DisplayError("Xvfb exited before announcing its display number")
    return number


@contextlib.asynccontextmanager
async def virtual_display(
    *, width: int, height: int, run_as: RunAs | None = None, start_timeout_s: float = 10.0
) -> AsyncIterator[VirtualDisplay]:
    """Start Xvfb with `-displayfd` so two bots never race for the same number."""
    read_fd, write_fd = os.pipe()
    try:
        argv = [
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
            "-noreset",
            # No GLX: Chromium runs with --disable-gpu and never uses it, and loading it
            # maps Mesa's llvmpipe into every display (docs/figures.md).
            "-extension",
            "GLX",
        ]
        env = {"PATH": "/usr/bin:/bin"}
        async with supervised(
            argv, name="Xvfb", env=env, run_as=run_as, pass_fds=(write_fd,)
        ) as proc:
            os.close(write_fd)  # only Xvfb holds the write end now: EOF if it dies
            write_fd = -1
            try:
                number = await _read_display_number(read_fd, start_timeout_s)
            except TimeoutError:
                raise DisplayError(f"Xvfb gave no display number in {start_timeout_s}s") from None
            yield VirtualDisplay(name=f":{number}", width=width, height=height, pid=proc.pid)
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)
