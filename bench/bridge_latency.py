"""What the virtual room adds: latency, A/V offset, removal time and cost per bridged bot.

Run inside the lab network namespace: `make bench` or
`infra/lab/netns-run .venv/bin/python -m bench.bridge_latency`.

The scene: two lab meetings on two Janus servers; in ann's, ann (tone bursts and
white flashes on black: onsets) and a listener, annear; in bob's, bob (a steady
1 kHz tone). One bot per meeting, sent through the API to one worker. Every
browser runs on this machine's clock, so an onset is timed where it is sent (ann's
own track) and wherever it arrives. In three phases, so that no more browsers run
than a phase needs (three people and two bots saturate a 2-core machine, and a
starved receiver's jitter buffer grows: the figures would measure the machine):
1. before any bot: direct_ms, ann's onsets heard by annear (then annear leaves and
   the bots are sent in): the meetings' own latency on a machine that is not busy;
2. the room: bridge_ms, the same onsets heard by bob from the bot in his meeting;
   bridge_added_ms = bridge_ms - 2 x direct_ms (bob's meeting's own hop taken equal
   to ann's: the same Janus build and page); av_offset_ms, video delay minus audio
   delay across the bridge (positive: the sound comes first; ITU-R BT.1359
   detectability +45 / -125); cpu_cores and pss_mb per bridged bot: the worker's
   whole process tree (both bots' browsers, displays, PulseAudio daemons, capture
   and wiring) divided by two, and cpu_cores_by_role, the same split by process
   (Chromium's by type: renderer, gpu-process, ...; the worker is "python");
   leg_meeting_a_ms, leg_room_ms, leg_meeting_b_ms: the same onsets timed also at
   bot A's speaker and bot B's microphone (PulseAudio), so the chain splits into
   ann -> bot A, the room, bot B -> bob;
3. removal_ms: from DELETE of bob's bot from the room until bob's tone stops
   reaching ann (it includes the sound still in flight).
Latencies are medians over every onset of a recording (at least 10 asked).
`direct` and `bridged` say, for their phase, how long the listener's jitter buffers
held the media (buffer_ms; target_ms, which includes what lip sync adds to wait for
the video; minimum_ms, what jitter alone asks for) and how many cores the whole
machine was busy: where the time goes, and whether the figures measure a starved box.
MEETBRIDGE_* settings in the environment are passed to the stack (for instance
MEETBRIDGE_ROOM_PATH=janus for the cross-host path). Prints one JSON object on its
last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable
from typing import TypeVar

import numpy as np
import psutil
from playwright.async_api import async_playwright

from bench.resources import TreeSampler, scratch_dir
from bench.room_plane import timed_record
from bridge_worker.devices.audio import MIC_SOURCE, SPEAKER_SINK
from bridge_worker.wiring.pulse_media import RATE
from meetbridge.logs import configure_logging
from meetbridge.store import BotStore
from tests.integration.room_scene import Scene, eventually, room_scene, send_bots
from tests.lab.netns import require_lab_namespace
from tests.lab.onsets import (
    band_envelope,
    burst_delays,
    burst_schedule,
    delays,
    flash_delays,
    tone_onsets,
)
from tests.lab.person import SimulatedPerson
from tests.lab.videoroom_page import Timings, mean_receive_delays

# A burst and a flash every 3 s: on a starved 2-core box a delay has passed 1.5 s, and
# an onset must not be taken for the one before it.
PERIOD_S, ON_S = 3.0, 0.3
MAX_DELAY_MS = 2800.0
WHITE = (255, 255, 255)
PEOPLE = {"ann": (440.0, WHITE), "bob": (1000.0, (0, 0, 220))}
PULSE = {"ann": (PERIOD_S, ON_S)}
LISTENER_TONES = {"ann": 2500.0}  # annear: someone in ann's meeting to time it by
T = TypeVar("T")
SATURATED = 0.9  # of all cores busy: latencies then measure the machine, not the bridge


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _audio(sent: Timings, got: Timings, freq_hz: float) -> list[float]:
    return burst_delays(sent, got, freq_hz, PERIOD_S * 1000, MAX_DELAY_MS)


def _video(sent: Timings, got: Timings) -> list[float]:
    return flash_delays(sent, got, PERIOD_S * 1000, MAX_DELAY_MS)


def _worker_pids() -> list[int]:
    """The stack's Celery worker processes (their trees hold the bots)."""
    return [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if "meetbridge.cli" in (p.info["cmdline"] or []) and "worker" in p.info["cmdline"]
    ]


def _offset(video: list[float], audio: list[float]) -> float | None:
    if not (video and audio):
        return None
    return round(statistics.median(video) - statistics.median(audio), 1)


def _range(values: list[float]) -> list[int] | None:
    return [round(min(values)), round(max(values))] if values else None


def _busy_cores() -> float:
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


async def _observed(
    listener: SimulatedPerson, source: str, recording: Awaitable[T]
) -> tuple[T, dict[str, object]]:
    """Run `recording`, and say how long `source`'s media waited in `listener`'s jitter
    buffers meanwhile and how busy the whole machine was (a starved receiver's
    buffers grow, and lip sync holds its audio back to its video)."""
    before, busy, at = await listener.receive_totals(source), _busy_cores(), time.monotonic()
    result = await recording
    after = await listener.receive_totals(source)
    machine = (_busy_cores() - busy) / (time.monotonic() - at)
    cores = psutil.cpu_count() or 1
    return result, {
        "receiver_jitter_buffers": mean_receive_delays(before, after),
        "machine_busy_cores": round(machine, 2),
        "machine_cores": cores,
        "saturated": machine >= SATURATED * cores,
    }


async def _direct(scene: Scene, seconds: float) -> dict[str, object]:
    ann, annear = scene.people["ann"], scene.listeners["ann"]
    (sent, got), seen = await _observed(
        annear, "ann", asyncio.gather(ann.timings(None, seconds), annear.timings("ann", seconds))
    )
    audio, video = _audio(sent, got, PEOPLE["ann"][0]), _video(sent, got)
    return {
        "direct": seen,
        "direct_ms": _median(audio),
        "direct_onsets": len(audio),
        "direct_ms_range": _range(audio),
        "video_direct_ms": _median(video),
        "av_offset_ms_direct": _offset(video, audio),
    }


async def _audio_servers(scene: Scene) -> dict[str, str]:
    """Each bot's PulseAudio server, by the name of the person in its meeting."""
    store = BotStore.from_url(scene.services.redis_url)
    try:
        records = {name: await store.get(bot_id) for name, bot_id in scene.bots.items()}
    finally:
        await store.aclose()
    return {name: str(record.audio_server) for name, record in records.items() if record}


async def _bridged(scene: Scene, seconds: float) -> dict[str, object]:
    """ann's onsets heard by bob through the room, and timed on the way, where the bots'
    PulseAudio devices carry them: ann's meeting into bot A's speaker, the room into
    bot B's microphone (where the time goes)."""
    ann, bob = scene.people["ann"], scene.people["bob"]
    servers = await _audio_servers(scene)
    (sent, got, (at_a, a_ms), (at_b, b_ms)), seen = await _observed(
        bob,
        "tobob",
        asyncio.gather(
            ann.timings(None, seconds),
            bob.timings("tobob", seconds),
            timed_record(servers["ann"], f"{SPEAKER_SINK}.monitor", seconds),
            timed_record(servers["bob"], MIC_SOURCE, seconds),
        ),
    )
    tone = PEOPLE["ann"][0]
    audio, video = _audio(sent, got, tone), _video(sent, got)
    emitted = burst_schedule(sent, tone, PERIOD_S * 1000)
    into_a = tone_onsets(at_a, RATE, a_ms, tone)
    into_b = tone_onsets(at_b, RATE, b_ms, tone)
    return {
        "bridged": seen,
        "bridge_ms": _median(audio),
        "bridge_onsets": len(audio),
        "bridge_ms_range": _range(audio),
        "video_bridge_ms": _median(video),
        "video_bridge_ms_range": _range(video),
        "av_offset_ms": _offset(video, audio),
        "leg_meeting_a_ms": _median(delays(emitted, into_a, MAX_DELAY_MS)),
        "leg_room_ms": _median(delays(into_a, into_b, MAX_DELAY_MS)),
        "leg_meeting_b_ms": _median(
            delays(into_b, tone_onsets(got.samples, got.rate, got.start_ms, tone), MAX_DELAY_MS)
        ),
    }


async def _removal_ms(scene: Scene) -> float | None:
    """DELETE bob's bot from the room while ann records what the bot in her meeting
    plays; the time until bob's steady tone is gone from it."""
    recording = asyncio.create_task(scene.people["ann"].timings("toann", 6.0))
    await asyncio.sleep(2.0)
    removed_at = time.time() * 1000
    await scene.api.delete(f"/v1/rooms/{scene.room_id}/bots/{scene.bots['bob']}")
    got = await recording
    envelope = band_envelope(got.samples, got.rate, PEOPLE["bob"][0])
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
    media = scratch_dir("mb-bench-media-")
    folder = scratch_dir("mb-bench-stack-")
    # The caller's MEETBRIDGE_* settings reach the stack (MEETBRIDGE_ROOM_PATH=janus
    # times the cross-host path); no warm spare: only the two bridged bots in the worker.
    env = {k: v for k, v in os.environ.items() if k.startswith("MEETBRIDGE_")}
    env["MEETBRIDGE_WARM_POOL_SIZE"] = "0"
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
            with_bots=False,
        ) as scene,
    ):
        await asyncio.sleep(3)  # everyone's media settles
        direct = await _direct(scene, seconds)
        await scene.listeners["ann"].close()  # phase 2 needs one browser less
        await send_bots(scene)
        await asyncio.sleep(3)  # the bots' start-up load passes
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
        bridged, _ = await asyncio.gather(_bridged(scene, seconds), sampler.run_for(seconds))
        removal = await _removal_ms(scene)
    bots = len(PEOPLE)
    added = None
    if direct["direct_ms"] is not None and bridged["bridge_ms"] is not None:
        added = round(bridged["bridge_ms"] - 2 * direct["direct_ms"], 1)  # type: ignore[operator]
    return {
        "direct_ms": direct["direct_ms"],
        "bridge_ms": bridged["bridge_ms"],
        "bridge_added_ms": added,
        "av_offset_ms": bridged["av_offset_ms"],
        "removal_ms": removal,
        "cpu_cores": round(sampler.cpu_cores / bots, 3),
        "cpu_cores_by_role": {
            role: round(cores / bots, 3) for role, cores in sampler.cpu_cores_by_role.items()
        },
        "pss_mb": round(sampler.pss_mib / bots, 1),
        "path": path,
        "recorded_s": seconds,
        **direct,
        **bridged,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=45.0, help="recording length")
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.seconds))))
