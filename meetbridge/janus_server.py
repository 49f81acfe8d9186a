"""A private Janus process: the room server of `make run`, and the lab's meeting servers.

Each instance has its own config folder (a copy of /etc/janus), its own HTTP port
and nothing else: only the VideoRoom and AudioBridge plugins, only the HTTP
transport, no admin API, no mDNS. So several run side by side without sharing
state; the HTTP API listens on `host` (loopback unless told otherwise: browsers
never reach it, they go through the API's signalling proxy; only the media ports
face the network, see `JanusNetwork`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import ClassVar

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


@dataclass(frozen=True)
class JanusNetwork:
    """Where a room Janus's media meets the network, for a deployment behind NAT
    (README: Behind NAT). The defaults suit one machine or one private network.

    - `rtp_port_range` ("20000-20199"): the UDP ports media uses; open them (and only
      them) in the firewall. Unset: any port the system gives.
    - `nat_1_1_mapping`: the public address of a 1:1 NAT (a cloud VM's elastic IP), put
      in Janus's candidates in place of its private one.
    - `stun_server` ("host:port"): lets Janus learn its public address itself.
    - `turn_*`: a TURN server (coturn) Janus relays through when nothing direct works.
    """

    rtp_port_range: str | None = None
    nat_1_1_mapping: str | None = None
    stun_server: str | None = None
    turn_server: str | None = None  # host:port
    turn_type: str = "udp"  # udp | tcp | tls
    turn_user: str | None = None
    turn_password: str | None = None

    PREFIX: ClassVar[str] = "MEETBRIDGE_ROOM_JANUS_"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> JanusNetwork:
        """From MEETBRIDGE_ROOM_JANUS_RTP_PORT_RANGE, _NAT_1_1_MAPPING, _STUN_SERVER,
        _TURN_SERVER, _TURN_TYPE, _TURN_USER, _TURN_PASSWORD (unset or empty: default)."""
        values = {
            name: environ.get(cls.PREFIX + name.upper()) or None
            for name in (
                "rtp_port_range",
                "nat_1_1_mapping",
                "stun_server",
                "turn_server",
                "turn_user",
                "turn_password",
            )
        }
        return cls(**values, turn_type=environ.get(cls.PREFIX + "TURN_TYPE") or "udp")

    def __post_init__(self) -> None:
        if self.rtp_port_range and not re.fullmatch(r"\d{1,5}-\d{1,5}", self.rtp_port_range):
            raise ValueError("rtp_port_range is two port numbers: 20000-20199")
        for name in ("stun_server", "turn_server"):
            value = getattr(self, name)
            if value and not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+:\d{1,5}", value):
                raise ValueError(f"{name} is host:port")
        if self.turn_type not in ("udp", "tcp", "tls"):
            raise ValueError("turn_type is udp, tcp or tls")
        for name in ("nat_1_1_mapping", "turn_user", "turn_password"):
            value = getattr(self, name)
            if value and not re.fullmatch(r"[^\"\\\s]+", value):
                raise ValueError(f"{name} has no spaces, quotes or backslashes")

    def media_lines(self) -> str:
        return f'\trtp_port_range = "{self.rtp_port_range}"\n' if self.rtp_port_range else ""

    def nat_lines(self) -> str:
        lines = []
        if self.nat_1_1_mapping:
            lines.append(f'nat_1_1_mapping = "{self.nat_1_1_mapping}"')
        if self.stun_server:
            host, port = self.stun_server.rsplit(":", 1)
            lines += [f'stun_server = "{host}"', f"stun_port = {port}"]
        if self.turn_server:
            host, port = self.turn_server.rsplit(":", 1)
            lines += [f'turn_server = "{host}"', f"turn_port = {port}"]
            lines.append(f'turn_type = "{self.turn_type}"')
            if self.turn_user:
                lines.append(f'turn_user = "{self.turn_user}"')
            if self.turn_password:
                lines.append(f'turn_pwd = "{self.turn_password}"')
        return "".join(f"\t{line}\n" for line in lines)


def _core_config(config_dir: Path, network: JanusNetwork) -> str:
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
{network.media_lines()}}}
nat: {{
\tignore_mdns = true
\tnice_debug = false
{network.nat_lines()}}}
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


def write_config(
    config_dir: Path, host: str, port: int, network: JanusNetwork | None = None
) -> Path:
    """Copy /etc/janus into `config_dir` and overwrite the core and HTTP configs."""
    shutil.copytree(SYSTEM_CONFIG_DIR, config_dir, dirs_exist_ok=True)
    (config_dir / "janus.transport.http.jcfg").write_text(_http_transport_config(host, port))
    core = config_dir / "janus.jcfg"
    core.write_text(_core_config(config_dir, network or JanusNetwork()))
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
        network: JanusNetwork | None = None,
    ) -> None:
        self._given_dir = workdir
        self.network = network or JanusNetwork()
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
        config = write_config(self.dir, self.host, port, self.network)
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
