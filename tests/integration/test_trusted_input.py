"""Input through the bot's own display (XTest): what a page sees of it.

A bot's real browser on its real Xvfb display; a page that records its events. The
point of XTest input is what automation cannot give: a pointer that moves (automation's
moves carry no movement), typing made by the keyboard, keys the page's own dialogs
and the browser's prompts receive.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Playwright

from bridge_worker.bot_devices import bot_devices
from bridge_worker.browser.trusted_input import XTestInput
from lab.bots import bot_settings
from vendor_scripts.registry import load_client

pytestmark = pytest.mark.integration

PAGE = """<!doctype html><body style="margin:0">
<style>button, input { position: absolute; left: 420px; width: 160px; height: 48px; }</style>
<button id="target" style="top: 260px">go</button>
<input id="field" style="top: 360px; width: 300px">
<script>
window.seen = {moved: 0, clicks: [], keys: []};
addEventListener("mousemove", (e) => {
  seen.moved += Math.abs(e.movementX) + Math.abs(e.movementY);
});
document.getElementById("target").addEventListener("click", (e) => seen.clicks.push(e.isTrusted));
addEventListener("keydown", (e) => seen.keys.push(e.key));
</script></body>"""


async def test_a_real_pointer_moves_onto_what_it_clicks_and_keys_are_typed(
    playwright: Playwright, tmp_path: Path
) -> None:
    settings = bot_settings()
    async with bot_devices(settings, playwright, "bot_trusted", load_client("janus")) as devices:
        page = devices.page
        await page.set_content(PAGE)
        target = page.locator("#target")

        await target.click()  # automation: the click lands, the pointer never moved
        seen = await page.evaluate("window.seen")
        assert seen["clicks"] == [True] and seen["moved"] == 0

        trusted = XTestInput(devices.display.name)
        try:
            await trusted.click(target)
            seen = await page.evaluate("window.seen")
            assert seen["clicks"] == [True, True] and seen["moved"] > 50

            await trusted.type_text(page.locator("#field"), "Ann Lee@lab.example-2_X")
            assert await page.locator("#field").input_value() == "Ann Lee@lab.example-2_X"

            await trusted.press("Escape")
            await page.wait_for_function("window.seen.keys.includes('Escape')", timeout=5000)
            with pytest.raises(ValueError, match="cannot type"):
                await trusted.type_text(page.locator("#field"), "snow ☃")
        finally:
            trusted.close()
