"""The worker's end of a bot page's encoded audio relay (`encoded_relay.js`).

The channel is Chrome DevTools Protocol on the bot's own page target: a binding the
page script takes for itself at document start (and deletes from the page's globals)
carries the meeting's frames out; `Runtime.evaluate` of the script's own entry point
carries forwarded frames in. No socket is opened to the page (a loopback WebSocket
would have to pass the request guard and the host-resolver rules, which keep bots'
browsers off loopback), and Playwright's exposed functions cost milliseconds a message.

What comes out of the page is the vendor page's realm: bounded and checked before
anything is forwarded (a receiver number, base64 of at most MAX_FRAME_BYTES).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import structlog
from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

log = structlog.get_logger(__name__)
BINDING = "__mbRelayOut"
RELAY_JS = resources.files(__package__).joinpath("encoded_relay.js").read_text()
MAX_FRAME_BYTES = 1500  # one Opus frame is at most a packet's worth
FrameListener = Callable[[int, bytes], None]  # (receiver number, Opus payload)


@dataclass
class PageRelay:
    """One bot page's relay: frames out to listeners, forwarded frames in."""

    session: CDPSession
    listeners: list[FrameListener] = field(default_factory=list)
    fallback: str | None = None  # why the page stepped aside, once it has
    frames_out: int = 0  # frames the page tapped and handed on

    def _on_binding(self, event: dict[str, Any]) -> None:
        if event.get("name") != BINDING:
            return
        try:
            message = json.loads(str(event.get("payload", ""))[: MAX_FRAME_BYTES * 2])
            kind = message["kind"]
            if kind == "fallback":
                self.fallback = str(message["reason"])[:80]
                log.info("encoded relay fell back", reason=self.fallback)
            elif kind == "frame":
                receiver = int(message["receiver"])
                data = base64.b64decode(message["data"], validate=True)
                if 0 < len(data) <= MAX_FRAME_BYTES and 0 < receiver < 10_000:
                    self.frames_out += 1
                    for listener in list(self.listeners):
                        listener(receiver, data)
        except (ValueError, KeyError, TypeError, binascii.Error):
            pass  # not a message of ours: dropped

    async def send(self, frame: bytes) -> bool:
        """Send `frame` (another meeting's Opus payload) as this bot's own, next; False
        when the page has stepped aside or is gone."""
        if self.fallback is not None:
            return False
        data = base64.b64encode(frame).decode("ascii")
        try:
            await self.session.send(
                "Runtime.evaluate", {"expression": f'__mbRelayIn("{data}")', "silent": True}
            )
        except PlaywrightError:
            self.fallback = "channel_lost"  # the page or its session went away
            log.info("encoded relay fell back", reason=self.fallback)
            return False
        return True


@contextlib.asynccontextmanager
async def page_relay(page: Page) -> AsyncIterator[PageRelay]:
    """The relay of `page`: call before the page opens the meeting (the binding must be
    there when the document starts)."""
    session = await page.context.new_cdp_session(page)
    relay = PageRelay(session)
    session.on("Runtime.bindingCalled", relay._on_binding)
    # Enabled first: else the binding is not put into the documents the page opens later.
    await session.send("Runtime.enable")
    await session.send("Runtime.addBinding", {"name": BINDING})
    try:
        yield relay
    finally:
        with contextlib.suppress(PlaywrightError):
            await session.detach()
