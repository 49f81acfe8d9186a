"""Bad input gets a clear 4xx and changes nothing: no bot record, nothing queued."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from meetbridge.records import ALL_BOTS
from orchestrator.queue import BOT_QUEUE

pytestmark = [pytest.mark.integration]

GOOD = {"meeting_url": "http://127.0.0.1:8088/videoroomtest.html?room=1234", "display_name": "bot"}

BAD_BODIES = [
    ({**GOOD, "meeting_url": "not a url"}, 422, "meeting"),
    ({**GOOD, "meeting_url": "https://zoom.us/j/123", "vendor": "janus"}, 422, "janus"),
    ({**GOOD, "meeting_url": "http://127.0.0.2:8080/x"}, 422, ""),
    ({**GOOD, "meeting_url": "http://localhost/videoroomtest.html", "vendor": "janus"}, 422, ""),
    ({**GOOD, "meeting_url": "http://169.254.169.254/latest/meta-data"}, 422, ""),
    ({**GOOD, "meeting_url": "file:///etc/passwd"}, 422, "file"),
    ({**GOOD, "meeting_url": "javascript:alert(1)"}, 422, "javascript"),
    ({**GOOD, "meeting_url": "https://" + "a" * 3000 + ".com/"}, 422, ""),
    ({**GOOD, "display_name": "x" * 65}, 422, "display_name"),
    ({**GOOD, "display_name": ""}, 422, "display_name"),
    ({**GOOD, "display_name": "bridge-one"}, 422, "letters and digits"),
    ({**GOOD, "vendor": "skype"}, 422, "skype"),
    ({**GOOD, "surprise": 1}, 422, "surprise"),
    ({"display_name": "bot"}, 422, "meeting_url"),
    ({**GOOD, "auto_leave": {"max_duration_s": 86401}}, 422, "max_duration_s"),
    ({**GOOD, "auto_leave": {"nobody_joined_after_s": 0}}, 422, "nobody_joined_after_s"),
    ({**GOOD, "auto_leave": {"alone_timeout_s": 5}}, 422, "alone_timeout_s"),
]


async def _nothing_changed(stack) -> None:
    client = aioredis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        assert await client.zcard(ALL_BOTS) == 0
        assert await client.llen(BOT_QUEUE) == 0
    finally:
        await client.aclose()


@pytest.mark.parametrize(("body", "status", "mentions"), BAD_BODIES)
async def test_bad_bodies_are_refused_clearly(api_only, body, status, mentions) -> None:
    token = await api_only.new_key()
    async with api_only.client(token) as api:
        response = await api.post("/v1/bots", json=body)
    assert response.status_code == status, response.text
    text = response.text
    assert mentions.lower() in text.lower()
    assert "Traceback" not in text and "a" * 100 not in text  # no echo of the input
    await _nothing_changed(api_only)


async def test_wrong_or_missing_key_is_401_and_queues_nothing(api_only) -> None:
    for headers in ({}, {"Authorization": "Bearer mbk_nope_nope"}, {"Authorization": "Basic x"}):
        async with api_only.client() as api:
            response = await api.post("/v1/bots", json=GOOD, headers=headers)
            assert response.status_code in (401, 403), response.text
            assert (await api.get("/v1/bots", headers=headers)).status_code in (401, 403)
    await _nothing_changed(api_only)


async def test_another_keys_bot_is_404_and_untouched(api_only) -> None:
    mine, theirs = await api_only.new_key("mine"), await api_only.new_key("theirs")
    async with api_only.client(mine) as api:
        created = await api.post("/v1/bots", json=GOOD)
        assert created.status_code == 202, created.text
        bot_id = created.json()["id"]
    async with api_only.client(theirs) as api:
        for method in ("GET", "DELETE"):
            response = await api.request(method, f"/v1/bots/{bot_id}")
            assert response.status_code == 404, response.text
        assert (await api.get(f"/v1/bots/{bot_id}/screenshot")).status_code == 404
        assert (await api.get("/v1/bots")).json() == {"bots": []}
        assert (await api.get("/v1/bots/bot_unknown")).status_code == 404
    async with api_only.client(mine) as api:
        assert (await api.get(f"/v1/bots/{bot_id}")).json()["state"] == "queued"


async def test_health_needs_no_key_and_metrics_count_bots(api_only) -> None:
    async with api_only.client() as api:
        assert (await api.get("/healthz")).json() == {"status": "ok"}
        metrics = (await api.get("/metrics")).text
    assert 'meetbridge_bots{state="queued"} 0.0' in metrics
