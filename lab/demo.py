"""`make demo`: two meetings that cannot reach each other, bridged by meetbridge.

From nothing, inside the lab's network namespace: the stack (Redis, API, a worker,
the room Janus), two lab meetings on two separate Janus servers ("two vendors"),
ann in the first (440 Hz, red) and bob in the second (1000 Hz, blue), plus annear
in ann's meeting, who sends 2 kHz bursts (onsets to time the bridge by). A bot goes
into each meeting through the HTTP API; then one API call puts both into a room.
Prints, before and after, what each person hears (dominant frequency) and sees
(the colour of the bot's picture), the end-to-end latency from ann's meeting to
bob's, and writes a screenshot of each person's page. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
from pathlib import Path

from playwright.async_api import async_playwright

from lab.media import closest_colour_name
from lab.netns import require_lab_namespace
from lab.onsets import burst_delays
from lab.person import SimulatedPerson
from lab.room_scene import Scene, eventually, room_scene
from meetbridge.logs import configure_logging

OUT = Path(".run/demo")
PEOPLE = {"ann": (440.0, (220, 0, 0)), "bob": (1000.0, (0, 0, 220))}
CLOCK_HZ, PERIOD_S, ON_S = 2000.0, 1.5, 0.3
# A jitter buffer stretching audio on a busy host moves the peak (462 Hz heard for
# 440 in a starved run); the tones (440, 1000, 2000 Hz) stay far apart.
TONE_TOLERANCE_HZ = 30


def say(text: str) -> None:
    print(text, flush=True)


async def _hears(person: SimulatedPerson, bot: str) -> float | None:
    return await person.heard_frequency_from(bot, 1.5)


async def _sees(person: SimulatedPerson, bot: str) -> str:
    try:
        return closest_colour_name(await person.seen_colour(bot))
    except LookupError:
        return "no picture"


async def report(scene: Scene, when: str) -> bool:
    """Print what each person hears and sees of the bot in their meeting; True when
    each hears and sees the other person."""
    bridged = True
    for name, person in scene.people.items():
        bot = f"to{name}"
        hears, sees = await _hears(person, bot), await _sees(person, bot)
        heard = "silence" if hears is None else f"{hears:.0f} Hz"
        say(f"  {when:7s} {name} hears {heard:>9s} and sees {sees} from the bot in the meeting")
        other = next(p for n, p in scene.people.items() if n != name)
        bridged &= hears is not None and abs(hears - other.tone_hz) < TONE_TOLERANCE_HZ
        bridged &= sees == other.colour_name
    return bridged


async def latency_ms(scene: Scene, seconds: float = 8.0) -> float | None:
    """Median delay of annear's bursts from annear's own track to bob's ears (through
    ann's meeting, the bot there, the room, the bot in bob's meeting, bob's meeting)."""
    clock, bob = scene.listeners["ann"], scene.people["bob"]
    sent, got = await asyncio.gather(clock.timings(None, seconds), bob.timings("tobob", seconds))
    found = burst_delays(sent, got, CLOCK_HZ, PERIOD_S * 1000, max_ms=PERIOD_S * 1000 - 100)
    return round(statistics.median(found)) if found else None


async def demo(once: bool) -> int:
    require_lab_namespace()
    for folder in (OUT / "stack", OUT / "media"):
        folder.mkdir(parents=True, exist_ok=True)
    say("meetbridge demo: starting the stack, two meetings, three people, two bots ...")
    async with (
        async_playwright() as playwright,
        room_scene(
            OUT / "stack",
            playwright,
            OUT / "media",
            PEOPLE,
            pulse={"annear": (PERIOD_S, ON_S)},
            listener_tones={"ann": CLOCK_HZ},
        ) as scene,
    ):
        for name, url in scene.meetings.items():
            say(f"  {name} is in the meeting at {url}")
        say("Before the room (the meetings know nothing of each other):")
        await report(scene, "before")
        created = await scene.api.post("/v1/rooms", json={"bots": list(scene.bots.values())})
        created.raise_for_status()
        scene.room_id = created.json()["id"]
        say(f"Room {scene.room_id} created (POST /v1/rooms); waiting for media ...")

        async def flowing() -> bool:
            room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
            return bool(room["media_flowing"])

        await eventually(flowing, 60)
        room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
        say(f"  room health {room['health']}, audio path {room['members'][0]['media']['path']}")
        while True:
            bridged = await report(scene, "bridged")
            say(f"  latency ann's meeting -> bob's meeting: {await latency_ms(scene)} ms")
            for name, person in scene.people.items():
                await person.screenshot(OUT / f"{name}.png")
            say(f"  screenshots: {OUT}/ann.png, {OUT}/bob.png")
            if once:
                break
            say("Ctrl-C stops everything.")
            await asyncio.sleep(10)
    say("stopped: bots left, meetings, browsers and servers are down.")
    return 0 if bridged else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--once", action="store_true", help="report once, then stop")
    args = parser.parse_args()
    configure_logging("WARNING")
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(demo(args.once))
    return 130


if __name__ == "__main__":
    sys.exit(main())
