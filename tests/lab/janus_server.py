"""A private Janus instance standing in for one vendor's meeting server.

Each LabJanus has its own config folder (a copy of /etc/janus), its own HTTP port on
127.0.0.1 and nothing else: only the VideoRoom and AudioBridge plugins, only the
HTTP transport, no admin API, no mDNS. So several run side by side without sharing
state, and none listens beyond loopback (media candidates are on the lab link).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from bridge_worker.process import supervised
from tests.lab.netns import require_lab_namespace
from tests.lab.processes import lab_env

SYSTEM_CONFIG_DIR = Path("/etc/janus")
DEFAULT_ROOM = 1234  # defined in Debian's janus.plugin.videoroom.jcfg
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


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def _http_transport_config(port: int) -> str:
    return f"""general: {{
\tjson = "compact"
\tbase_path = "/janus"
\thttp = true
\tip = "127.0.0.1"
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


def write_config(config_dir: Path, port: int) -> Path:
    """Copy /etc/janus into `config_dir` and overwrite the core and HTTP configs."""
    shutil.copytree(SYSTEM_CONFIG_DIR, config_dir, dirs_exist_ok=True)
    (config_dir / "janus.transport.http.jcfg").write_text(_http_transport_config(port))
    core = config_dir / "janus.jcfg"
    core.write_text(_core_config(config_dir))
    return core


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


class LabJanus:
    """Async context manager: a running private Janus reachable at `http_url`."""

    def __init__(self, *, workdir: Path | None = None, start_timeout_s: float = 15.0) -> None:
        self._given_dir = workdir
        self._start_timeout_s = start_timeout_s
        self._stack: contextlib.AsyncExitStack | None = None
        self._port: int | None = None
        self.dir: Path | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LabJanus is not running")
        return self._port

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/janus"

    @property
    def log_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "janus.log"

    async def __aenter__(self) -> LabJanus:
        require_lab_namespace()
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
            return self._given_dir
        path = Path(tempfile.mkdtemp(prefix="lab-janus-"))
        stack.callback(shutil.rmtree, path, ignore_errors=True)
        return path

    async def _start(self, stack: contextlib.AsyncExitStack) -> int:
        """Start Janus on a free port, trying another port if it was taken meanwhile."""
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = free_tcp_port()
            try:
                await stack.enter_async_context(self._running(port))
            except _PortTaken:
                if attempt == _START_ATTEMPTS:
                    raise
                continue
            return port
        raise AssertionError("unreachable")

    @contextlib.asynccontextmanager
    async def _running(self, port: int) -> AsyncIterator[None]:
        assert self.dir is not None
        config = write_config(self.dir, port)
        self.log_path.unlink(missing_ok=True)
        argv = [
            "janus",
            "-C",
            str(config),
            "-F",
            str(self.dir),
            "-L",
            str(self.log_path),
            "-N",
            "-o",
        ]
        env = lab_env({"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir)})
        async with supervised(argv, name=f"janus:{port}", env=env) as proc:
            await self._wait_ready(proc, port)
            yield

    async def _wait_ready(self, proc: asyncio.subprocess.Process, port: int) -> None:
        """Poll /janus/info until it answers; fail fast if Janus exits."""
        url = f"http://127.0.0.1:{port}/janus/info"
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

    async def create_videoroom(self, room: int, publishers: int = 6) -> None:
        """Create VideoRoom `room` (not persisted) through the Janus HTTP API."""
        async with JanusHttpSession(self.http_url) as session:
            handle = await session.attach("janus.plugin.videoroom")
            data = await session.plugin_request(
                handle,
                {
                    "request": "create",
                    "room": room,
                    "publishers": publishers,
                    "bitrate": 128000,
                    "fir_freq": 10,
                    "permanent": False,
                },
            )
        if data.get("videoroom") != "created":
            raise RuntimeError(f"could not create videoroom {room}: {data}")

    async def participants(self, room: int = DEFAULT_ROOM) -> list[str]:
        """Display names Janus lists in VideoRoom `room` (a ghost would show here)."""
        async with JanusHttpSession(self.http_url) as session:
            handle = await session.attach("janus.plugin.videoroom")
            data = await session.plugin_request(
                handle, {"request": "listparticipants", "room": room}
            )
        return [str(p.get("display", "")) for p in data.get("participants", [])]


class JanusApiError(RuntimeError):
    pass


class JanusHttpSession:
    """Minimal Janus HTTP API session for synchronous plugin requests (e.g. `create`)."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._client = httpx.AsyncClient(timeout=5.0)
        self._session_id: int | None = None

    async def __aenter__(self) -> JanusHttpSession:
        try:
            reply = await self._post(self._base_url, {"janus": "create"})
        except BaseException:
            await self._client.aclose()
            raise
        self._session_id = int(reply["data"]["id"])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if self._session_id is not None:
                with contextlib.suppress(httpx.HTTPError, JanusApiError):
                    await self._post(self._session_url, {"janus": "destroy"})
        finally:
            self._session_id = None
            await self._client.aclose()

    @property
    def _session_url(self) -> str:
        return f"{self._base_url}/{self._session_id}"

    async def attach(self, plugin: str) -> int:
        reply = await self._post(self._session_url, {"janus": "attach", "plugin": plugin})
        return int(reply["data"]["id"])

    async def plugin_request(self, handle: int, body: dict[str, Any]) -> dict[str, Any]:
        """Send a request the plugin answers synchronously; return its `data`."""
        reply = await self._post(
            f"{self._session_url}/{handle}", {"janus": "message", "body": body}
        )
        data: dict[str, Any] = reply["plugindata"]["data"]
        if "error" in data:
            raise JanusApiError(f"{body.get('request')}: {data['error']}")
        return data

    async def _post(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        message = {**message, "transaction": secrets.token_hex(6)}
        response = await self._client.post(url, json=message)
        response.raise_for_status()
        reply: dict[str, Any] = response.json()
        if reply.get("janus") == "error":
            raise JanusApiError(f"{message['janus']}: {reply.get('error')}")
        return reply
