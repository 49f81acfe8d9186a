"""Child processes that are always stopped by the code that started them.

Every helper program a bot starts (Xvfb, PulseAudio, pipelines, ...) runs in its own
session, so stopping it means stopping its whole process group: killing only the
parent of `sh -c "a | b"` leaves `a` and `b` running. Stopping is polite first
(SIGTERM), then forceful (SIGKILL) after a bounded wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
import subprocess
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RunAs:
    """An unprivileged account a child process is switched to (when we are root)."""

    user: str
    uid: int
    gid: int
    home: str

    @classmethod
    def lookup(cls, user: str) -> RunAs:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise LookupError(
                f"user {user!r} does not exist; run 'make setup' as root to create it"
            ) from None
        return cls(user=user, uid=entry.pw_uid, gid=entry.pw_gid, home=entry.pw_dir)

    def command_prefix(self, env: Mapping[str, str]) -> list[str]:
        """`setpriv` drops to the user with a clean environment, then `env` sets ours.

        setpriv (util-linux) keeps inherited file descriptors, which Xvfb's
        `-displayfd` and Playwright's pipe to Chromium need. The parent-death signal
        is set after the drop (a uid change would clear an earlier one).
        """
        return [
            "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--init-groups",
            "--reset-env",
            "--pdeathsig=KILL",
            "env",
            *(f"{key}={value}" for key, value in env.items()),
        ]


# Children die with the thread that started them, even when the worker is killed
# with SIGKILL and has no chance to clean up (see `start_process`).
DIE_WITH_PARENT = ["setpriv", "--pdeathsig=KILL"]


def bot_account(user: str) -> RunAs | None:
    """The account bot processes run as: `user` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    return RunAs.lookup(user)


def chown_for(path: str, account: RunAs | None) -> None:
    if account is not None:
        os.chown(path, account.uid, account.gid)


async def start_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    run_as: RunAs | None = None,
    pass_fds: Sequence[int] = (),
    stdout: Any = subprocess.DEVNULL,
    stderr: Any = subprocess.DEVNULL,
    stdin: Any = subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """Start `argv` in a new session with exactly `env` (never os.environ).

    The child gets SIGKILL when the thread that started it exits: a worker killed
    with SIGKILL leaves no Xvfb or PulseAudio behind.
    """
    full_argv = [*run_as.command_prefix(env), *argv] if run_as else [*DIE_WITH_PARENT, *argv]
    return await asyncio.create_subprocess_exec(
        *full_argv,
        env=dict(env),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        pass_fds=tuple(pass_fds),
        start_new_session=True,
    )


def kill_group(pid: int, sig: signal.Signals) -> bool:
    """Signal a process group; False when it no longer exists."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return False
    return True


async def stop_process(
    proc: asyncio.subprocess.Process,
    *,
    name: str,
    grace_s: float = 3.0,
    polite_to_leader_only: bool = False,
) -> None:
    """SIGTERM the process group (or only its leader), wait up to `grace_s`, then SIGKILL it.

    `polite_to_leader_only` is for children that shut their own helpers down in
    order (a worker's bots leave their meetings before their browsers stop).
    """
    if proc.returncode is None:
        if polite_to_leader_only:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
        else:
            kill_group(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), grace_s)
        except TimeoutError:
            log.warning("process did not stop, killing", process=name, pid=proc.pid)
    # The leader may be gone while members of its group live on: always sweep.
    kill_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        await proc.wait()


@contextlib.asynccontextmanager
async def supervised(
    argv: Sequence[str],
    *,
    name: str,
    env: Mapping[str, str],
    run_as: RunAs | None = None,
    grace_s: float = 3.0,
    polite_to_leader_only: bool = False,
    **kwargs: Any,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child process whose group is stopped when the block exits, however it exits."""
    proc = await start_process(argv, env=env, run_as=run_as, **kwargs)
    log.debug("process started", process=name, pid=proc.pid)
    try:
        yield proc
    finally:
        await asyncio.shield(
            stop_process(
                proc, name=name, grace_s=grace_s, polite_to_leader_only=polite_to_leader_only
            )
        )
        log.debug("process stopped", process=name, pid=proc.pid)
