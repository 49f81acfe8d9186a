"""Signed-in bots: a key's stored sign-in is used for its vendor and key only, and is
never returned, logged or stored in the clear.

The lab's reconstructed vendors put a sign-in wall in front of a meeting; a request
carrying the site's `lab_account` cookie of a known account is past it (lab/vendors/
door.py). A key stores a sign-in holding that cookie over the API; its bots, sent over
the API to a worker of the stack, get in, and nobody else's do.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Playwright

from bridge_worker.bot_devices import bot_devices, signed_in
from lab.api_client import wait_for_state
from lab.bots import bot_settings
from lab.meeting import LabMeeting
from lab.stack import running_stack
from lab.vendors.door import SIGN_IN_COOKIE, Wall
from lab.vendors.reconstructions import ALL
from lab.vendors.site import LabVendorSite
from meetbridge.lifecycle import BotState
from meetbridge.vendor_sessions import StorageState

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
TEAMS = "https://teams.microsoft.com"


def storage_state(account: str, local_value: str, domain: str = "teams.microsoft.com") -> dict:
    """What Playwright's context.storage_state() gives after signing in to the lab's Teams."""
    return {
        "cookies": [
            {
                "name": SIGN_IN_COOKIE,
                "value": account,
                "domain": domain,
                "path": "/",
                "expires": -1,
                "httpOnly": False,
                "secure": True,
                "sameSite": "Lax",
            }
        ],
        "origins": [
            {"origin": TEAMS, "localStorage": [{"name": "lab_token", "value": local_value}]}
        ],
    }


async def ended(api: httpx.AsyncClient, bot_id: str) -> dict[str, Any]:
    return await wait_for_state(api, bot_id, BotState.ENDED, BotState.FAILED, timeout_s=60)


async def send(api: httpx.AsyncClient, url: str) -> str:
    created = await api.post("/v1/bots", json={"meeting_url": url, "display_name": "signedbot"})
    assert created.status_code == 202, created.text
    return created.json()["id"]


@pytest.mark.timeout(360)
async def test_a_stored_sign_in_is_used_for_its_vendor_and_key_only_never_shown_or_logged(
    tmp_path: Path,
) -> None:
    account, local_value = f"acct-{secrets.token_hex(16)}", f"local-{secrets.token_hex(16)}"
    folder = tmp_path / "stack"
    async with contextlib.AsyncExitStack() as stack:
        meeting = await stack.enter_async_context(LabMeeting())
        site = await stack.enter_async_context(LabVendorSite(tmp_path / "site", ALL))
        assert site.tls is not None
        teams = site.open_meeting("teams", meeting.janus.http_url, meeting.room, wall=Wall.SIGN_IN)
        meet = site.open_meeting(
            "google_meet", meeting.janus.http_url, meeting.room, wall=Wall.SIGN_IN
        )
        for room in (teams, meet):  # the account would get into either
            room.door.add_account(account)
        services = await stack.enter_async_context(running_stack(folder, workers=0))
        services.env["MEETBRIDGE_LAB_TRUSTED_SPKI"] = json.dumps([site.tls.ca_spki])
        await services.start("worker0")
        a = await stack.enter_async_context(services.client(await services.new_key("a")))
        b = await stack.enter_async_context(services.client(await services.new_key("b")))

        stored = await a.post(
            "/v1/vendor-sessions",
            json={"vendor": "teams", "storage_state": storage_state(account, local_value)},
        )
        assert stored.status_code == 201, stored.text
        session = stored.json()
        assert session["vendor"] == "teams" and session["cookies"] == 1
        assert session["cookie_domains"] == ["teams.microsoft.com"]
        assert session["origins"] == [TEAMS] and session["local_storage_items"] == 1
        listed = await a.get("/v1/vendor-sessions")
        assert [s["id"] for s in listed.json()["sessions"]] == [session["id"]]
        assert (await b.get("/v1/vendor-sessions")).json() == {"sessions": []}
        for answer in (stored, listed):
            assert account not in answer.text and local_value not in answer.text

        # Key B has no sign-in: its bot meets the wall (and warms a Teams browser,
        # which key A's next bot takes, signed in on the spot).
        b_bot = await ended(b, await send(b, teams.url))
        assert (b_bot["state"], b_bot["reason"]) == ("failed", "sign_in_required")
        assert b_bot["signed_in"] is False

        a_bot_id = await send(a, teams.url)
        a_bot = await wait_for_state(a, a_bot_id, BotState.IN_MEETING, BotState.FAILED)
        assert (a_bot["state"], a_bot["signed_in"]) == ("in_meeting", True), a_bot
        assert (await a.delete(f"/v1/bots/{a_bot_id}")).status_code == 202
        assert (await ended(a, a_bot_id))["state"] == "ended"

        # Key A's sign-in is Teams': its Meet bot joins as a guest.
        a_meet = await ended(a, await send(a, meet.url))
        assert (a_meet["state"], a_meet["reason"], a_meet["signed_in"]) == (
            "failed",
            "sign_in_required",
            False,
        )

        # Only its own key may delete it; then A's bots are guests again.
        assert (await b.delete(f"/v1/vendor-sessions/{session['id']}")).status_code == 404
        assert (await a.delete(f"/v1/vendor-sessions/{session['id']}")).status_code == 204
        assert (await a.delete(f"/v1/vendor-sessions/{session['id']}")).status_code == 404
        assert (await a.get("/v1/vendor-sessions")).json() == {"sessions": []}
        after = await ended(a, await send(a, teams.url))
        assert (after["state"], after["reason"], after["signed_in"]) == (
            "failed",
            "sign_in_required",
            False,
        )
        session_key = services.env["MEETBRIDGE_SESSION_KEY"]

    logs = services.all_logs()
    assert f"session_id={session['id']}" in logs  # the worker said it signed in, and how
    for secret in (account, local_value, session_key):
        assert secret not in logs
    at_rest = b"".join(p.read_bytes() for p in (folder / "redis").rglob("*") if p.is_file())
    assert session["id"].encode() in at_rest  # the session was written to disk ...
    assert account.encode() not in at_rest and local_value.encode() not in at_rest  # sealed


async def test_the_api_refuses_sign_ins_it_cannot_use_and_never_echoes_their_values(
    api_only,
) -> None:
    secret = f"acct-{secrets.token_hex(16)}"
    token = await api_only.new_key("a")
    good = storage_state(secret, secret)
    bad_bodies = [
        ({"vendor": "skype", "storage_state": good}, 422, "skype"),
        (
            {"vendor": "teams", "storage_state": storage_state(secret, secret, ".google.com")},
            422,
            ".google.com",
        ),
        ({"vendor": "google_meet", "storage_state": good}, 422, "teams.microsoft.com"),
        ({"vendor": "teams", "storage_state": {"cookies": [{"value": secret}]}}, 422, "name"),
        ({"vendor": "teams", "storage_state": {"cookies": [], "origins": []}}, 422, "no cookies"),
        ({"vendor": "teams", "storage_state": good, "extra": secret}, 422, "extra"),
        ({"vendor": "teams"}, 422, "storage_state"),
    ]
    big = storage_state(secret, secret)
    big["origins"][0]["localStorage"] = [{"name": f"k{n}", "value": "x" * 4000} for n in range(200)]
    bad_bodies.append(({"vendor": "teams", "storage_state": big}, 413, "KiB"))
    async with api_only.client(token) as api:
        for body, code, mentions in bad_bodies:
            refused = await api.post("/v1/vendor-sessions", json=body)
            assert refused.status_code == code, (body, refused.text)
            assert mentions in refused.text and secret not in refused.text
        assert (await api.get("/v1/vendor-sessions")).json() == {"sessions": []}

        first = await api.post(
            "/v1/vendor-sessions", json={"vendor": "teams", "storage_state": good}
        )
        again = await api.post(
            "/v1/vendor-sessions", json={"vendor": "teams", "storage_state": good}
        )
        assert first.status_code == again.status_code == 201
        listed = (await api.get("/v1/vendor-sessions")).json()["sessions"]
        assert [s["id"] for s in listed] == [again.json()["id"]]  # one per vendor: replaced
        assert (await api.delete(f"/v1/vendor-sessions/{first.json()['id']}")).status_code == 404
        assert (await api.delete("/v1/vendor-sessions/" + "x" * 300)).status_code == 404
    async with api_only.client() as anonymous:
        assert (await anonymous.get("/v1/vendor-sessions")).status_code == 401
    assert secret not in api_only.all_logs()


async def test_the_bots_browser_holds_the_sign_in_on_its_own_origins_only(
    playwright: Playwright, tmp_path: Path
) -> None:
    """Cookies and localStorage put into a running browser (a warm one has opened
    nothing yet either) reach pages of their own origin, before the page's code runs."""
    state = StorageState.model_validate(storage_state("acct-1", "local-1"))
    async with LabVendorSite(tmp_path / "site", ALL) as site:
        assert site.tls is not None
        settings = bot_settings(lab_trusted_spki=[site.tls.ca_spki])
        async with signed_in(bot_devices(settings, playwright, "signin"), state) as devices:
            page = devices.page
            await page.goto(f"{TEAMS}/nothing-here")
            assert await page.evaluate("document.cookie") == f"{SIGN_IN_COOKIE}=acct-1"
            assert await page.evaluate("localStorage.getItem('lab_token')") == "local-1"
            await page.evaluate("localStorage.setItem('lab_token', 'changed by the page')")
            await page.reload()
            assert await page.evaluate("localStorage.getItem('lab_token')") == "changed by the page"
            await page.goto("https://meet.google.com/nothing-here")
            assert await page.evaluate("document.cookie") == ""
            assert await page.evaluate("localStorage.getItem('lab_token')") is None
