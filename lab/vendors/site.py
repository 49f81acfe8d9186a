"""The reconstructed vendors' web server: HTTPS on lab0:443, one app per vendor host name.

Inside the lab namespace the vendors' host names resolve to lab0 (this module names
them in the namespace's private /etc/hosts), and the server presents a certificate of
the lab's authority (`tls.py`), which only the lab's bots trust. A bot thus opens
`https://meet.jit.si/Room` exactly as it would in production, through its URL rules,
host rules and request guard.

Besides each vendor's pages it serves, under `/lab/` on every host:
- `/lab/static/...`: janus.js, WebRTC adapter and `lab_call.js` (the call itself);
- `/lab/door/<meeting>/ask` and `/status`: the meeting's door (`door.py`);
- `/lab/janus/<meeting>/...`: the meeting's Janus HTTP API, proxied, so the page
  reaches its media server on its own origin (a bot may load nothing else).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lab.netns import require_lab_namespace
from lab.threaded_server import start_serving, stop_serving
from lab.vendors.door import SIGN_IN_COOKIE, MeetingDoor, Wall
from lab.vendors.tls import LabTls

LAB_ADDRESS = "10.99.0.1"  # lab0, see infra/lab/netns-run
HOSTS_FILE = Path("/etc/hosts")  # the lab namespace's private copy
STATIC = Path(__file__).parent / "static"
SHARED_FILES = {
    "janus.js": Path("/usr/share/javascript/janus-gateway/janus.js"),
    "adapter.js": Path("/usr/share/javascript/webrtc-adapter/adapter.min.js"),
}
PROXY_TIMEOUT_S = 70  # Janus long-polls for up to 30 s
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


@dataclass(frozen=True)
class Reconstruction:
    """One vendor's reconstructed web client: where it lives and which page is a meeting."""

    vendor: str
    host: str
    page: str  # the meeting page's file under static/
    meeting_link: Callable[[str], str]  # meeting id -> path (and query) of its join link
    # a request's path and query -> its meeting id, if any
    meeting_of: Callable[[str, str], str | None]
    example_meeting: str  # a meeting id of the vendor's form, for the lab's meetings


@dataclass
class LabVendorMeeting:
    """A meeting on a reconstructed vendor: its join link, its door, where its call runs."""

    reconstruction: Reconstruction
    meeting_id: str
    janus_url: str  # http://127.0.0.1:PORT/janus of a LabJanus
    room: int
    door: MeetingDoor

    @property
    def url(self) -> str:
        return (
            f"https://{self.reconstruction.host}{self.reconstruction.meeting_link(self.meeting_id)}"
        )


def lab_head(vendor: str, meeting: dict[str, object]) -> str:
    """What every reconstructed page's <head> holds: its style sheet, the call's scripts
    (WebRTC adapter, janus.js, lab_call.js), the meeting's settings, and the door."""
    scripts = "".join(
        f'<script src="/lab/static/{name}"></script>\n'
        for name in ("adapter.js", "janus.js", "lab_call.js")
    )
    return (
        f'<link rel="stylesheet" href="/lab/static/{vendor}.css">\n{scripts}'
        f"<script>window.LAB_MEETING = {json.dumps(meeting)};</script>\n"
        '<script src="/lab/static/lab_door.js"></script>'
    )


class _Handler(BaseHTTPRequestHandler):
    site: LabVendorSite  # set on the subclass made per server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def _route(self, method: str) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        path = parts.path
        try:
            if path.startswith("/lab/static/"):
                self._static(path.removeprefix("/lab/static/"))
            elif path.startswith("/lab/janus/"):
                self._proxy(method, path.removeprefix("/lab/janus/"), parts.query)
            elif path.startswith("/lab/door/"):
                self._door(method, path.removeprefix("/lab/door/"), parts.query)
            else:
                self._page(host, path, parts.query)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _static(self, name: str) -> None:
        file = SHARED_FILES.get(name) or STATIC / name
        if "/" in name or ".." in name or not file.is_file():
            self._send(404, b"not found", "text/plain")
            return
        self._send(200, file.read_bytes(), TYPES.get(file.suffix, "application/octet-stream"))

    def _page(self, host: str, path: str, query: str) -> None:
        found = self.site.meeting_page(host, path, query)
        if found is None:
            self._send(404, b"<h1>404</h1>", "text/html")
            return
        meeting, html = found
        config = {
            "id": meeting.meeting_id,
            "janus": f"/lab/janus/{meeting.meeting_id}",
            "room": meeting.room,
        }
        body = html.replace("{{LAB_HEAD}}", lab_head(meeting.reconstruction.vendor, config))
        self._send(200, body.encode(), "text/html; charset=utf-8")

    def _door(self, method: str, rest: str, query: str) -> None:
        meeting_id, _, action = rest.partition("/")
        meeting = self.site.meetings.get(meeting_id)
        account = self._account()
        if meeting is None:
            self._json(404, {"status": "not_found"})
        elif action == "ask" and method == "POST":
            asked = json.loads(self._body() or b"{}")
            guest = meeting.door.ask(str(asked.get("name", "")), asked.get("passcode"), account)
            self._json(200, {"guest": guest, "status": meeting.door.status(guest)})
        elif action == "info":
            door = meeting.door
            wall = door.wall_for(account)
            info = {"lobby": door.lobby, "passcode": door.passcode is not None, "wall": wall}
            self._json(200, info)
        elif action == "status":
            guest = parse_qs(query).get("guest", [""])[0]
            self._json(200, {"status": meeting.door.status(guest)})
        else:
            self._json(404, {})

    def _account(self) -> str | None:
        """The account the asker is signed in as: the site's sign-in cookie, if sent."""
        cookies = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie") or "")
        except CookieError:
            return None
        morsel = cookies.get(SIGN_IN_COOKIE)
        return morsel.value if morsel is not None else None

    def _proxy(self, method: str, rest: str, query: str) -> None:
        meeting_id, _, tail = rest.partition("/")
        meeting = self.site.meetings.get(meeting_id)
        if meeting is None:
            self._json(404, {})
            return
        url = meeting.janus_url + (f"/{tail}" if tail else "") + (f"?{query}" if query else "")
        data = self._body() if method == "POST" else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=PROXY_TIMEOUT_S) as answer:  # noqa: S310
                self._send(answer.status, answer.read(), "application/json")
        except urllib.error.HTTPError as exc:
            self._send(exc.code, exc.read(), "application/json")
        except (urllib.error.URLError, TimeoutError):
            self._json(502, {"error": "the meeting's Janus did not answer"})

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        # The handshake happens in the request's own thread, on its first read.
        return self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser dropping a connection is not an error here


class LabVendorSite:
    """Async context manager: the reconstructed vendors' server, for `reconstructions`."""

    def __init__(self, folder: Path, reconstructions: Iterable[Reconstruction]) -> None:
        self.folder = folder
        self.reconstructions = {r.host: r for r in reconstructions}
        self.meetings: dict[str, LabVendorMeeting] = {}
        self.tls: LabTls | None = None
        self._server: _TlsServer | None = None
        self._thread: threading.Thread | None = None

    def open_meeting(
        self,
        vendor: str,
        janus_url: str,
        room: int,
        *,
        meeting_id: str | None = None,
        lobby: bool = False,
        passcode: str | None = None,
        wall: Wall = Wall.NONE,
    ) -> LabVendorMeeting:
        """A meeting of `vendor` whose call runs in `room` of the Janus at `janus_url`
        (`meeting_id`: the vendor's example id unless given)."""
        reconstruction = next(r for r in self.reconstructions.values() if r.vendor == vendor)
        meeting_id = meeting_id or reconstruction.example_meeting
        door = MeetingDoor(meeting_id, lobby=lobby, passcode=passcode, wall=wall)
        meeting = LabVendorMeeting(reconstruction, meeting_id, janus_url, room, door)
        self.meetings[meeting_id] = meeting
        return meeting

    def meeting_page(
        self, host: str, path: str, query: str = ""
    ) -> tuple[LabVendorMeeting, str] | None:
        reconstruction = self.reconstructions.get(host)
        meeting_id = reconstruction.meeting_of(path, query) if reconstruction else None
        meeting = self.meetings.get(meeting_id) if meeting_id else None
        if reconstruction is None or meeting is None:
            return None
        return meeting, (STATIC / reconstruction.page).read_text()

    async def __aenter__(self) -> LabVendorSite:
        require_lab_namespace()
        name_hosts(self.reconstructions)
        self.tls = LabTls.make(self.folder, list(self.reconstructions))
        handler = type("Handler", (_Handler,), {"site": self})
        server = _TlsServer((LAB_ADDRESS, 443), handler)
        server.tls = self.tls.server_context()
        self._server = server
        self._thread = start_serving(server, "lab-vendor-site")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is not None:
            await stop_serving(server, thread)


def name_hosts(hosts: Iterable[str]) -> None:
    """Resolve `hosts` to lab0 in the lab namespace's private /etc/hosts (idempotent)."""
    require_lab_namespace()
    present = HOSTS_FILE.read_text()
    missing = [h for h in hosts if f"{LAB_ADDRESS} {h}\n" not in present]
    if missing:
        with HOSTS_FILE.open("a") as hosts_file:
            hosts_file.writelines(f"{LAB_ADDRESS} {h}\n" for h in missing)
