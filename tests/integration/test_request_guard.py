"""The request guard in a real (headless) Chromium, inside the lab namespace.

Two small HTTP servers: the lab host 127.0.0.1 (allowed for the janus vendor)
and 10.99.0.1 on the namespace's dead-end link, standing for "somewhere inside
the network" (refused). The second one records every request it gets, so a test
can tell "refused by the guard" from "failed for another reason".
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import BrowserContext, Page, Playwright
from playwright.async_api import Error as PlaywrightError
from structlog.testing import capture_logs

from bridge_worker.browser.request_guard import (
    RequestGuard,
    chromium_host_rules,
    install_request_guard,
)
from lab.person import headless_chromium

pytestmark = [pytest.mark.integration]

LAB_HOST = "127.0.0.1"
OUTSIDE_HOST = "10.99.0.1"  # the lab namespace's dead-end link
METADATA = "http://169.254.169.254/latest/meta-data"
BLOCKED = "net::ERR_BLOCKED_BY_CLIENT"
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PAGE = f"""<!doctype html><title>lab</title>
<img id="pixel" src="{PIXEL}">
<p>a lab page</p>
"""


@dataclass
class Site:
    """One HTTP server in a thread; `hits` are the paths it was asked for."""

    host: str
    server: ThreadingHTTPServer
    hits: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.site.hits.append(self.path)
        url = urlsplit(self.path)
        if url.path == "/redirect":
            self._send(302, b"", location=parse_qs(url.query)["to"][0])
        elif url.path == "/ok.json":
            self._send(200, b'{"ok": true}', content_type="application/json")
        else:
            self._send(200, PAGE.encode(), content_type="text/html")

    def _send(
        self, status: int, body: bytes, *, content_type: str = "text/plain", location: str = ""
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serving(host: str) -> Iterator[Site]:
    site = Site(host, ThreadingHTTPServer((host, 0), _Handler))
    site.server.RequestHandlerClass = type("Handler", (_Handler,), {"site": site})
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
        thread.join()


@pytest.fixture
def lab_site() -> Iterator[Site]:
    with serving(LAB_HOST) as site:
        yield site


@pytest.fixture
def outside() -> Iterator[Site]:
    """A server the bot must never reach; a test asserts its `hits` stay empty."""
    with serving(OUTSIDE_HOST) as site:
        yield site


@dataclass
class Guarded:
    guard: RequestGuard
    context: BrowserContext
    page: Page


@pytest.fixture
async def guarded(playwright: Playwright) -> AsyncIterator[Guarded]:
    """A page whose context has the janus guard with 127.0.0.1 as the lab host."""
    async with headless_chromium(playwright) as browser:
        context = await browser.new_context()
        page = await context.new_page()
        guard = await install_request_guard(context, "janus", [LAB_HOST])
        yield Guarded(guard, context, page)


async def fetch_status(page: Page, url: str) -> str:
    """What a page's `fetch(url)` gets: the status, or the error it fails with."""
    return str(
        await page.evaluate("url => fetch(url).then(r => String(r.status), e => e.name)", url)
    )


async def refused_goto(page: Page, url: str, error: str = BLOCKED) -> None:
    """`page.goto(url)` fails with `error`; returns once Chromium's error page is up
    (it would otherwise interrupt the next navigation)."""
    with pytest.raises(PlaywrightError, match=error):
        await page.goto(url)
    await page.wait_for_url("chrome-error://chromewebdata/")


async def test_the_page_gets_its_own_resources_and_inline_data(
    guarded: Guarded, lab_site: Site
) -> None:
    page = guarded.page
    await page.goto(f"{lab_site.origin}/")
    assert await fetch_status(page, "/ok.json") == "200"
    assert await page.evaluate("document.getElementById('pixel').naturalWidth") == 1
    # Another port of the lab host is the lab too.
    with serving(LAB_HOST) as other_port:
        assert await fetch_status(page, f"{other_port.origin}/ok.json") == "200"
    assert guarded.guard.refused == []


async def test_requests_to_internal_addresses_are_refused(
    guarded: Guarded, lab_site: Site, outside: Site
) -> None:
    page = guarded.page
    await page.goto(f"{lab_site.origin}/")
    assert await fetch_status(page, METADATA) == "TypeError"
    assert await fetch_status(page, f"{outside.origin}/x") == "TypeError"
    await page.evaluate(
        "src => { const f = document.createElement('iframe'); f.src = src;"
        " document.body.append(f); }",
        f"{outside.origin}/frame",
    )
    await page.evaluate("src => window.open(src)", f"{outside.origin}/popup")
    await page.wait_for_timeout(500)
    assert outside.hits == []
    assert guarded.guard.refused == ["http://169.254.169.254", f"http://{OUTSIDE_HOST}"]
    assert guarded.guard.refused_count == 4


async def test_navigating_to_a_file_is_refused(guarded: Guarded, lab_site: Site) -> None:
    await refused_goto(guarded.page, "file:///etc/passwd")
    assert guarded.guard.refused == ["file:"]


async def test_a_redirect_to_a_disallowed_host_is_refused(
    guarded: Guarded, lab_site: Site, outside: Site
) -> None:
    page = guarded.page
    await page.goto(f"{lab_site.origin}/redirect?to=/landing")  # within the lab: fine
    assert urlsplit(page.url).path == "/landing"

    to_outside = f"{lab_site.origin}/redirect?to={outside.origin}/landing"
    await refused_goto(page, to_outside)
    # The same, started by the page, and through two hops.
    await page.goto(f"{lab_site.origin}/")
    twice = f"/redirect?to={lab_site.origin}/redirect%3Fto%3D{outside.origin}/landing"
    async with page.expect_event("requestfailed") as failed:
        await page.evaluate("url => { location.href = url; }", twice)
    assert BLOCKED in ((await failed.value).failure or "")
    assert outside.hits == []
    assert guarded.guard.refused == [f"http://{OUTSIDE_HOST}"]


async def test_a_new_page_is_watched_before_it_navigates(
    guarded: Guarded, lab_site: Site, outside: Site
) -> None:
    page = await guarded.context.new_page()
    await guarded.guard.watch_page(page)
    await refused_goto(page, f"{lab_site.origin}/redirect?to={METADATA}")
    assert guarded.guard.refused == ["http://169.254.169.254"]


async def test_refusals_are_logged_by_origin_only(guarded: Guarded, lab_site: Site) -> None:
    await guarded.page.goto(f"{lab_site.origin}/")
    with capture_logs() as logs:
        for _ in range(2):
            await fetch_status(guarded.page, f"{METADATA}/iam?pwd=s3cret")
    assert [(entry["log_level"], entry["origin"]) for entry in logs] == [
        ("warning", "http://169.254.169.254"),
        ("debug", "http://169.254.169.254"),  # a retry does not flood the log
    ]
    assert "s3cret" not in repr(logs) + repr(guarded.guard)


async def test_host_rules_cover_what_the_router_cannot_see(
    playwright: Playwright, lab_site: Site, outside: Site
) -> None:
    """Playwright's router never sees a subresource's redirect hop or a WebSocket;
    the host rules stop both inside Chromium. (If the first half ever fails,
    Playwright started routing these: good news, and worth a look.)"""
    subresource_redirect = f"/redirect?to={outside.origin}/sub"
    websocket = f"ws://{OUTSIDE_HOST}:{urlsplit(outside.origin).port}/ws"
    opens_websocket = (
        "url => new Promise(done => { const ws = new WebSocket(url);"
        " ws.onopen = () => done('open'); ws.onerror = () => done('error'); })"
    )

    async with headless_chromium(playwright) as browser:
        context = await browser.new_context()
        await install_request_guard(context, "janus", [LAB_HOST])
        page = await context.new_page()
        await page.goto(f"{lab_site.origin}/")
        await fetch_status(page, subresource_redirect)
        await page.evaluate(opens_websocket, websocket)
    assert outside.hits == ["/sub", "/ws"]  # got through the router
    outside.hits.clear()

    rules = chromium_host_rules("janus", [LAB_HOST])
    assert rules == "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    async with headless_chromium(playwright, f"--host-resolver-rules={rules}") as browser:
        page = await browser.new_page()
        await page.goto(f"{lab_site.origin}/")
        assert await fetch_status(page, "/ok.json") == "200"
        assert await fetch_status(page, subresource_redirect) == "TypeError"
        assert await page.evaluate(opens_websocket, websocket) == "error"
        to_outside = f"{lab_site.origin}/redirect?to={outside.origin}/landing"
        await refused_goto(page, to_outside, "ERR_NAME_NOT_RESOLVED")
    assert outside.hits == []


def test_host_rules_list_the_vendors_hosts() -> None:
    rules = chromium_host_rules("google_meet")
    assert rules.startswith("MAP * ~NOTFOUND, EXCLUDE meet.google.com, ")
    assert "EXCLUDE *.gstatic.com" in rules
    assert not re.search(r"127\.0\.0\.1|zoom", rules)
