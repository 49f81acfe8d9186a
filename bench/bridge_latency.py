"""What the virtual room adds: latency, A/V offset, removal time and cost per bridged bot.

Run inside the lab network namespace: `make bench` or
`infra/lab/netns-run .venv/bin/python -m bench.bridge_latency`.

The scene: two lab meetings on two Janus servers; in ann's, ann (tone bursts and
white flashes on black: onsets) and a listener, annear; in bob's, bob (a steady
1 kHz tone, a blue picture). One bot per meeting, sent through the API to one
worker. The people are light people (lab/light_person.py: aiortc, no
browser): with headless Chromium people, three people and two bots kept 2 cores
saturated and the figures measured the machine. A light person times an onset
when its frame is handed to the encoder and when the frame is complete at a
receiver: what the meetings and the bridge add on the way, with no receiver's
playout buffer or lip sync in it. Every process runs on this machine's clock.
In three phases:
1. before any bot: direct_ms, ann's onsets arriving at annear (then annear leaves
   and the bots are sent in);
2. the room, once its start-up has passed (`--settle`: the start-up starves the
   bots' browsers for a moment, and bot A's receive buffer jumps to ~0.6 s and
   drains by ~35 ms a second): bridge_ms, the same onsets arriving at bob from the bot in his
   meeting; bridge_added_ms = bridge_ms - 2 x direct_ms (bob's meeting's own hop
   taken equal to ann's: the same Janus build); it holds everything between the two
   meetings' servers: bot A's browser receiving and playing, the room, bot B's
   browser capturing and sending. av_offset_ms, video delay minus audio delay
   across the bridge (positive: the sound comes first; ITU-R BT.1359 detectability
   +45 / -125); cpu_cores and pss_mb per bridged bot: the worker's whole process
   tree (both bots' browsers, displays, PulseAudio daemons, capture and wiring)
   divided by two (CPU while the latencies are timed, PSS over a few seconds
   after: reading PSS walks a process's page tables under its memory-map lock and
   stalls it, which showed as 0.2-0.6 s more latency), and cpu_cores_by_role, the
   same split by process (Chromium's by type: renderer, gpu-process, ...; the
   worker is "python"); leg_meeting_a_ms,
   leg_room_ms, leg_meeting_b_ms: the same onsets timed also at bot A's speaker and
   bot B's microphone (PulseAudio), so the chain splits into ann -> bot A, the
   room, bot B -> bob; bots_meeting_receive_ms: how long each bot's browser held
   its meeting's audio and video (jitter buffers, from the room's media health);
3. removal_ms: from DELETE of bob's bot from the room until bob's tone stops
   reaching ann (it includes the sound still in flight).
Latencies are medians over every onset of a recording (at least 10 asked). Each
phase says how many cores the whole machine was busy, and `saturated` when that was
at least 90 % of them: then the figures measure a starved machine; and how late
ann's audio frames left (sender_late_ms): each person runs in a process of its own
(lab/light_person_host.py), and a sender that falls behind would grow the
bots' receive buffers.
The people and the meetings' Janus servers stand for other machines: they run at
niceness -10 (`--other-machines-nice`), so that a starved simulated person's late
packets are not charged to the bridge; the bots, the stack and the rooms' Janus run
as usual.
MEETBRIDGE_* settings in the environment are passed to the stack (for instance
MEETBRIDGE_ROOM_PATH=janus for the cross-host path). `--relay both` (the default)
times the encoded audio relay and the devices path one after the other, one scene
each, and says per bot which relay carried its meeting; `--load-cores N` keeps N
cores busy with an unrelated process each meanwhile. Prints one JSON object on its
last line (with both relays: `relays` holds each one's figures).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import numpy as np

from bench.figures import median_ms, range_ms
from bench.resources import (
    TreeSampler,
    add_other_machines_nice,
    busy_cores,
    machine_busy,
    scratch_dir,
    stack_worker_pids,
)
from bench.room_plane import timed_record
from bridge_worker.devices.audio import MIC_SOURCE, SPEAKER_SINK
from bridge_worker.settings import WorkerSettings
from bridge_worker.wiring.pulse_media import RATE
from lab.api_client import relay_said
from lab.light_person import RATE as LIGHT_RATE
from lab.light_person import Received
from lab.light_person_host import HostedLightPerson
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.onsets import band_envelope, delays, tone_onsets
from lab.processes import OTHER_MACHINE_NICE_VAR
from lab.room_scene import end_bots, eventually, room_stack, send_bots
from lab.stack import Stack
from meetbridge.logs import configure_logging
from meetbridge.store import BotStore

# A burst and a flash every 3 s: a delay over 1.5 s must not be taken for the next onset.
PERIOD_S, ON_S = 3.0, 0.3
MAX_DELAY_MS = 2800.0
ANN_HZ, BOB_HZ = 440.0, 1000.0
WHITE, BLUE = (255, 255, 255), (0, 0, 220)
FLASHES = (160, 90, 10)  # ann's picture: width, height, fps (a flash starts on a frame)
STILL = (160, 90, 5)  # bob's
PSS_WINDOW_S = 5.0
REPORT_EVERY_S = 2.0  # as often as workers report a seat's media health


@dataclass
class LightScene:
    services: Stack
    api: httpx.AsyncClient
    people: dict[str, HostedLightPerson]
    meetings: dict[str, str]  # person's name -> meeting URL
    bots: dict[str, str] = field(default_factory=dict)  # person's name -> their bot's id
    room_id: str | None = None


@contextlib.asynccontextmanager
async def light_scene(env: dict[str, str]) -> AsyncIterator[LightScene]:
    """The stack, a meeting each for ann and bob with them in it, and annear in ann's."""
    folder = scratch_dir("mb-bench-stack-")
    async with contextlib.AsyncExitStack() as stack:
        services, api = await stack.enter_async_context(room_stack(folder, env=env))
        people: dict[str, HostedLightPerson] = {}
        meetings: dict[str, str] = {}
        for name, tone_hz, colour, size, pulse in (
            ("ann", ANN_HZ, WHITE, FLASHES, (PERIOD_S, ON_S)),
            ("bob", BOB_HZ, BLUE, STILL, None),
        ):
            meeting = await stack.enter_async_context(LabMeeting())
            janus = {"janus_url": meeting.janus.http_url, "room": meeting.room}
            people[name] = await stack.enter_async_context(
                HostedLightPerson(
                    name=name, **janus, tone_hz=tone_hz, colour=colour, size=size, pulse=pulse
                )
            )
            meetings[name] = meeting.url
            if name == "ann":
                people["annear"] = await stack.enter_async_context(
                    HostedLightPerson(name="annear", **janus, publish=False)
                )
        scene = LightScene(services, api, people, meetings)
        stack.push_async_callback(end_bots, api, scene.bots)
        yield scene


def _percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    p50, p99 = np.percentile(values, [50, 99])
    return {"p50": round(float(p50), 1), "p99": round(float(p99), 1), "max": round(max(values))}


def _offset(video: list[float], audio: list[float]) -> float | None:
    if not (video and audio):
        return None
    return round(statistics.median(video) - statistics.median(audio), 1)


def _sent(onsets_ms: list[float], start: float, end: float) -> list[float]:
    """Onsets sent in [start, end - MAX_DELAY_MS]: each has had time to arrive."""
    return [at for at in onsets_ms if start <= at <= end - MAX_DELAY_MS]


async def _record(
    scene: LightScene, listener: str, source: str, seconds: float
) -> tuple[list[float], list[float], Received, list[float]]:
    """ann's burst and flash onsets sent over `seconds` (those with time to arrive),
    what `listener` received from `source` meanwhile, and how late ann's audio frames
    left."""
    start = time.time() * 1000
    await asyncio.sleep(seconds)
    end = time.time() * 1000
    tone, picture, late = await scene.people["ann"].onsets(start)
    got = await scene.people[listener].received(source, start)
    return _sent(tone, start, end), _sent(picture, start, end), got, late


def _delays(sent: list[float], got: Received) -> list[float]:
    return delays(sent, got.tone_onsets(ANN_HZ), MAX_DELAY_MS)


async def _direct(scene: LightScene, seconds: float) -> dict[str, object]:
    (audio_sent, video_sent, got, late), machine = await machine_busy(
        _record(scene, "annear", "ann", seconds)
    )
    machine["sender_late_ms"] = _percentiles(late)
    audio = _delays(audio_sent, got)
    video = delays(video_sent, got.flash_onsets(), MAX_DELAY_MS)
    return {
        "direct": machine,
        "direct_ms": median_ms(audio),
        "direct_onsets": len(audio),
        "direct_ms_range": range_ms(audio),
        "video_direct_ms": median_ms(video),
        "av_offset_ms_direct": _offset(video, audio),
    }


async def _audio_servers(scene: LightScene) -> dict[str, str]:
    """Each bot's PulseAudio server, by the name of the person in its meeting."""
    store = BotStore.from_url(scene.services.redis_url)
    try:
        records = {name: await store.get(bot_id) for name, bot_id in scene.bots.items()}
    finally:
        await store.aclose()
    return {name: str(record.audio_server) for name, record in records.items() if record}


async def _bots_receive_buffers(scene: LightScene) -> dict[str, dict[str, float]]:
    """Until cancelled, what the room's media health says each bot's browser held of
    its meeting's media (each report's mean buffer, target and minimum delays, where
    a target over the minimum is delay for lip sync, and a buffer over its target is
    delay not yet drained; and for audio NetEq's concealed/accelerated/decelerated
    shares of the samples and the discarded share of the packets); then per bot, kind
    and measure, by the name of its meeting's person, the median delay and the mean
    share (a rare flush would vanish in a median)."""
    names = {bot_id: name for name, bot_id in scene.bots.items()}
    seen: dict[str, dict[str, list[float]]] = {}  # bot's person -> kind_measure -> values
    try:
        while True:
            room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
            for member in room["members"]:
                received = (member.get("media") or {}).get("meeting_receive", {})
                for kind, delays_ms in received.items():
                    by_kind = seen.setdefault(names[member["bot_id"]], {})
                    for measure, value in delays_ms.items():
                        by_kind.setdefault(f"{kind}_{measure}", []).append(value)
            await asyncio.sleep(REPORT_EVERY_S)
    except asyncio.CancelledError:
        pass
    return {
        f"to{name}": {
            measure: round(statistics.fmean(values), 2)
            if measure.endswith("_pct")
            else statistics.median(values)
            for measure, values in measures.items()
        }
        for name, measures in seen.items()
    }


async def _bridged(scene: LightScene, seconds: float) -> dict[str, object]:
    """ann's onsets arriving at bob through the room, and timed on the way where the
    bots' PulseAudio devices carry them: ann's meeting into bot A's speaker, the room
    into bot B's microphone (where the time goes)."""
    servers = await _audio_servers(scene)
    held = asyncio.create_task(_bots_receive_buffers(scene))
    ((audio_sent, video_sent, got, late), (at_a, a_ms), (at_b, b_ms)), machine = await machine_busy(
        asyncio.gather(
            _record(scene, "bob", "tobob", seconds),
            timed_record(servers["ann"], f"{SPEAKER_SINK}.monitor", seconds),
            timed_record(servers["bob"], MIC_SOURCE, seconds),
        )
    )
    held.cancel()
    bots_buffers = await held
    machine["sender_late_ms"] = _percentiles(late)
    audio = _delays(audio_sent, got)
    video = delays(video_sent, got.flash_onsets(), MAX_DELAY_MS)
    into_a = tone_onsets(at_a, RATE, a_ms, ANN_HZ)
    into_b = tone_onsets(at_b, RATE, b_ms, ANN_HZ)
    return {
        "bridged": machine,
        "bridge_ms": median_ms(audio),
        "bridge_onsets": len(audio),
        "bridge_ms_range": range_ms(audio),
        "video_bridge_ms": median_ms(video),
        "video_bridge_ms_range": range_ms(video),
        "av_offset_ms": _offset(video, audio),
        "bots_meeting_receive_ms": bots_buffers,
        "leg_meeting_a_ms": median_ms(delays(audio_sent, into_a, MAX_DELAY_MS)),
        "leg_room_ms": median_ms(delays(into_a, into_b, MAX_DELAY_MS)),
        "leg_meeting_b_ms": median_ms(delays(into_b, got.tone_onsets(ANN_HZ), MAX_DELAY_MS)),
    }


async def _removal(scene: LightScene) -> tuple[float | None, str | None]:
    """DELETE bob's bot from the room while ann listens to the bot in her meeting; the
    time until bob's steady tone is gone from what she receives, or why it can't be
    timed."""
    start = time.time() * 1000
    await asyncio.sleep(2.0)
    removed_at = time.time() * 1000
    await scene.api.delete(f"/v1/rooms/{scene.room_id}/bots/{scene.bots['bob']}")
    await asyncio.sleep(4.0)
    samples, times = (await scene.people["ann"].received("toann", start)).audio_times()
    before, after = times < removed_at, times >= removed_at
    if not (before.any() and after.any()):
        return None, f"ann received {before.sum()} samples before the DELETE, {after.sum()} after"
    envelope = band_envelope(samples, LIGHT_RATE, BOB_HZ)
    level = float(np.median(envelope[before]))
    if level < 1e-3:
        return None, f"bob's tone did not reach ann before the DELETE (level {level:.4f})"
    still = np.flatnonzero(after & (envelope > level / 2))
    if still.size == 0:  # gone from the first sound to arrive after the DELETE
        return round(float(times[after].min() - removed_at), 1), None
    if times[still[-1]] >= times[-1] - 50:
        return None, "bob's tone still reached ann 4 s after the DELETE"
    return round(float(times[still[-1]] - removed_at), 1), None


async def _room(scene: LightScene) -> str:
    """Put the bots in a room, wait for its media to flow; the path it took."""
    created = await scene.api.post("/v1/rooms", json={"bots": list(scene.bots.values())})
    created.raise_for_status()
    scene.room_id = created.json()["id"]

    async def flowing() -> bool:
        room = await scene.api.get(f"/v1/rooms/{scene.room_id}")
        return bool(room.json()["media_flowing"])

    await eventually(flowing, 60)
    room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
    return str(room["members"][0]["media"]["path"])


async def _relays(scene: LightScene) -> dict[str, str]:
    """How each bot's meeting hears the room now: encoded, or devices and why."""
    room = (await scene.api.get(f"/v1/rooms/{scene.room_id}")).json()
    return {member["bot_id"]: relay_said(member["media"]) for member in room["members"]}


async def main(seconds: float, settle_s: float, relay: str | None = None) -> dict[str, object]:
    require_lab_namespace()
    # The caller's MEETBRIDGE_* settings reach the stack (MEETBRIDGE_ROOM_PATH=janus
    # times the cross-host path); no warm spare: only the two bridged bots in the worker.
    env = {k: v for k, v in os.environ.items() if k.startswith("MEETBRIDGE_")}
    if relay is not None:
        env["MEETBRIDGE_AUDIO_RELAY"] = relay
    env["MEETBRIDGE_WARM_POOL_SIZE"] = "0"
    # The worker checks its bots' pages and beats as deployed, not as often as the
    # tests' stack has it (to notice failures fast): CPU per bot is the product's.
    for setting in ("status_interval_s", "heartbeat_interval_s"):
        default = WorkerSettings.model_fields[setting].default
        env.setdefault(f"MEETBRIDGE_{setting.upper()}", str(default))
    async with light_scene(env) as scene:
        await scene.people["annear"].hear("ann")
        await asyncio.sleep(3)  # everyone's media settles
        direct = await _direct(scene, seconds)
        await scene.people["annear"].close()
        await send_bots(scene.api, scene.meetings, scene.bots)
        await asyncio.gather(
            scene.people["bob"].hear("tobob"), scene.people["ann"].hear("toann", video=False)
        )
        await asyncio.sleep(3)  # the bots' start-up load passes
        path = await _room(scene)
        # The room's start-up (stage grabs, seats, pipes) starves the bots' browsers
        # for a moment: bot A's receive buffer jumps to ~0.6 s and drains by ~35 ms/s.
        await asyncio.sleep(settle_s)
        workers = stack_worker_pids()
        # CPU while latency is timed; PSS apart, after (reading it stalls the bots)
        sampler = TreeSampler(lambda: workers, descendants=True, pss=False)
        bridged, _ = await asyncio.gather(_bridged(scene, seconds), sampler.run_for(seconds))
        relays = await _relays(scene)
        memory = TreeSampler(lambda: workers, descendants=True)
        await memory.run_for(PSS_WINDOW_S)
        removal, removal_unmeasured = await _removal(scene)
    bots = 2
    added = None
    if direct["direct_ms"] is not None and bridged["bridge_ms"] is not None:
        added = round(bridged["bridge_ms"] - 2 * direct["direct_ms"], 1)  # type: ignore[operator]
    return {
        "direct_ms": direct["direct_ms"],
        "bridge_ms": bridged["bridge_ms"],
        "bridge_added_ms": added,
        "av_offset_ms": bridged["av_offset_ms"],
        "removal_ms": removal,
        "removal_unmeasured": removal_unmeasured,
        "cpu_cores": round(sampler.cpu_cores / bots, 3),
        "cpu_cores_by_role": {
            role: round(cores / bots, 3) for role, cores in sampler.cpu_cores_by_role.items()
        },
        "pss_mb": round(memory.pss_mib / bots, 1),
        "pss_mb_by_role": {
            role: round(mib / bots, 1) for role, mib in memory.pss_mib_by_role.items()
        },
        "path": path,
        "relay": relays,
        "recorded_s": seconds,
        "other_machines_nice": int(os.environ.get(OTHER_MACHINE_NICE_VAR, "0")),
        "settled_s": settle_s,
        **direct,
        **bridged,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=45.0, help="recording length")
    parser.add_argument(
        "--settle",
        type=float,
        default=20.0,
        help="seconds from the room's media flowing to the recording (start-up passes)",
    )
    add_other_machines_nice(parser)
    parser.add_argument(
        "--relay",
        choices=("encoded", "devices", "both", "env"),
        default="both",
        help="the audio relay to time: both runs encoded then devices (one scene each); "
        "env keeps MEETBRIDGE_AUDIO_RELAY as set",
    )
    parser.add_argument(
        "--load-cores",
        type=int,
        default=0,
        help="cores kept busy by an unrelated process each, at normal priority, meanwhile",
    )
    args = parser.parse_args()
    os.environ[OTHER_MACHINE_NICE_VAR] = str(args.other_machines_nice)
    configure_logging("WARNING")
    relays: list[str | None] = [args.relay]
    if args.relay == "both":
        relays = ["encoded", "devices"]
    elif args.relay == "env":
        relays = [None]

    async def runs() -> dict[str, object]:
        results: dict[str, object] = {}
        with busy_cores(args.load_cores):
            for relay in relays:
                results[relay or "env"] = await main(args.seconds, args.settle, relay)
        return results

    results, machine = asyncio.run(machine_busy(runs()))
    machine["load_cores"] = args.load_cores
    if len(results) == 1:
        only = next(iter(results.values()))
        assert isinstance(only, dict)
        print(json.dumps({**only, **machine}))
    else:
        print(json.dumps({"relays": results, **machine}))
