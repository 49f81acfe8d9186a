"""Keeps a bot's browser on its vendor's hosts, request by request.

Why: the meeting link is checked before the bot starts (`vendor_scripts.urls`),
but the page then loads whatever its scripts ask for and follows redirects. A
crafted link, a vendor's open redirect or a compromised script must not get the
browser to the cloud metadata service, the pod network, loopback or file:. Every
request is checked against the same table the API uses.

Playwright's router does not see everything, so there are layers:

1. `context.route`: the first hop of every HTTP(S) request of every page, popup
   and frame, and `page.goto` to file: URLs. Refused: `route.abort("blockedbyclient")`.
2. Redirect hops are *not* passed to route handlers: Playwright's driver continues
   them itself (Playwright 1.65, `crNetworkManager._onRequest`). So each page also
   gets its own CDP `Fetch` interception for documents, which does see every hop
   of a navigation: a lab page that 302s to a forbidden host is refused there.
3. Still unseen by both: WebSockets, and the redirect hops of subresources (fetch,
   img, script) and of cross-site iframes (their own renderer, their own CDP
   target; their first hop is still routed). `chromium_host_rules` gives
   a `--host-resolver-rules` value for launching Chromium so that it resolves no
   host outside the vendor's list (IP literals included): the browser-wide backstop.

Not network requests, so not checked here: `data:`/`blob:`/`about:` URLs (Chromium
itself refuses top-level data: navigations started by pages) and WebRTC media.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog
from playwright.async_api import Error as PlaywrightError

from vendor_scripts.urls import allowed_navigation, allowed_request, request_host_patterns

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, CDPSession, Page, Request, Route

log = structlog.get_logger(__name__)

# Documents only: navigations are few, so a second interception costs little;
# subresources are many and stay with the router (and the host rules).
_DOCUMENT_PATTERNS = [{"urlPattern": "*", "resourceType": "Document", "requestStage": "Request"}]


@dataclass(eq=False)
class RequestGuard:
    """The checks of one bot's browser, and what they refused.

    `refused` holds each refused origin once (`scheme://host`, or `scheme:`), in the
    order first refused: never paths or queries, which may carry passcodes.
    """

    vendor: str
    lab_hosts: tuple[str, ...] = ()
    extra_hosts: Mapping[str, Sequence[str]] | None = None
    refused: list[str] = field(default_factory=list, init=False)
    refused_count: int = field(default=0, init=False)
    _watching: weakref.WeakKeyDictionary[Page, asyncio.Future[None]] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )

    def allows(self, url: str, *, main_frame_navigation: bool) -> bool:
        """The rule for one request: navigations of the tab itself are held to more."""
        check = allowed_navigation if main_frame_navigation else allowed_request
        return check(url, self.vendor, lab_hosts=self.lab_hosts, extra_hosts=self.extra_hosts)

    async def watch_page(self, page: Page) -> None:
        """Check every hop of this page's navigations too (layer 2); idempotent.

        Runs by itself for each page the context opens; await it before a new
        page's first navigation to be sure that navigation's redirects are covered.
        """
        watching = self._watching.get(page)
        if watching is None:
            watching = asyncio.ensure_future(self._intercept_documents(page))
            self._watching[page] = watching
        await asyncio.shield(watching)

    def _check(self, url: str, *, main_frame_navigation: bool, layer: str) -> bool:
        if self.allows(url, main_frame_navigation=main_frame_navigation):
            return True
        self._record(url, navigation=main_frame_navigation, layer=layer)
        return False

    def _record(self, url: str, *, navigation: bool, layer: str) -> None:
        """Remember and log a refusal; each origin is a warning once, then debug
        (a page that retries a refused host every second must not flood the log)."""
        origin = _origin(url)
        self.refused_count += 1
        first = origin not in self.refused
        if first:
            self.refused.append(origin)
        report = log.warning if first else log.debug
        report(
            "request refused", vendor=self.vendor, origin=origin, navigation=navigation, layer=layer
        )

    async def _on_route(self, route: Route, request: Request) -> None:
        """Layer 1; runs for every request, so it only checks and passes on."""
        main = _is_main_frame_navigation(request)
        if self._check(request.url, main_frame_navigation=main, layer="route"):
            await route.fallback()
        else:
            await route.abort("blockedbyclient")

    async def _on_new_page(self, page: Page) -> None:
        try:
            await self.watch_page(page)
        except PlaywrightError:
            log.exception("redirect checks not set up for a page", vendor=self.vendor)

    async def _intercept_documents(self, page: Page) -> None:
        try:
            session = await page.context.new_cdp_session(page)
            tree = await session.send("Page.getFrameTree")
            handler = partial(self._on_document_paused, session, tree["frameTree"]["frame"]["id"])
            session.on("Fetch.requestPaused", handler)
            await session.send("Fetch.enable", {"patterns": _DOCUMENT_PATTERNS})
        except PlaywrightError:
            if not page.is_closed():
                raise

    async def _on_document_paused(
        self, session: CDPSession, main_frame_id: str, event: dict[str, Any]
    ) -> None:
        """Layer 2: a document request (first hop or redirect) of a watched page."""
        main = event.get("frameId") == main_frame_id
        request_id = event["requestId"]
        if self._check(event["request"]["url"], main_frame_navigation=main, layer="document"):
            method, params = "Fetch.continueRequest", {"requestId": request_id}
        else:
            method = "Fetch.failRequest"
            params = {"requestId": request_id, "errorReason": "BlockedByClient"}
        with contextlib.suppress(PlaywrightError):  # the page closed meanwhile
            await session.send(method, params)


async def install_request_guard(
    context: BrowserContext,
    vendor: str,
    lab_hosts: Sequence[str],
    *,
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> RequestGuard:
    """Refuse every request of `context` that `vendor`'s meeting has no business making.

    Install it last: Playwright runs the newest route handler first, and a handler
    that continues a request (rather than falling back) would skip this check.
    `lab_hosts` and `extra_hosts` as in `vendor_scripts.urls.resolve_meeting`.
    Raises MeetingUrlError for an unknown vendor or an invalid configured host.
    """
    # Fail now, not on each request.
    request_host_patterns(vendor, lab_hosts=lab_hosts, extra_hosts=extra_hosts)
    guard = RequestGuard(vendor, tuple(lab_hosts), extra_hosts)
    await context.route("**/*", guard._on_route)
    context.on("page", guard._on_new_page)
    for page in context.pages:
        await guard.watch_page(page)
    return guard


def chromium_host_rules(
    vendor: str,
    lab_hosts: Sequence[str] = (),
    *,
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """A `--host-resolver-rules` value with which Chromium resolves only `vendor`'s hosts.

    Layer 3, for what Playwright cannot see: any other host, IP literals
    included, fails with ERR_NAME_NOT_RESOLVED before a connection is made, for
    redirects, WebSockets, workers and every frame alike. Launch Chromium with
    `f"--host-resolver-rules={chromium_host_rules(vendor, lab_hosts)}"`.
    """
    rules = ["MAP * ~NOTFOUND"]
    hosts = request_host_patterns(vendor, lab_hosts=lab_hosts, extra_hosts=extra_hosts)
    rules += [f"EXCLUDE {host}" for host in hosts]
    return ", ".join(rules)


def _is_main_frame_navigation(request: Request) -> bool:
    """Does this request replace the tab's (or a popup's) whole page?"""
    if not request.is_navigation_request():
        return False
    try:
        return request.frame.parent_frame is None
    except PlaywrightError:  # no frame to ask: hold it to the stricter rule
        return True


def _origin(url: str) -> str:
    """`scheme://host` of a URL, or `scheme:` when it has no host: never more."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "unparseable:"
    scheme = parts.scheme or "unknown"
    if not host:
        return f"{scheme}:"
    return f"{scheme}://[{host}]" if ":" in host else f"{scheme}://{host}"
