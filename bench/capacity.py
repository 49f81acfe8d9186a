"""How many bridged bots a worker's cores hold with unbroken sound and moving pictures.

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.capacity`.

The scene grows a pair at a time. A pair is two lab meetings (each its own Janus), a
light person in each (lab/light_person.py: aiortc, no browser) with a steady tone of
their own and a moving picture (a bar sweeping across at 15 fps, so a stage showing
them changes every frame), one bot per meeting sent through the API, and a room of
the two bots. The bots run in worker processes of `--bots-per-process` each (the
Kubernetes base runs 2 per pod), started as the bots need them, all confined to the
same cores. Each person hears the bot in their meeting, which carries the other
person. Once a pair's room flows and `--settle` has passed, every pair is measured
together for `--seconds`:
- audio continuity per person: the share of the window's 20 ms frames that arrived
  carrying the other person's tone (a lost, late-dropped or silent frame is a gap;
  the people have no jitter buffer: frames count as they arrive, however bunched);
- each stage's frame rate at the seats that show it: the rooms' `video_in_fps`
  (GET /v1/rooms/{id}, as the workers report it), averaged over the window;
- the workers' whole process trees: CPU (cores) meanwhile and PSS after (per bot).
A step holds when every person's continuity is at least 99 % and every stage
arrives at 10 fps or more; the scene grows until a step does not hold (or
`--max-bots`). `bots_held` is the bots of the last step that held.

The people, their meetings' Janus servers, the room Janus, Redis and the API stand
for other machines, and on one lab machine they take CPU from the workers. So the
workers can be confined to `--worker-cpus` (CPU affinity of their whole process
trees, every thread, inherited by what they start), with everything else on the
other cores, niced as in bench.bridge_latency; `bots_per_core` is then the figure.
With `--worker-cpus all` (the default) every part shares every core: the lab's share
is `not_worker_cores`, taken from the bots. Each step says how busy the workers'
cores and the others were.

MEETBRIDGE_* settings in the environment reach the stack; the room path defaults to
Janus (`MEETBRIDGE_ROOM_PATH=janus`: rooms across workers, as pods run them). Prints
one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

from bench.resources import (
    TreeSampler,
    add_other_machines_nice,
    cores_busy,
    machine_busy,
    scratch_dir,
    stack_worker_pids,
    with_descendants,
)
from bridge_worker.settings import WorkerSettings
from lab.api_client import relay_said
from lab.light_person import FRAME_S, RATE, Received
from lab.light_person_host import HostedLightPerson
from lab.meeting import LabMeeting
from lab.netns import require_lab_namespace
from lab.processes import OTHER_MACHINE_NICE_VAR
from lab.room_scene import end_bots, eventually, room_stack, send_bots
from lab.stack import Stack
from meetbridge.logs import configure_logging

CONTINUITY_NEEDED = 0.99
STAGE_FPS_NEEDED = 10.0
PICTURE = (640, 360, 15)  # a person's camera: width, height, fps
REPORT_EVERY_S = 2.0  # as often as workers report a seat's media health
PSS_WINDOW_S = 4.0
FRAMES_PER_S = round(1 / FRAME_S)
# A frame carries the tone when its level there is at least this share of the window's
# usual level (a concealed or mixed-down frame falls far below).
TONE_PRESENT = 0.3
QUIET = 1e-3  # below this usual level the tone never arrived at all


def tone_levels(received: Received, freq_hz: float) -> np.ndarray:
    """The tone's amplitude in each received audio frame (the frame's projection on a
    sine and cosine of `freq_hz`)."""
    levels = []
    for _, pcm in received.audio:
        phase = 2 * np.pi * freq_hz * np.arange(pcm.size) / RATE
        levels.append(2 * abs(np.dot(pcm, np.exp(-1j * phase))) / max(pcm.size, 1))
    return np.asarray(levels, dtype=np.float64)


def _carried(levels: np.ndarray) -> int:
    """How many frames carry the tone, against the window's usual level (none when the
    tone never arrived at all)."""
    usual = float(np.percentile(levels, 90)) if levels.size else 0.0
    return int(np.count_nonzero(levels >= TONE_PRESENT * usual)) if usual >= QUIET else 0


def _continuity(carried: int, seconds: float) -> float:
    return min(1.0, carried / (seconds * FRAMES_PER_S))


def audio_continuity(received: Received, freq_hz: float, seconds: float) -> float:
    """The share of the `seconds`' 20 ms frames that arrived carrying `freq_hz`."""
    return _continuity(_carried(tone_levels(received, freq_hz)), seconds)


def audio_gaps(received: Received, freq_hz: float) -> dict[str, float]:
    """Where continuity went: frames that arrived, those carrying `freq_hz`, and the
    longest time between two arrivals (ms)."""
    levels = tone_levels(received, freq_hz)
    arrivals = np.asarray([at for at, _ in received.audio])
    return {
        "arrived": int(levels.size),
        "carried": _carried(levels),
        "longest_gap_ms": round(float(np.diff(arrivals).max()), 1) if arrivals.size > 1 else 0.0,
    }


def pin(pids: Iterable[int], cpus: set[int]) -> int:
    """Confine every thread of these processes to `cpus` (what they start inherits it);
    how many threads were pinned."""
    pinned = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(task.name), cpus)
                    pinned += 1
    return pinned


@dataclass
class Pair:
    names: tuple[str, str]
    tones: dict[str, float]  # person -> their tone
    room_id: str = ""


@dataclass
class CapacityScene:
    services: Stack
    api: httpx.AsyncClient
    exits: contextlib.AsyncExitStack
    bots_per_process: int
    worker_cpus: set[int]
    processes: int = 0  # worker processes started
    people: dict[str, HostedLightPerson] = field(default_factory=dict)
    bots: dict[str, str] = field(default_factory=dict)  # person -> their bot's id
    pairs: list[Pair] = field(default_factory=list)

    async def _room_for(self, bots: int) -> None:
        """Worker processes enough for `bots` more bots, each confined to the worker's
        cpus before any bot reaches it."""
        while self.processes * self.bots_per_process < len(self.bots) + bots:
            await self.services.start(f"worker{self.processes}")
            self.processes += 1
            pin(with_descendants(stack_worker_pids()), self.worker_cpus)

    async def add_pair(self) -> Pair:
        """Two meetings with a person each, a bot in each, and a room of the two bots,
        flowing."""
        k = len(self.pairs)
        # Tones on whole 50 Hz steps: a 20 ms frame holds whole periods of each.
        pair = Pair((f"a{k}", f"b{k}"), {f"a{k}": 400.0 + 200 * k, f"b{k}": 500.0 + 200 * k})
        meetings: dict[str, str] = {}
        for n, name in enumerate(pair.names):
            meeting = await self.exits.enter_async_context(LabMeeting())
            colour = (0, 200, 0) if n == 0 else (0, 0, 220)
            self.people[name] = await self.exits.enter_async_context(
                HostedLightPerson(
                    name=name,
                    janus_url=meeting.janus.http_url,
                    room=meeting.room,
                    tone_hz=pair.tones[name],
                    colour=colour,
                    size=PICTURE,
                    moving=True,
                )
            )
            meetings[name] = meeting.url
        await self._room_for(len(pair.names))
        sent: dict[str, str] = {}
        try:
            await send_bots(self.api, meetings, sent)
        finally:
            self.bots.update(sent)
        for name in pair.names:
            await self.people[name].hear(f"to{name}", video=False)
        created = await self.api.post(
            "/v1/rooms", json={"bots": [self.bots[name] for name in pair.names]}
        )
        created.raise_for_status()
        pair.room_id = created.json()["id"]

        async def flowing() -> bool:
            room = await self.api.get(f"/v1/rooms/{pair.room_id}")
            return bool(room.json()["media_flowing"])

        await eventually(flowing, 90)
        self.pairs.append(pair)
        return pair

    def partner(self, name: str) -> str:
        pair = next(p for p in self.pairs if name in p.names)
        return next(other for other in pair.names if other != name)

    def tone_of(self, name: str) -> float:
        return next(p.tones[name] for p in self.pairs if name in p.names)


@contextlib.asynccontextmanager
async def capacity_scene(
    env: dict[str, str], bots_per_process: int, worker_cpus: set[int]
) -> AsyncIterator[CapacityScene]:
    """The stack with no worker yet (`add_pair` starts them as bots need them)."""
    folder = scratch_dir("mb-bench-capacity-")
    async with contextlib.AsyncExitStack() as exits:
        services, api = await exits.enter_async_context(room_stack(folder, workers=0, env=env))
        scene = CapacityScene(services, api, exits, bots_per_process, worker_cpus)
        exits.push_async_callback(end_bots, api, scene.bots)
        yield scene


async def _room_reports(
    scene: CapacityScene,
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Until cancelled, what the rooms report: each stage's frame rate at each seat
    showing it ("seat<-source" by the people's names: the seat of b0's bot showing
    a0's stage is "b0<-a0"), and per bot the mean share of its meeting's sound its
    browser concealed (a starved browser conceals before the people hear gaps)."""
    names = {bot_id: name for name, bot_id in scene.bots.items()}
    seen: dict[str, list[float]] = {}
    concealed: dict[str, list[float]] = {}
    try:
        while True:
            for pair in scene.pairs:
                room = (await scene.api.get(f"/v1/rooms/{pair.room_id}")).json()
                for member in room["members"]:
                    media = member.get("media") or {}
                    name = names[member["bot_id"]]
                    for source, fps in media.get("video_in_fps", {}).items():
                        key = f"{name}<-{names.get(source, source)}"
                        seen.setdefault(key, []).append(float(fps))
                    audio = media.get("meeting_receive", {}).get("audio", {})
                    if "concealed_pct" in audio:
                        concealed.setdefault(name, []).append(float(audio["concealed_pct"]))
            await asyncio.sleep(REPORT_EVERY_S)
    except asyncio.CancelledError:
        pass
    return seen, {name: round(statistics.fmean(v), 2) for name, v in concealed.items()}


async def _relays(scene: CapacityScene) -> dict[str, str]:
    names = {bot_id: name for name, bot_id in scene.bots.items()}
    relays: dict[str, str] = {}
    for pair in scene.pairs:
        room = (await scene.api.get(f"/v1/rooms/{pair.room_id}")).json()
        relays |= {names[m["bot_id"]]: relay_said(m.get("media")) for m in room["members"]}
    return relays


async def measure(
    scene: CapacityScene, seconds: float, worker_cpus: set[int], other_cpus: set[int]
) -> dict[str, object]:
    """Every pair at once over `seconds`: continuity, stage rates, the worker's cost."""
    workers = stack_worker_pids()
    pin(with_descendants(workers), worker_cpus)  # anything started from an unpinned thread
    rates = asyncio.create_task(_room_reports(scene))
    sampler = TreeSampler(lambda: workers, descendants=True, pss=False)
    start_ms = time.time() * 1000
    _, worker_side, other_side = await asyncio.gather(
        sampler.run_for(seconds),
        cores_busy(worker_cpus, seconds),
        cores_busy(other_cpus, seconds),
    )
    end_ms = time.time() * 1000
    rates.cancel()
    stage_samples, concealed = await rates
    continuity: dict[str, float] = {}
    gaps: dict[str, dict[str, float]] = {}
    for name, person in scene.people.items():
        got = (await person.received(f"to{name}", start_ms)).since(start_ms)
        got.audio = [item for item in got.audio if item[0] <= end_ms]
        gaps[name] = audio_gaps(got, scene.tone_of(scene.partner(name)))
        continuity[name] = round(
            _continuity(int(gaps[name]["carried"]), (end_ms - start_ms) / 1000), 4
        )
    stage_fps = {key: round(statistics.fmean(values), 1) for key, values in stage_samples.items()}
    memory = TreeSampler(lambda: workers, descendants=True)
    await memory.run_for(PSS_WINDOW_S)
    bots = len(scene.bots)
    held = bool(continuity) and min(continuity.values()) >= CONTINUITY_NEEDED
    held = held and bool(stage_fps) and min(stage_fps.values()) >= STAGE_FPS_NEEDED
    held = held and len(stage_fps) == bots  # every seat reported the stage it shows
    return {
        "bots": bots,
        "held": held,
        "continuity_min": min(continuity.values(), default=None),
        "stage_fps_min": min(stage_fps.values(), default=None),
        "continuity": continuity,
        "stage_fps": stage_fps,
        "audio_frames": gaps,
        "bots_concealed_pct": concealed,
        "worker_cores": round(sampler.cpu_cores, 3),
        "worker_cores_per_bot": round(sampler.cpu_cores / bots, 3),
        "worker_cores_by_role": {
            role: round(cores, 3) for role, cores in sampler.cpu_cores_by_role.items()
        },
        "worker_pss_mb": round(memory.pss_mib, 1),
        "worker_pss_mb_per_bot": round(memory.pss_mib / bots, 1),
        "worker_cpus_busy_cores": round(worker_side, 2),
        "other_cpus_busy_cores": round(other_side, 2),
        # the lab, the stack's other parts and anything else on the machine
        "not_worker_cores": round(worker_side + other_side - sampler.cpu_cores, 2),
        "relay": await _relays(scene),
    }


def _cpus(spec: str) -> set[int]:
    allowed = os.sched_getaffinity(0)
    if spec == "all":
        return set(allowed)
    cpus = {int(part) for part in spec.split(",")}
    if not cpus <= allowed:
        raise SystemExit(f"--worker-cpus {spec}: this machine has cpus {sorted(allowed)}")
    return cpus


async def main(
    seconds: float, settle_s: float, max_bots: int, worker_cpus: set[int], bots_per_process: int
) -> dict[str, object]:
    require_lab_namespace()
    other_cpus = set(os.sched_getaffinity(0)) - worker_cpus
    if other_cpus:  # this process, and all it starts but the worker, keep off the worker's
        os.sched_setaffinity(0, other_cpus)
    env = {k: v for k, v in os.environ.items() if k.startswith("MEETBRIDGE_")}
    env.setdefault("MEETBRIDGE_ROOM_PATH", "janus")
    env["MEETBRIDGE_WARM_POOL_SIZE"] = "0"
    env["MEETBRIDGE_WORKER_CONCURRENCY"] = str(bots_per_process)
    for setting in ("status_interval_s", "heartbeat_interval_s"):  # as deployed
        default = WorkerSettings.model_fields[setting].default
        env.setdefault(f"MEETBRIDGE_{setting.upper()}", str(default))
    steps: list[dict[str, object]] = []
    async with capacity_scene(env, bots_per_process, worker_cpus) as scene:
        while len(scene.bots) + 2 <= max_bots:
            try:
                await scene.add_pair()
            except (TimeoutError, httpx.HTTPError, RuntimeError) as error:
                # a machine past its limit may not even get a new pair joined and flowing
                why = f"{type(error).__name__}: {error}"
                steps.append({"bots": 2 * len(scene.pairs) + 2, "held": False, "error": why})
                break
            await asyncio.sleep(settle_s)
            step = await measure(scene, seconds, worker_cpus, other_cpus)
            steps.append(step)
            if not step["held"]:
                break
    held = [step for step in steps if step["held"]]
    bots_held = int(held[-1]["bots"]) if held else 0  # type: ignore[call-overload]
    return {
        "bots_held": bots_held,
        "worker_cpus": sorted(worker_cpus),
        "bots_per_process": bots_per_process,
        "worker_processes": scene.processes,
        "bots_per_core": round(bots_held / len(worker_cpus), 2),
        "path": env["MEETBRIDGE_ROOM_PATH"],
        "limit_reached": bool(steps) and not steps[-1]["held"],
        "continuity_needed": CONTINUITY_NEEDED,
        "stage_fps_needed": STAGE_FPS_NEEDED,
        "recorded_s": seconds,
        "settled_s": settle_s,
        "other_machines_nice": int(os.environ.get(OTHER_MACHINE_NICE_VAR, "0")),
        "steps": steps,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="each step's window")
    parser.add_argument(
        "--settle", type=float, default=15.0, help="seconds from a new room flowing to the window"
    )
    parser.add_argument("--max-bots", type=int, default=12, help="stop growing at this many")
    parser.add_argument(
        "--worker-cpus",
        default="all",
        help="cpus the workers' process trees are confined to (comma-separated), or all",
    )
    parser.add_argument(
        "--bots-per-process",
        type=int,
        default=2,
        help="bots a worker process runs (MEETBRIDGE_WORKER_CONCURRENCY; 2 as the Kubernetes "
        "base has it); processes are started as the bots need them, all on --worker-cpus",
    )
    add_other_machines_nice(parser)
    args = parser.parse_args()
    os.environ[OTHER_MACHINE_NICE_VAR] = str(args.other_machines_nice)
    configure_logging("WARNING")
    result, machine = asyncio.run(
        machine_busy(
            main(
                args.seconds,
                args.settle,
                args.max_bots,
                _cpus(args.worker_cpus),
                args.bots_per_process,
            )
        )
    )
    print(json.dumps({**result, **machine}))
