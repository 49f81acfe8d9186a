"""A two-party call between two pages, signalled here (lab only): what a vendor's own
servers negotiate and the lab's Janus meetings cannot (RED, packet durations), for
tests of a bot page's encoded relay (`p2p_call.js`)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from lab.threaded_server import start_serving, stop_serving

PAGE = "p2p_call.html"
_HTML = b"<!doctype html><title>p2p call</title><script src='p2p_call.js'></script>"


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self.path.split("?")[0] == f"/{PAGE}":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(_HTML)))
            self.end_headers()
            self.wfile.write(_HTML)
        elif self.path == "/p2p_call.js":
            super().do_GET()
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextlib.asynccontextmanager
async def p2p_call_site() -> AsyncIterator[str]:
    """The call page's URL, served on 127.0.0.1 while the block runs."""
    handler = functools.partial(_Handler, directory=str(Path(__file__).parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = start_serving(server, "lab-p2p-call")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{PAGE}"
    finally:
        await stop_serving(server, thread)


async def connect(
    caller: Page,
    callee: Page,
    url: str,
    *,
    red: bool = False,
    caller_tone_hz: float = 0,
    caller_ptime: int = 0,
    callee_ptime: int = 0,
) -> None:
    """Open the call page in both and connect them: `caller` (a person, whose page
    counts the codecs it sends and receives) offers, `callee` answers. A side's `ptime`
    asks the other side for packets that long."""
    sides = ((caller, caller_tone_hz, caller_ptime, True), (callee, 0, callee_ptime, False))
    for page, tone, ptime, spy in sides:
        await page.goto(url)
        options = {"toneHz": tone, "red": red, "ptime": ptime, "spy": spy}
        await page.evaluate("options => p2p.start(options)", options)
    offer = await caller.evaluate("p2p.offer()")
    answer = await callee.evaluate("sdp => p2p.answer(sdp)", offer)
    await caller.evaluate("sdp => p2p.accept(sdp)", answer)
