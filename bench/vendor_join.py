"""Join time per reconstructed vendor: POST /v1/bots to `in_meeting`, over the API.

Run inside the lab network namespace (`make bench`). Starts Redis, the API and a
worker (trusting the lab's certificate authority) as processes, the reconstructed
vendors' server (lab/vendors/), and per vendor a lab meeting with a person in it and
that vendor's meeting on it, whose host admits at once. Then per vendor: one warm-up
join, then `--joins` joins one after the other, each from the POST to the
`in_meeting` state (polled every 50 ms), then a DELETE that waits for the bot's end.
Target: at most 3 s each at the median. Prints one JSON object on its last line:
per vendor the median and range in seconds, and the machine's busy cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time

import httpx
import psutil
from playwright.async_api import async_playwright

from bench.resources import scratch_dir
from lab.api_client import wait_for_state
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.person import SimulatedPerson
from lab.stack import running_stack
from lab.vendors.reconstructions import ALL
from lab.vendors.site import LabVendorSite
from meetbridge.lifecycle import BotState
from meetbridge.logs import configure_logging

TARGET_S = 3.0


async def one_join(api: httpx.AsyncClient, url: str, name: str) -> float:
    """Seconds from the POST to `in_meeting` (the bot then leaves and ends)."""
    posted = time.perf_counter()
    created = (await api.post("/v1/bots", json={"meeting_url": url, "display_name": name})).json()
    while True:
        bot = (await api.get(f"/v1/bots/{created['id']}")).json()
        if bot["state"] == BotState.IN_MEETING:
            joined = time.perf_counter() - posted
            break
        if bot["state"] in (BotState.FAILED, BotState.ENDED):
            raise RuntimeError(f"{name} did not join: {bot['reason']} {bot['detail']}")
        await asyncio.sleep(0.05)
    await api.delete(f"/v1/bots/{created['id']}")
    await wait_for_state(api, created["id"], BotState.ENDED, BotState.FAILED)
    return joined


async def main(joins: int) -> dict[str, object]:
    require_lab_namespace()
    folder = scratch_dir("mb-bench-vendor-join-")
    figures: dict[str, object] = {}
    async with contextlib.AsyncExitStack() as stack:
        site = await stack.enter_async_context(LabVendorSite(folder / "site", ALL))
        assert site.tls is not None
        services = await stack.enter_async_context(running_stack(folder / "stack", workers=0))
        services.env["MEETBRIDGE_LAB_TRUSTED_SPKI"] = json.dumps([site.tls.ca_spki])
        await services.start("worker0")
        api = await stack.enter_async_context(services.client(await services.new_key("bench")))
        playwright = await stack.enter_async_context(async_playwright())
        psutil.cpu_percent()
        for reconstruction in ALL:
            vendor = reconstruction.vendor
            meeting = await stack.enter_async_context(LabMeeting())
            person = await stack.enter_async_context(
                SimulatedPerson(playwright, f"{vendor[:4]}person", 440.0, (200, 0, 0), folder)
            )
            await person.join(meeting.url)
            url = site.open_meeting(vendor, meeting.janus.http_url, meeting.room).url
            await one_join(api, url, "warmup")
            times = [await one_join(api, url, f"bench{i}") for i in range(joins)]
            figures[vendor] = {
                "join_s": round(statistics.median(times), 3),
                "join_s_range": [round(min(times), 3), round(max(times), 3)],
                "within_target": statistics.median(times) <= TARGET_S,
            }
        busy = psutil.cpu_percent() / 100 * (psutil.cpu_count() or 1)
    return {"vendors": figures, "joins": joins, "machine_busy_cores": round(busy, 2)}


if __name__ == "__main__":
    configure_logging("WARNING")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--joins", type=int, default=5, help="timed joins per vendor")
    print(json.dumps(asyncio.run(main(parser.parse_args().joins))))
