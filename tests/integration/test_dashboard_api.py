"""What the dashboard asks of the API beyond the bots and rooms routes: a link checked
as POST /v1/bots would check it (nothing queued), the key's rooms, and the page and
its assets served from the package."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio as aioredis

from lab.room_scene import room_stack
from meetbridge.records import ALL_BOTS
from orchestrator.queue import BOT_QUEUE

pytestmark = [pytest.mark.integration]

LAB_LINK = "http://127.0.0.1:8088/videoroomtest.html?room=1234"


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (
            {"meeting_url": LAB_LINK},
            {"vendor": "janus", "vendor_title": "Janus (lab)", "meeting_host": "127.0.0.1"},
        ),
        (
            {"meeting_url": "https://us02web.zoom.us/j/81234567890?pwd=s3cretpass"},
            {"vendor": "zoom", "vendor_title": "Zoom"},
        ),
        (
            {"meeting_url": " https://meet.google.com/abc-defg-hij ", "display_name": "Bridge"},
            {"vendor": "google_meet", "join_url": "https://meet.google.com/abc-defg-hij"},
        ),
    ],
)
async def test_a_link_is_recognised_and_shown_with_its_passcode_masked(
    api_only, body: dict, answer: dict
) -> None:
    async with api_only.client(await api_only.new_key()) as api:
        response = await api.post("/v1/meeting-links/check", json=body)
    assert response.status_code == 200, response.text
    assert answer.items() <= response.json().items()
    assert "s3cret" not in response.text
    await _nothing_queued(api_only)


@pytest.mark.parametrize(
    "body",
    [
        {"meeting_url": "https://zoom.us/j/123", "vendor": "janus"},
        {"meeting_url": "http://169.254.169.254/latest/meta-data"},
        {"meeting_url": "file:///etc/passwd"},
        {"meeting_url": "https://meet.google.com.evil.example/abc-defg-hij"},
        {"meeting_url": LAB_LINK, "display_name": "bridge-one"},  # janus: letters and digits
        {"meeting_url": LAB_LINK, "vendor": "skype"},
    ],
)
async def test_a_refused_link_gets_the_message_post_bots_gives(api_only, body: dict) -> None:
    async with api_only.client(await api_only.new_key()) as api:
        checked = await api.post("/v1/meeting-links/check", json=body)
        sent = await api.post("/v1/bots", json={"display_name": "bridge", **body})
    assert checked.status_code == sent.status_code == 422, checked.text
    assert checked.json() == sent.json()
    await _nothing_queued(api_only)


async def test_checking_a_link_needs_a_key(api_only) -> None:
    async with api_only.client("mbk_nope_nope") as api:
        response = await api.post("/v1/meeting-links/check", json={"meeting_url": LAB_LINK})
    assert response.status_code == 401


async def test_the_keys_rooms_newest_first_closed_ones_included(tmp_path: Path) -> None:
    async with room_stack(tmp_path, workers=0) as (services, api):
        bots = []
        for n in range(3):
            created = await api.post(
                "/v1/bots", json={"meeting_url": LAB_LINK, "display_name": f"bot{n}"}
            )
            bots.append(created.json()["id"])
        assert (await api.get("/v1/rooms")).json() == {"rooms": []}
        first = (await api.post("/v1/rooms", json={"bots": bots[:2]})).json()
        second = (await api.post("/v1/rooms", json={"bots": bots[2:]})).json()
        assert (await api.delete(f"/v1/rooms/{first['id']}")).status_code == 200

        listed = (await api.get("/v1/rooms")).json()["rooms"]
        assert [r["id"] for r in listed] == [second["id"], first["id"]]
        assert [r["closed"] for r in listed] == [False, True]
        assert [m["bot_id"] for m in listed[0]["members"]] == bots[2:]
        assert listed[0]["members"][0]["audio_level_dbfs"] is None  # no worker: no seat

        async with services.client(await services.new_key("other")) as other:
            assert (await other.get("/v1/rooms")).json() == {"rooms": []}
        async with services.client() as nobody:
            assert (await nobody.get("/v1/rooms")).status_code == 401


async def test_the_page_and_its_assets_come_from_the_package(api_only) -> None:
    async with api_only.client() as browser:
        page = await browser.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        for asset in ("app.js", "app.css"):
            served = await browser.get(f"/static/dashboard/{asset}")
            assert (
                served.status_code == 200
                and served.content == (Path("orchestrator/web") / asset).read_bytes()
            )
        assert (await browser.get("/static/dashboard/../app.py")).status_code == 404
    assert "http" not in _external_references()


def _external_references() -> str:
    """Every absolute URL the dashboard's files name (none: it works offline)."""
    import re

    found = []
    for path in Path("orchestrator/web").iterdir():
        text = path.read_text()
        found += re.findall(r"""(?:src|href)\s*=\s*["'](https?:[^"']*)""", text)
        found += re.findall(r"""url\(\s*["']?(https?:[^)"']*)""", text)
        found += re.findall(r"""import[^;]*from\s*["'](https?:[^"']*)""", text)
    return " ".join(found)


async def _nothing_queued(stack) -> None:
    client = aioredis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        assert await client.zcard(ALL_BOTS) == 0
        assert await client.llen(BOT_QUEUE) == 0
    finally:
        await client.aclose()
