"""What the virtual room adds: latency, A/V offset, removal time and cost per bridged bot.

Run inside the lab network namespace: `make bench` or
`infra/lab/netns-run .venv/bin/python -m bench.bridge_latency`.

The scene: two lab meetings on two Janus servers. In ann's: ann, who sends tone
bursts and white flashes on black (onsets), and a listener, annear (a steady tone,
a small black picture). In bob's: bob, who listens. One bot per meeting, sent
through the API to one worker, both put in a room on a third Janus. Every browser
runs on this machine's clock, so an onset is timed where it is sent (ann's own
track) and wherever it arrives:
- direct_ms: ann's onset heard by annear, in the same meeting;
- bridge_ms: the same onset heard by bob, in the other meeting (from the bot there);
- bridge_added_ms = bridge_ms - direct_ms - bob's meeting's own direct latency,
  taken equal to direct_ms (the same Janus build, page and load: a fourth browser
  to measure it would starve this 2-core machine and skew every figure);
- av_offset_ms: video delay minus audio delay across the bridge, end to end
  (positive: the sound comes first; ITU-R BT.1359 detectability +45 / -125);
- removal_ms: from DELETE of ann's bot until annear's steady tone stops reaching
  bob's meeting (it includes the sound still in flight);
- cpu_cores, pss_mb: the worker's whole process tree (both bots: browsers, displays,
  PulseAudio daemons, capture and wiring) divided by the two bridged bots.
All latencies are medians over every onset of the recording (at least 10 asked).
Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
from playwright.async_api import async_playwright

from bench.resources import TreeSampler
from meetbridge.logs import configure_logging
from tests.integration.room_scene import Scene, eventually, room_scene
from tests.lab.netns import require_lab_namespace
from tests.lab.onsets import (
    band_envelope,
    delays,
    flash_onsets,
    periodic_schedule,
    tone_onsets,
)
from tests.lab.videoroom_page import Timings

PERIOD_S, ON_S = 1.5, 0.3  # a burst and a flash every 1.5 s: no latency here comes near
MAX_DELAY_MS = 1200.0
WHITE = (255, 255, 255)
PEOPLE = {"ann": (440.0, WHITE), "bob": (1000.0, (0, 0, 220))}
PULSE = {"ann": (PERIOD_S, ON_S)}
LISTENER_TONES = {"ann": 2500.0}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _sent_schedule(onsets: list[float], sent: Timings) -> list[float]:
    end = sent.start_ms + sent.samples.size * 1000.0 / sent.rate
    return periodic_schedule(onsets, PERIOD_S * 1000, sent.start_ms, end)


def _audio(sent: Timings, got: Timings, freq_hz: float) -> list[float]:
    emitted = tone_onsets(sent.samples, sent.rate, sent.start_ms, freq_hz)
    return delays(
        _sent_schedule(emitted, sent),
        tone_onsets(got.samples, got.rate, got.start_ms, freq_hz),
        MAX_DELAY_MS,
    )


def _video(sent: Timings, got: Timings) -> list[float]:
    emitted = _sent_schedule(flash_onsets(sent.frames), sent)
    return delays(emitted, flash_onsets(got.frames), MAX_DELAY_MS)


def _worker_pids() -> list[int]:
    """The stack's Celery worker processes (their trees hold the bots)."""
    return [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if "meetbridge.cli" in (p.info["cmdline"] or []) and "worker" in p.info["cmdline"]
    ]


async def _record(scene: Scene, seconds: float) -> dict[str, Timings]:
    ann, annear, bob = scene.people["ann"], scene.listeners["ann"], scene.people["bob"]
    sent, direct, bridged = await asyncio.gather(
        ann.timings(None, seconds), annear.timings("ann", seconds), bob.timings("tobob", seconds)
    )
    return {"sent": sent, "direct": direct, "bridged": bridged}


def _latencies(r: dict[str, Timings]) -> dict[str, object]:
    tone = PEOPLE["ann"][0]
    direct = _audio(r["sent"], r["direct"], tone)
    bridge = _audio(r["sent"], r["bridged"], tone)
    video_direct = _video(r["sent"], r["direct"])
    video_bridge = _video(r["sent"], r["bridged"])

    def offset(video: list[float], audio: list[float]) -> float | None:
        if not (video and audio):
            return None
        return round(statistics.median(video) - statistics.median(audio), 1)

    added = None
    if bridge and direct:
        added = round(statistics.median(bridge) - 2 * statistics.median(direct), 1)
    return {
        "direct_ms": _median(direct),
        "bridge_ms": _median(bridge),
        "bridge_added_ms": added,
        "av_offset_ms": offset(video_bridge, bridge),
        "onsets": min(len(direct), len(bridge), len(video_bridge)),
        "detail": {
            "video_direct_ms": _median(video_direct),
            "video_bridge_ms": _median(video_bridge),
            "av_offset_ms_direct": offset(video_direct, direct),
            "bridge_ms_range": [round(min(bridge)), round(max(bridge))] if bridge else None,
            "video_bridge_ms_range": [round(min(video_bridge)), round(max(video_bridge))]
            if video_bridge
            else None,
        },
    }


async def _removal_ms(scene: Scene) -> float | None:
    """DELETE ann's bot from the room while bob's listener records what it hears from
    the bot in bob's meeting; the time until ann's listener's steady tone is gone."""
    room_id = scene.room_id
    recording = asyncio.create_task(scene.people["bob"].timings("tobob", 6.0))
    await asyncio.sleep(2.0)
    removed_at = time.time() * 1000
    await scene.api.delete(f"/v1/rooms/{room_id}/bots/{scene.bots['ann']}")
    got = await recording
    envelope = band_envelope(got.samples, got.rate, LISTENER_TONES["ann"])
    times = got.start_ms + np.arange(envelope.size) * 1000.0 / got.rate
    level = np.median(envelope[times < removed_at])
    still = np.flatnonzero((times >= removed_at) & (envelope > level / 2))
    if level <= 0 or still.size == 0:
        return None
    if times[still[-1]] >= times[-1] - 50:
        return None  # never stopped within the recording
    return round(float(times[still[-1]] - removed_at), 1)


async def main(seconds: float) -> dict[str, object]:
    require_lab_namespace()
    media = Path(tempfile.mkdtemp(prefix="mb-bench-media-"))
    folder = Path(tempfile.mkdtemp(prefix="mb-bench-stack-"))
    env = {"MEETBRIDGE_WARM_POOL_SIZE": "0"}  # only the two bridged bots in the worker
    async with (
        async_playwright() as playwright,
        room_scene(
            folder,
            playwright,
            media,
            PEOPLE,
            env=env,
            pulse=PULSE,
            listener_tones=LISTENER_TONES,
        ) as scene,
    ):
        created = await scene.api.post("/v1/rooms", json={"bots": list(scene.bots.values())})
        created.raise_for_status()
        scene.room_id = created.json()["id"]

        async def flowing() -> bool:
            room = await scene.api.get(f"/v1/rooms/{scene.room_id}")
            return bool(room.json()["media_flowing"])

        await eventually(flowing, 60)
        room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
        path = room["members"][0]["media"]["path"]
        await asyncio.sleep(3)  # past the start-up: buffers settle, key frames arrive
        workers = _worker_pids()
        sampler = TreeSampler(lambda: workers, descendants=True)
        recordings, _ = await asyncio.gather(_record(scene, seconds), sampler.run_for(seconds))
        result = _latencies(recordings)
        removal = await _removal_ms(scene)
    bots = len(PEOPLE)
    return {
        **{k: v for k, v in result.items() if k != "detail"},
        "removal_ms": removal,
        "cpu_cores": round(sampler.cpu_cores / bots, 3),
        "pss_mb": round(sampler.pss_mib / bots, 1),
        "recorded_s": seconds,
        "path": path,
        **result["detail"],  # type: ignore[dict-item]
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="recording length")
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.seconds))))
