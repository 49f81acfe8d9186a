"""A stored sign-in put into a bot's browser before it opens the meeting.

The bot's browser is a persistent context (bridge_worker.browser.launcher), which
Playwright starts without a storage state; and it may have been booted before its
bot came (bridge_worker.warm_pool). So the sign-in goes into the running context:
its cookies through `add_cookies`, its localStorage through a page script that
fills each origin's storage the first time a page of exactly that origin loads in a
tab, before the vendor's own code runs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from playwright.async_api import BrowserContext

from meetbridge.vendor_sessions import SessionCookie, StorageState

if TYPE_CHECKING:  # Playwright types its cookies in a private module
    from playwright._impl._api_structures import SetCookieParam


def local_storage_script(state: StorageState) -> str | None:
    """The page script that restores `state`'s localStorage (None: it holds none)."""
    by_origin = {
        origin.origin: [[item.name, item.value] for item in origin.localStorage]
        for origin in state.origins
        if origin.localStorage
    }
    if not by_origin:
        return None
    # Once per tab and origin (a sessionStorage mark): a reload keeps what the page
    # itself changed since, as a browser that had signed in would.
    return f"""(() => {{
  const items = {json.dumps(by_origin)}[location.origin];
  if (!items) return;
  try {{
    if (sessionStorage.getItem("meetbridge:signed-in")) return;
    for (const [name, value] of items) localStorage.setItem(name, value);
    sessionStorage.setItem("meetbridge:signed-in", "1");
  }} catch (error) {{}}
}})();"""


async def sign_in(context: BrowserContext, state: StorageState) -> None:
    """Put `state` into `context`; call it before the context's first navigation."""
    if state.cookies:
        await context.add_cookies([_cookie(cookie) for cookie in state.cookies])
    script = local_storage_script(state)
    if script is not None:
        await context.add_init_script(script)


def _cookie(cookie: SessionCookie) -> SetCookieParam:
    return {
        "name": cookie.name,
        "value": cookie.value,
        "domain": cookie.domain,
        "path": cookie.path,
        "expires": cookie.expires,
        "httpOnly": cookie.httpOnly,
        "secure": cookie.secure,
        "sameSite": cookie.sameSite,
    }
