"""A private Janus process: the room server of `make run`, and the lab's meeting servers.

Each instance has its own config folder (a copy of /etc/janus), its own HTTP port
and nothing else: only the VideoRoom and AudioBridge plugins, only the HTTP
transport, no admin API, no mDNS. So several run side by side without sharing
state; the HTTP API listens on `host` (loopback unless told otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from types import TracebackType

import httpx

from meetbridge.ports import free_port
from meetbridge.process import supervised

SYSTEM_CONFIG_DIR = Path("/etc/janus")
# Module files to load, per folder kind; everything else is disabled.
WANTED_MODULES = {
    "plugins": frozenset({"libjanus_videoroom.so", "libjanus_audiobridge.so"}),
    "transports": frozenset({"libjanus_http.so"}),
}
_MODULE_FOLDERS = ("plugins", "transports", "events", "loggers")
_START_ATTEMPTS = 3  # a free port can be taken between picking and binding it
_BIND_FAILURE = re.compile(r"couldn't start webserver|address already in use", re.IGNORECASE)


class JanusStartError(RuntimeError):
    """Janus did not come up; the message carries the end of its log."""


class _PortTaken(JanusStartError):
    pass


def _system_folders() -> dict[str, str]:
    """plugins_folder etc. as Debian configured them (they are arch-specific paths)."""
    text = (SYSTEM_CONFIG_DIR / "janus.jcfg").read_text()
    folders = {}
    for kind in _MODULE_FOLDERS:
        match = re.search(rf'^\s*{kind}_folder\s*=\s*"([^"]+)"', text, re.MULTILINE)
        if match is None:
            raise JanusStartError(f"no {kind}_folder in {SYSTEM_CONFIG_DIR}/janus.jcfg")
        folders[kind] = match.group(1)
    return folders


def _disable_list(kind: str, folder: str) -> str:
    """Comma-separated module files Janus must not load (it loads every *.so otherwise)."""
    wanted = WANTED_MODULES.get(kind, frozenset())
    return ",".join(sorted(p.name for p in Path(folder).glob("*.so") if p.name not in wanted))


def _core_config(config_dir: Path) -> str:
    folders = _system_folders()
    sections = "\n".join(
        f'{kind}: {{\n\tdisable = "{_disable_list(kind, folder)}"\n}}'
        for kind, folder in folders.items()
    )
    folder_lines = "\n".join(f'\t{kind}_folder = "{path}"' for kind, path in folders.items())
    return f"""general: {{
\tconfigs_folder = "{config_dir}"
{folder_lines}
\tdebug_level = 4
}}
certificates: {{
}}
media: {{
}}
nat: {{
\tignore_mdns = true
\tnice_debug = false
}}
{sections}
"""


def _http_transport_config(host: str, port: int) -> str:
    return f"""general: {{
\tjson = "compact"
\tbase_path = "/janus"
\thttp = true
\tip = "{host}"
\tport = {port}
\thttps = false
}}
admin: {{
\tadmin_http = false
\tadmin_https = false
}}
cors: {{
}}
"""


def write_config(config_dir: Path, host: str, port: int) -> Path:
    """Copy /etc/janus into `config_dir` and overwrite the core and HTTP configs."""
    shutil.copytree(SYSTEM_CONFIG_DIR, config_dir, dirs_exist_ok=True)
    (config_dir / "janus.transport.http.jcfg").write_text(_http_transport_config(host, port))
    core = config_dir / "janus.jcfg"
    core.write_text(_core_config(config_dir))
    return core


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


class JanusServer:
    """Async context manager: a running private Janus reachable at `http_url`.

    `port=None` picks a free port (and another one if it was taken meanwhile).
    """

    def __init__(
        self,
        *,
        workdir: Path | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        start_timeout_s: float = 15.0,
    ) -> None:
        self._given_dir = workdir
        self.host = host
        self._wanted_port = port
        self._start_timeout_s = start_timeout_s
        self._stack: contextlib.AsyncExitStack | None = None
        self._port: int | None = None
        self.dir: Path | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("Janus is not running")
        return self._port

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}/janus"

    @property
    def log_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "janus.log"

    def launch_prefix(self) -> list[str]:
        """A command Janus is started through (none: Janus itself)."""
        return []

    def process_env(self) -> Mapping[str, str]:
        """Janus's whole environment (nothing of the caller's leaks in)."""
        assert self.dir is not None
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir)}

    async def __aenter__(self) -> JanusServer:
        stack = contextlib.AsyncExitStack()
        try:
            self.dir = self._make_dir(stack)
            self._port = await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack, self._stack, self._port = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    def _make_dir(self, stack: contextlib.AsyncExitStack) -> Path:
        if self._given_dir is not None:
            self._given_dir.mkdir(parents=True, exist_ok=True)
            return self._given_dir.resolve()
        path = Path(tempfile.mkdtemp(prefix="meetbridge-janus-"))
        stack.callback(shutil.rmtree, path, ignore_errors=True)
        return path

    async def _start(self, stack: contextlib.AsyncExitStack) -> int:
        attempts = 1 if self._wanted_port else _START_ATTEMPTS
        for attempt in range(1, attempts + 1):
            port = self._wanted_port or free_port(self.host)
            try:
                await stack.enter_async_context(self._running(port))
            except _PortTaken:
                if attempt == attempts:
                    raise
                continue
            return port
        raise AssertionError("unreachable")

    @contextlib.asynccontextmanager
    async def _running(self, port: int) -> AsyncIterator[None]:
        assert self.dir is not None
        config = write_config(self.dir, self.host, port)
        self.log_path.unlink(missing_ok=True)
        argv = [*self.launch_prefix(), "janus", "-C", str(config), "-F", str(self.dir)]
        argv += ["-L", str(self.log_path)]
        argv += ["-N", "-o"]  # no daemon, no colours in the log
        async with supervised(argv, name=f"janus:{port}", env=dict(self.process_env())) as proc:
            await self._wait_ready(proc, port)
            yield

    async def _wait_ready(self, proc: asyncio.subprocess.Process, port: int) -> None:
        """Poll /janus/info until it answers; fail fast if Janus exits."""
        url = f"http://{self.host}:{port}/janus/info"
        deadline = asyncio.get_running_loop().time() + self._start_timeout_s
        async with httpx.AsyncClient(timeout=1.0) as client:
            while asyncio.get_running_loop().time() < deadline:
                if proc.returncode is not None:
                    self._raise_start_error(f"janus exited with {proc.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(url)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        self._raise_start_error(f"janus did not answer {url} within {self._start_timeout_s} s")

    def _raise_start_error(self, reason: str) -> None:
        tail = _log_tail(self.log_path)
        error = _PortTaken if _BIND_FAILURE.search(tail) else JanusStartError
        raise error(f"{reason}; end of {self.log_path}:\n{tail}")
