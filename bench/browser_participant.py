"""Mouth-to-ear between a guest on meetbridge's join page and a person in a lab meeting,
both ways, next to that meeting's own person-to-person latency, in the same run.

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.browser_participant`.

The scene: the stack with a room Janus; one lab meeting with ann (440 Hz bursts, red
flashes) and annear (a steady 1 kHz tone, a small black picture) in it, and a bot,
`toann`, sent there through the API; a room of that bot, an invite, and a guest who
joins through it on the join page in headless Chromium (700 Hz bursts, green). Once
the guest is in, the room's media meets in the room Janus (a browser reaches nothing
else): ann's meeting -> the bot's browser -> the bot's AudioBridge seat -> the guest,
and back.

Every burst is timed where it is said and where it is heard, in the speaker's and
the listener's own pages, on this one machine's clock: a person's page records its own
microphone track as sent and each participant's track as received
(lab/videoroom_page.js); the guest's page the same for its microphone and the room's
mix it plays (lab/guest_page.js, an init script that only watches). "Mouth" is the
captured track as the page has it (after the browser's voice processing), "ear" the
received track as it would play (after the jitter buffer), so the device buffers of a
real microphone and speaker are not in the figures. The bursts come from Chromium's
fake microphone looping a WAV file (lab/media.py's pulse_wav), as for the lab people;
the sender's recording fixes their phase (lab/onsets.py: burst_delays).
- guest_to_person_ms: the guest's bursts to ann (through the room and the bot);
- person_to_guest_ms: ann's bursts to the guest's mix;
- person_to_person_ms: ann's bursts to annear, the meeting's own hop, recorded in the
  same windows.
Each is the median (and range) of the first `--samples` bursts timed (recordings are
repeated until each direction has that many, at most a few times). The machine's busy
cores are measured over the recordings; `saturated` when at least 90 % of the cores
were busy: the figures then measure a starved machine. Four browsers (two people, the
guest, the bot) share the machine: run it alone. MEETBRIDGE_* settings in the
environment are passed to the stack. Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.async_api import Page, Playwright, async_playwright

from bench.figures import median_ms, range_ms
from bench.resources import machine_busy, scratch_dir
from bridge_worker.settings import WorkerSettings
from lab.guest_page import guest_page, guest_timings, phase
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.onsets import burst_delays
from lab.person import SimulatedPerson
from lab.room_scene import SMALL_VIDEO, end_bots, eventually, room_stack, send_bots
from meetbridge.logs import configure_logging

PERIOD_S, ON_S = 2.0, 0.3  # a burst every 2 s: a delay over 1.9 s is not taken for the next
MAX_DELAY_MS = PERIOD_S * 1000 - 100
ANN_HZ, ANNEAR_HZ, GUEST_HZ = 440.0, 1000.0, 700.0
ANN_COLOUR, ANNEAR_COLOUR, GUEST_COLOUR = (220, 0, 0), (0, 0, 0), (0, 200, 0)
BOT = "toann"  # the bot's name in ann's meeting (lab.room_scene.send_bots)
MAX_ROUNDS = 4
DIRECTIONS = ("guest_to_person_ms", "person_to_guest_ms", "person_to_person_ms")


@dataclass
class GuestScene:
    api: httpx.AsyncClient
    room_id: str
    ann: SimulatedPerson
    annear: SimulatedPerson
    guest: Page


@contextlib.asynccontextmanager
async def guest_scene(
    folder: Path, playwright: Playwright, env: dict[str, str]
) -> AsyncIterator[GuestScene]:
    """The stack and a room Janus, ann's meeting with ann and annear in it, a bot there
    in a room, and the guest joined through an invite (all stopped at the end)."""
    media = folder / "media"
    async with contextlib.AsyncExitStack() as stack:
        _services, api = await stack.enter_async_context(room_stack(folder / "stack", env=env))
        meeting = await stack.enter_async_context(LabMeeting())
        ann = await stack.enter_async_context(
            SimulatedPerson(playwright, "ann", ANN_HZ, ANN_COLOUR, media, pulse=(PERIOD_S, ON_S))
        )
        annear = await stack.enter_async_context(
            SimulatedPerson(
                playwright, "annear", ANNEAR_HZ, ANNEAR_COLOUR, media, video_size=SMALL_VIDEO
            )
        )
        await ann.join(meeting.url)
        await annear.join(meeting.url)
        await annear.wait_for_participant("ann")
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await send_bots(api, {"ann": meeting.url}, bots)
        await ann.wait_for_participant(BOT, 30)
        created = await api.post("/v1/rooms", json={"bots": [bots["ann"]]})
        created.raise_for_status()
        room_id = created.json()["id"]
        made = await api.post(f"/v1/rooms/{room_id}/invites", json={"expires_in_s": 3600})
        made.raise_for_status()
        guest, errors = await stack.enter_async_context(
            guest_page(
                playwright,
                media,
                made.json()["url"],
                GUEST_HZ,
                GUEST_COLOUR,
                pulse=(PERIOD_S, ON_S),
                timed=True,
            )
        )
        await phase(guest, "lobby")
        await guest.fill("#name", "Gus")
        await guest.click("#join")
        state = await phase(guest, "joined", "problem", timeout_s=30)
        if state["phase"] != "joined":
            raise RuntimeError(f"the guest did not join: {state} {errors}")
        yield GuestScene(api, room_id, ann, annear, guest)


async def _round(scene: GuestScene, seconds: float) -> dict[str, list[float]]:
    """Every direction's burst delays over one recording of `seconds` at all ends."""
    ann_sent, ann_heard, annear_heard, guest_sent, guest_heard = await asyncio.gather(
        scene.ann.timings(None, seconds),
        scene.ann.timings(BOT, seconds),
        scene.annear.timings("ann", seconds),
        guest_timings(scene.guest, "sent", seconds),
        guest_timings(scene.guest, "heard", seconds),
    )
    period, most = PERIOD_S * 1000, MAX_DELAY_MS
    return {
        "guest_to_person_ms": burst_delays(guest_sent, ann_heard, GUEST_HZ, period, most),
        "person_to_guest_ms": burst_delays(ann_sent, guest_heard, ANN_HZ, period, most),
        "person_to_person_ms": burst_delays(ann_sent, annear_heard, ANN_HZ, period, most),
    }


async def _flowing(scene: GuestScene) -> None:
    """Until a short recording times a burst in every direction (media has crossed)."""

    async def every_direction() -> bool:
        found = await _round(scene, 3 * PERIOD_S)
        return all(found[direction] for direction in DIRECTIONS)

    await eventually(every_direction, 90)


async def _measure(scene: GuestScene, samples: int) -> dict[str, list[float]]:
    """At least `samples` delays per direction where the recordings allow (a round of
    `samples` + 2 bursts each, at most MAX_ROUNDS rounds)."""
    found: dict[str, list[float]] = {direction: [] for direction in DIRECTIONS}
    for _ in range(MAX_ROUNDS):
        got = await _round(scene, (samples + 2) * PERIOD_S)
        for direction in DIRECTIONS:
            found[direction] += got[direction]
        if all(len(found[direction]) >= samples for direction in DIRECTIONS):
            break
    return {direction: delays[:samples] for direction, delays in found.items()}


async def main(samples: int, settle_s: float) -> dict[str, object]:
    require_lab_namespace()
    env = {k: v for k, v in os.environ.items() if k.startswith("MEETBRIDGE_")}
    env["MEETBRIDGE_WARM_POOL_SIZE"] = "0"  # only the bot in ann's meeting
    # The worker checks its bot's page and beats as deployed, not as often as the
    # tests' stack has it.
    for setting in ("status_interval_s", "heartbeat_interval_s"):
        default = WorkerSettings.model_fields[setting].default
        env.setdefault(f"MEETBRIDGE_{setting.upper()}", str(default))
    folder = scratch_dir("mb-bench-browser-participant-")
    async with async_playwright() as playwright, guest_scene(folder, playwright, env) as scene:
        await _flowing(scene)
        await asyncio.sleep(settle_s)  # the guest's and the room's start-up load passes
        found, machine = await machine_busy(_measure(scene, samples))
        room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
        path = (room["members"][0].get("media") or {}).get("path")
    figures: dict[str, object] = {
        direction: {"median": median_ms(delays), "range": range_ms(delays)}
        for direction, delays in found.items()
    }
    return {
        **figures,
        "samples": samples,
        "timed": {direction: len(delays) for direction, delays in found.items()},
        "path": path,
        "burst_period_s": PERIOD_S,
        **machine,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10, help="bursts timed per direction")
    parser.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="seconds from the media crossing to the recordings (start-up passes)",
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.samples, args.settle))))
