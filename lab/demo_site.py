"""The Janus demo web client served from 127.0.0.1, pointed at one LabJanus.

Debian ships the demos in /usr/share/janus/demos with their JS/CSS/fonts as
symlinks into libjs-* packages (`javascript -> /usr/share/javascript`,
`fonts/font-awesome -> /usr/share/fonts-font-awesome`), so serving that folder with
symlinks followed makes the page work offline. Only `/settings.js` is replaced: the
stock one points at port 8088 and never declares `token`/`apisecret`, which makes
the demo die with a ReferenceError. And Debian's bootswatch theme has no fonts
folder of its own: its glyphicon URLs are served from libjs-bootstrap's.
"""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from lab.threaded_server import start_serving, stop_serving

DEMOS_DIR = Path("/usr/share/janus/demos")
VIDEOROOM_PAGE = "videoroomtest.html"
# URL prefix -> folder, for files the demos reference but Debian puts elsewhere.
ALIASES = {"/javascript/bootswatch/fonts/": Path("/usr/share/javascript/bootstrap/fonts")}


# What a vendor with end-to-end encryption does to its peer connections: an encoded
# transform of its own on every receiver and sender (here ones that pass frames
# untouched: with encoded streams on, Chromium sends only what a sender's are given).
OWN_TRANSFORMS_JS = """
(() => {
  const Native = window.RTCPeerConnection;
  const own = (sender) => {
    const streams = sender.createEncodedStreams();
    streams.readable.pipeTo(streams.writable);
  };
  window.RTCPeerConnection = function (config, ...rest) {
    const pc = new Native({ ...(config || {}), encodedInsertableStreams: true }, ...rest);
    pc.addEventListener("track", (event) => own(event.receiver));
    const addTrack = pc.addTrack.bind(pc);
    pc.addTrack = (...args) => { const sender = addTrack(...args); own(sender); return sender; };
    const addTransceiver = pc.addTransceiver.bind(pc);
    pc.addTransceiver = (...args) => {
      const transceiver = addTransceiver(...args);
      own(transceiver.sender);
      return transceiver;
    };
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})();
"""


def settings_js(janus_http_url: str, *, own_transforms: bool = False) -> bytes:
    """The replacement settings.js: every global the demos read, declared (and, for a
    meeting like an end-to-end encrypted vendor's, its own receiver transforms)."""
    return (
        f"var server = {json.dumps(janus_http_url)};\n"
        "var iceServers = [];\n"
        "var token = null;\n"
        "var apisecret = null;\n" + (OWN_TRANSFORMS_JS if own_transforms else "")
    ).encode()


class _DemoHandler(SimpleHTTPRequestHandler):
    """Static, read-only (GET/HEAD) files from DEMOS_DIR plus the generated settings.js."""

    def __init__(self, *args: Any, settings: bytes, **kwargs: Any) -> None:
        self._settings = settings
        super().__init__(*args, directory=str(DEMOS_DIR), **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self.path.split("?", 1)[0] == "/settings.js":
            self._send_settings()
        else:
            super().do_GET()

    def translate_path(self, path: str) -> str:
        url_path = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, folder in ALIASES.items():
            name = url_path[len(prefix) :]
            if url_path.startswith(prefix) and "/" not in name and name not in ("", ".", ".."):
                return str(folder / name)
        return super().translate_path(path)

    def _send_settings(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(self._settings)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(self._settings)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # one line per request would drown the test output


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing a keep-alive connection is not an error here


class LabDemoSite:
    """Async context manager: the demo site on 127.0.0.1:<free port> for one Janus."""

    def __init__(self, janus_http_url: str, *, own_transforms: bool = False) -> None:
        self._settings = settings_js(janus_http_url, own_transforms=own_transforms)
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LabDemoSite is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def meeting_url(self, room: int) -> str:
        return f"{self.base_url}/{VIDEOROOM_PAGE}?room={room}"

    async def __aenter__(self) -> LabDemoSite:
        handler = partial(_DemoHandler, settings=self._settings)
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = start_serving(self._server, f"lab-demo-site:{self.port}")
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
