"""The dashboard in a real (headless) Chromium, against the real stack and lab meetings.

The flow a user goes through: sign in, send a bot into a lab meeting, see it reach
in_meeting and its thumbnail show the meeting; a second bot; a room of the two with
both members live and their meetings' audio levels moving; one removed; the room
closed. Around it: a bad key, a refused link (explained before anything is sent,
nothing queued), and a lost connection, each shown as a message; and a guest who
joins a room through an invite link, shown as a member and against the invite.

Screenshots of each page go to `artifacts/dashboard/` (MEETBRIDGE_TEST_ARTIFACTS
overrides the folder; `/artifacts/` is kept out of git).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from lab.guest_page import guest_page, phase
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson, headless_chromium
from lab.room_scene import end_bots, eventually, room_stack
from tests.fixtures.invites import setting

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ARTIFACTS = Path(os.environ.get("MEETBRIDGE_TEST_ARTIFACTS", "artifacts")) / "dashboard"
LAPTOP = {"width": 1366, "height": 900}
JOIN_S = 90_000  # ms: a bot's way into a lab meeting, with a cold worker
# Each person speaks in bursts (period, on; seconds) and flashes their colour with them,
# so the level of what each meeting sends moves from one report to the next; ann's
# red is on most of the time, for her bot's thumbnail.
PEOPLE = [
    ("ann", 440.0, (220, 0, 0), (1.7, 1.2)),
    ("bob", 1000.0, (0, 0, 220), (1.5, 0.6)),
]
LOUD_DBFS = -40.0  # the tones' bursts read far above this; silence at -96


@contextlib.asynccontextmanager
async def dashboard_page(playwright, base_url: str) -> AsyncIterator[Page]:
    """A fresh tab on the dashboard; the page's own errors fail the test."""
    async with headless_chromium(playwright) as browser:
        context = await browser.new_context(
            viewport=LAPTOP, permissions=["clipboard-read", "clipboard-write"]
        )
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(base_url + "/")
        yield page
        assert not errors, errors
        await context.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


async def sign_in(page: Page, token: str) -> None:
    await page.get_by_label("API key").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Bots", level=1)).to_be_visible()


async def red_share(page: Page, card) -> float:
    """The share of the thumbnail's pixels that are ann's red (her picture on the bot's
    screen), read back from the image the page shows."""
    image = card.locator("img.thumb-image")
    return await image.evaluate(
        """(img) => {
            const canvas = document.createElement("canvas");
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const context = canvas.getContext("2d");
            context.drawImage(img, 0, 0);
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let red = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i] > 150 && data[i + 1] < 70 && data[i + 2] < 70) red += 1;
            }
            return red / (data.length / 4);
        }"""
    )


async def send_bot(page: Page, link: str, name: str) -> None:
    await page.get_by_label("Meeting link").fill(link)
    await page.get_by_label("The bot's name in the meeting").fill(name)
    await expect(page.locator("#link-verdict")).to_have_attribute("data-verdict", "ok")
    await expect(page.locator("#link-verdict")).to_contain_text("Janus (lab) meeting")
    await page.get_by_role("button", name="Send bot").click()


def bot_card(page: Page, name: str):
    return page.locator("li.bot-card").filter(has=page.get_by_role("heading", name=name))


async def levels(page: Page) -> dict[str, float | None]:
    """Each member row's audio level as the page shows it (None: not measured yet)."""
    rows = await page.locator("table.members tbody tr[data-bot-id]").evaluate_all(
        "(rows) => rows.map((row) => [row.querySelector('th').textContent, row.dataset.level])"
    )
    return {name: float(level) if level else None for name, level in rows}


async def test_sign_in_send_bots_make_a_room_watch_it_and_close_it(
    tmp_path: Path, playwright, lab_media_dir: Path
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        services, _ = await stack.enter_async_context(room_stack(tmp_path, workers=1))
        token = await services.new_key("dashboard")
        api: httpx.AsyncClient = await stack.enter_async_context(services.client(token))
        links = {}
        for person, tone, colour, pulse in PEOPLE:
            meeting = await stack.enter_async_context(LabMeeting())
            someone = await stack.enter_async_context(
                SimulatedPerson(playwright, person, tone, colour, lab_media_dir, pulse=pulse)
            )
            await someone.join(meeting.url)
            links[person] = meeting.url
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        page = await stack.enter_async_context(dashboard_page(playwright, services.base_url))

        # Signing in: a bad key is refused with a message, a good one opens the bots.
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await shot(page, "1-sign-in")
        await page.get_by_label("API key").fill("mbk_not_a_key")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.locator("#messages")).to_contain_text("That key was not accepted")
        await sign_in(page, token)
        await expect(page.locator("#connection")).to_have_text("Live")
        assert token not in page.url

        # A refused link is explained as it is typed, and sending it sends nothing.
        await page.get_by_label("Meeting link").fill("http://169.254.169.254/latest/meta-data")
        verdict = page.locator("#link-verdict")
        await expect(verdict).to_have_attribute("data-verdict", "refused")
        refused = await api.post(
            "/v1/bots",
            json={"meeting_url": "http://169.254.169.254/latest/meta-data", "display_name": "x"},
        )
        assert refused.json()["detail"].lower() in (await verdict.text_content() or "").lower()
        await expect(page.get_by_label("Meeting link")).to_have_attribute("aria-invalid", "true")
        await page.get_by_role("button", name="Send bot").click()
        await expect(verdict).to_have_attribute("data-verdict", "refused")
        await shot(page, "2-refused-link")
        assert (await api.get("/v1/bots")).json() == {"bots": []}

        # A bot into ann's meeting: in_meeting, and its thumbnail shows ann's red.
        await send_bot(page, links["ann"], "toann")
        ann_card = bot_card(page, "toann")
        await expect(ann_card).to_have_attribute("data-state", "in_meeting", timeout=JOIN_S)
        bots["ann"] = await ann_card.get_attribute("data-bot-id") or ""
        await expect(ann_card.get_by_text("In the meeting")).to_be_visible()

        async def shows_ann() -> bool:
            if not await ann_card.locator("img.thumb-image").is_visible():
                return False
            return await red_share(page, ann_card) > 0.005

        await eventually(shows_ann, timeout_s=30)
        await send_bot(page, links["bob"], "tobob")
        bob_card = bot_card(page, "tobob")
        await expect(bob_card).to_have_attribute("data-state", "in_meeting", timeout=JOIN_S)
        bots["bob"] = await bob_card.get_attribute("data-bot-id") or ""
        await expect(bob_card.locator("img.thumb-image")).to_be_visible(timeout=15_000)
        await shot(page, "3-bots")

        # A room of the two: both members live, their meetings' levels moving.
        await page.get_by_role("link", name="Rooms").click()
        await expect(page.get_by_role("heading", name="Rooms", level=1)).to_be_visible()
        await page.get_by_role("checkbox", name="toann").check()
        await page.get_by_role("checkbox", name="tobob").check()
        await page.get_by_role("button", name="Create room").click()
        room = page.locator("article.room")
        await expect(room).to_have_count(1)
        await expect(room.locator("tbody tr[data-bot-id]")).to_have_count(2)
        await expect(room.get_by_text("Media flowing")).to_be_visible(timeout=30_000)
        for name in ("toann", "tobob"):
            row = room.locator("tbody tr", has=page.get_by_role("rowheader", name=name))
            await expect(row.get_by_text("In the meeting")).to_be_visible()
        seen: dict[str, set[float]] = {"toann": set(), "tobob": set()}

        async def levels_move() -> bool:
            for name, level in (await levels(page)).items():
                if level is not None:
                    seen[name].add(level)
            return all(
                len(values) >= 3 and max(values) > LOUD_DBFS and max(values) - min(values) >= 1
                for values in seen.values()
            )

        try:
            await eventually(levels_move, timeout_s=30)
        except TimeoutError:
            pytest.fail(f"levels seen: {seen}")
        await shot(page, "4-room")

        # An invite link for the room: made, copied, listed, withdrawn.
        await room.get_by_role("button", name="Create invite link").click()
        link = room.get_by_label("New invite link (shown only now)")
        await expect(link).to_have_value(re.compile(r"/join#mbi_[A-Za-z0-9_-]+$"))
        await room.get_by_role("button", name="Copy link").click()
        await expect(room.get_by_role("button", name="Copied")).to_be_visible()
        assert await page.evaluate("navigator.clipboard.readText()") == await link.input_value()
        await expect(room.locator("li.invite")).to_contain_text("works until")
        await shot(page, "5-invite")
        await room.get_by_role("button", name=re.compile("Withdraw the invite")).click()
        await expect(room.locator("li.invite")).to_contain_text("withdrawn")

        # One member removed: the other stays, the room degraded; then closed.
        await room.get_by_role("button", name="Remove tobob from the room").click()
        await expect(room.locator("tbody tr[data-bot-id]")).to_have_count(1)
        await expect(room.get_by_text("Degraded")).to_be_visible()
        room_id = await room.get_attribute("data-room-id")
        assert [m["bot_id"] for m in (await api.get(f"/v1/rooms/{room_id}")).json()["members"]] == [
            bots["ann"]
        ]
        await room.get_by_role("button", name="Close room").click()
        await expect(page.locator("article.room")).to_have_count(0)
        await expect(page.get_by_text("No open rooms.")).to_be_visible()
        assert (await api.get(f"/v1/rooms/{room_id}")).json()["closed"] is True

        # Leave from the dashboard.
        await page.get_by_role("link", name="Bots").click()
        await ann_card.get_by_role("button", name="Leave: toann").click()
        await expect(ann_card).to_have_count(0, timeout=30_000)  # moved to the finished list
        await expect(page.locator("#finished-list")).to_contain_text("toann")


async def test_a_lost_connection_is_shown_and_recovers(api_only, playwright) -> None:
    token = await api_only.new_key("dashboard")
    async with dashboard_page(playwright, api_only.base_url) as page:
        await sign_in(page, token)
        await expect(page.locator("#connection")).to_have_text("Live")
        await api_only.stop("api")
        await expect(page.locator("#messages")).to_contain_text(
            "Connection to meetbridge lost", timeout=20_000
        )
        await expect(page.locator("#connection")).to_contain_text("Connection lost")
        await page.get_by_label("Meeting link").fill("https://meet.google.com/abc-defg-hij")
        await expect(page.locator("#link-verdict")).to_contain_text("Cannot reach meetbridge")
        await shot(page, "6-connection-lost")
        await api_only.start("api")
        await expect(page.locator("#connection")).to_have_text("Live", timeout=30_000)
        await expect(page.locator("#messages")).not_to_contain_text("Connection to meetbridge lost")
        # The key is the tab's: a reload keeps it, and it is in no URL.
        await page.reload()
        await expect(page.get_by_role("heading", name="Bots", level=1)).to_be_visible()
        assert token not in page.url


async def test_a_key_revoked_while_signed_in_returns_to_sign_in(api_only, playwright) -> None:
    """A key the API stops taking (here: Redis forgets it) signs the tab out with a
    message, not a blank page."""
    import redis.asyncio as aioredis

    token = await api_only.new_key("dashboard")
    async with dashboard_page(playwright, api_only.base_url) as page:
        await sign_in(page, token)
        client = aioredis.Redis.from_url(api_only.redis_url, decode_responses=True)
        try:
            for key in await client.keys("mb:apikey*"):
                await client.delete(key)
        finally:
            await client.aclose()
        await asyncio.sleep(5.5)  # the API remembers a valid key for 5 s
        await page.get_by_label("Meeting link").fill("https://meet.google.com/abc-defg-hij")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=20_000)
        await expect(page.locator("#messages")).to_contain_text("That key was not accepted")


async def test_keyboard_alone_labels_on_every_control_and_api_errors_as_messages(
    api_only, playwright
) -> None:
    """Signed in, a bot sent and a room tried with the keyboard only; with no room
    server, the API's 503 shows as a message."""
    token = await api_only.new_key("dashboard")
    async with dashboard_page(playwright, api_only.base_url) as page:
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(page.get_by_label("API key")).to_be_focused()
        await page.keyboard.type(token)
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name="Bots", level=1)).to_be_focused()

        unlabelled = await page.evaluate(
            """() => [...document.querySelectorAll("input, select, textarea, button, meter")]
                .filter((el) => el.checkVisibility())
                .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                    && !el.textContent.trim())
                .map((el) => el.outerHTML)"""
        )
        assert unlabelled == []

        await page.keyboard.press("Tab")
        await expect(page.get_by_label("Meeting link")).to_be_focused()
        await page.keyboard.type("https://meet.google.com/abc-defg-hij")
        await expect(page.locator("#link-verdict")).to_contain_text("Google Meet meeting")
        await page.keyboard.press("Tab")
        await expect(page.get_by_label("The bot's name in the meeting")).to_be_focused()
        await page.keyboard.press("Enter")
        card = bot_card(page, "meetbridge")
        await expect(card).to_have_attribute("data-state", "queued")  # no worker here
        await expect(card.get_by_role("button", name="Leave: meetbridge")).to_be_visible()

        await page.get_by_role("link", name="Rooms").focus()
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", name="Rooms", level=1)).to_be_focused()
        await page.get_by_role("checkbox", name="meetbridge").focus()
        await page.keyboard.press("Space")
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("button", name="Create room")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator("#messages")).to_contain_text(
            "The room media server is unavailable"
        )
        assert "Traceback" not in await page.content()


async def test_a_guest_through_an_invite_is_a_member_while_in_the_room(
    tmp_path: Path, playwright, lab_media_dir: Path
) -> None:
    """A guest joins from the join page (no worker: the room's bot stays queued): the
    room shows them among its members, "In browser", with nothing to press, and their
    invite says they are in; once they leave, both go."""
    async with setting(tmp_path) as s:
        room_id = (await s.room())["id"]
        token, made = await s.invite(room_id)
        key = s.api.headers["Authorization"].removeprefix("Bearer ")
        async with dashboard_page(playwright, s.stack.base_url) as page:
            await sign_in(page, key)
            await page.get_by_role("link", name="Rooms").click()
            room = page.locator("article.room")
            invite = room.locator(f'li.invite[data-invite-id="{made["id"]}"]')
            await expect(invite).to_contain_text("works until")
            await expect(room.locator("tbody tr.guest")).to_have_count(0)

            link = f"{s.stack.base_url}/join#{token}"
            async with guest_page(playwright, lab_media_dir, link) as (guest, errors):
                await phase(guest, "lobby")
                await guest.fill("#name", "Gus")
                await guest.click("#join")
                assert (await phase(guest, "joined", "problem"))["phase"] == "joined", errors

                row = room.locator("tbody tr", has=page.get_by_role("rowheader", name="Gus"))
                await expect(row).to_have_attribute("data-guest-id", made["id"], timeout=10_000)
                await expect(row.get_by_text("In browser")).to_be_visible()
                await expect(row.get_by_role("button")).to_have_count(0)
                await expect(room.locator(".room-summary")).to_contain_text(
                    "2 members (1 in a browser)"
                )
                await expect(invite).to_contain_text("Gus is in the room")
                await shot(page, "7-guest")

                await guest.click("#leave")
                await phase(guest, "left")
                await expect(row).to_have_count(0, timeout=10_000)
                await expect(invite).not_to_contain_text("Gus is in the room")
                await expect(room.locator(".room-summary")).to_contain_text("1 member ·")
