"""Join time over the API, and the API's latency while bots run.

Run inside the lab network namespace (`make bench`). Starts Redis, the API and a
worker as processes, one lab meeting with a person in it, then:
- join_s: POST /v1/bots to the `in_meeting` event, median of 5 joins after one
  warm-up join (the worker process and its Python imports are warm);
- first_event_ms: POST to the bot's first event on GET /v1/events, median;
- pickup_ms: POST to `booting` (the queue's share), median;
- post_p99_ms: p99 of POST /v1/bots latency in bursts of 50 concurrent refused
  POSTs (a disallowed URL), 10 bursts, while a bot is in its meeting (see
  bench.http_burst for why the client is bare asyncio).
Prints one JSON object on its last line.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from playwright.async_api import async_playwright

from bench.http_burst import burst_latencies
from bench.resources import scratch_dir
from lab.api_client import sse_events, wait_for_state
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.person import SimulatedPerson
from lab.stack import Stack, running_stack
from meetbridge.lifecycle import BotState
from meetbridge.logs import configure_logging

BAD = {"meeting_url": "http://169.254.169.254/latest/meta-data", "display_name": "x"}


async def one_join(stack: Stack, token: str, url: str, name: str) -> dict[str, float]:
    """Seconds from one bot's POST to its first event, to `booting` and to `in_meeting`."""
    seen: list[tuple[float, dict]] = []
    opened = asyncio.Event()

    async def listen() -> None:
        async with stack.client(token) as api:
            opened.set()
            async for event in sse_events(api):
                seen.append((time.perf_counter(), event))

    listener = asyncio.create_task(listen())
    await opened.wait()
    await asyncio.sleep(0.5)  # the stream is reading before the POST
    try:
        async with stack.client(token) as api:
            posted = time.perf_counter()
            response = await api.post("/v1/bots", json={"meeting_url": url, "display_name": name})
            bot_id = response.json()["id"]
            await wait_for_state(api, bot_id, BotState.IN_MEETING, timeout_s=60)
            await asyncio.sleep(0.5)  # let the stream deliver the event
            await api.delete(f"/v1/bots/{bot_id}")
            await wait_for_state(api, bot_id, BotState.ENDED, BotState.FAILED)
    finally:
        listener.cancel()
    marks: dict[str, float] = {}
    for at, event in seen:
        if event["bot_id"] == bot_id:
            marks.setdefault("first_event", at - posted)
            marks.setdefault(event["state"], at - posted)
    return marks


async def refused_post_latencies(stack: Stack, token: str) -> list[float]:
    return await burst_latencies(
        f"{stack.base_url}/v1/bots",
        json.dumps(BAD).encode(),
        {"Authorization": f"Bearer {token}"},
        concurrency=50,
        bursts=10,
        expect_status=422,
    )


async def main(joins: int = 5) -> dict[str, float | int]:
    require_lab_namespace()
    folder = scratch_dir("mb-bench-api-")
    async with running_stack(folder) as stack, async_playwright() as playwright:
        token = await stack.new_key("bench")
        async with (
            LabMeeting() as meeting,
            SimulatedPerson(playwright, "person", 440.0, (200, 0, 0), folder) as person,
        ):
            await person.join(meeting.url)
            await one_join(stack, token, meeting.url, "warmup")
            runs = [await one_join(stack, token, meeting.url, f"bot{i}") for i in range(joins)]
            async with stack.client(token) as api:
                running = (
                    await api.post(
                        "/v1/bots", json={"meeting_url": meeting.url, "display_name": "busy"}
                    )
                ).json()
                await wait_for_state(api, running["id"], BotState.IN_MEETING)
                latencies = sorted(await refused_post_latencies(stack, token))
                await api.delete(f"/v1/bots/{running['id']}")
                await wait_for_state(api, running["id"], BotState.ENDED, BotState.FAILED)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return {
        "join_s": round(statistics.median(r["in_meeting"] for r in runs), 3),
        "first_event_ms": round(1000 * statistics.median(r["first_event"] for r in runs), 1),
        "pickup_ms": round(1000 * statistics.median(r["booting"] for r in runs), 1),
        "post_p99_ms": round(1000 * p99, 1),
        "post_median_ms": round(1000 * statistics.median(latencies), 1),
        "joins": len(runs),
    }


if __name__ == "__main__":
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main())))
