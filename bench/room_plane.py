"""The room's audio plane alone: how long a sound takes from one bot's speaker to
another bot's microphone, per path and buffer setting (no browsers, no meetings).

This is the part of `bridge_added_ms` the room owns, measured on an idle machine:
tone bursts are played into bot A's speaker sink; A's speaker monitor and B's
microphone are recorded at once, each timestamped on this process's clock; the delay
of every burst onset is the plane's latency. Paths: the Janus AudioBridge with aiortc
(for several prebuffer / receive-buffer settings) and the same-host PulseAudio pipe.
The lab loses no packets, so for the receive buffer's behaviour on a real network
every 50th packet of the mix is dropped before the buffer sees it (`loss2pct`), once
with meetbridge's buffer and once with aiortc's own (`aiortc_buffer`).

Run inside the lab network namespace:
`infra/lab/netns-run .venv/bin/python -m bench.room_plane`. Prints one JSON object
on its last line: median and 90th percentile in ms per configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

from bench.resources import scratch_dir
from bridge_worker.devices.audio import BotAudio, bot_audio
from bridge_worker.devices.audio_io import playing
from bridge_worker.wiring import audio_bridge
from bridge_worker.wiring.audio_bridge import AudioRoom, audio_seat
from bridge_worker.wiring.prompt_jitter_buffer import PromptJitterBuffer
from bridge_worker.wiring.pulse_media import RATE, parec_argv, pulse_env
from bridge_worker.wiring.pulse_pipe import pulse_pipe
from lab.janus_server import LabJanus
from lab.media import pulse_wav
from lab.netns import require_lab_namespace
from lab.onsets import delays, tone_onsets
from meetbridge.janus_rooms import RoomMedia, create_rooms
from meetbridge.logs import configure_logging
from meetbridge.process import bot_account, supervised

TONE_HZ, PERIOD_S, ON_S = 440.0, 0.5, 0.1
JANUS_SETTINGS = [(3, 4), (3, 2), (2, 2), (1, 1)]  # (Janus prebuffer, aiortc receive prefetch)
LOSS_EVERY = 50  # packets: 2 % loss


class _Lossy:
    """A receive buffer behind a lossy network: every `every`-th packet never comes."""

    def __init__(self, inner: JitterBuffer | PromptJitterBuffer, every: int) -> None:
        self._inner, self._every, self._count = inner, every, 0

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        self._count += 1
        if self._count % self._every == 0:
            return False, None
        return self._inner.add(packet)


@contextlib.contextmanager
def _lossy_receivers(aiortc_buffer: bool) -> Iterator[None]:
    """Seats made in the block receive through `_Lossy` (aiortc's buffer, or ours)."""

    def make(prefetch: int) -> _Lossy:
        inner = (
            JitterBuffer(capacity=16, prefetch=prefetch)
            if aiortc_buffer
            else PromptJitterBuffer(prefetch)
        )
        return _Lossy(inner, LOSS_EVERY)

    original = audio_bridge.PromptJitterBuffer
    audio_bridge.PromptJitterBuffer = make  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        audio_bridge.PromptJitterBuffer = original  # type: ignore[misc]


async def timed_record(server: str, source: str, seconds: float) -> tuple[np.ndarray, float]:
    """Mono samples from `source`, and the wall-clock ms of the first one: each chunk's
    arrival bounds when its samples were captured; the least-delayed chunk sets the clock."""
    chunks: list[bytes] = []
    offset_ms = float("inf")
    got = 0
    wanted = int(seconds * RATE) * 2
    async with supervised(
        parec_argv(source), name="parec", env=pulse_env(server), stdout=asyncio.subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        while got < wanted:
            chunk = await proc.stdout.read(4096)
            if not chunk:
                break
            got += len(chunk)
            chunks.append(chunk)
            offset_ms = min(offset_ms, time.time() * 1000 - got / 2 / RATE * 1000)
    samples = np.frombuffer(b"".join(chunks), dtype="<i2").astype(np.float32) / 32768.0
    return samples, offset_ms


async def _latencies(a: BotAudio, b: BotAudio, seconds: float) -> list[float]:
    (sent, sent_at), (heard, heard_at) = await asyncio.gather(
        timed_record(a.server, a.speaker_monitor, seconds),
        timed_record(b.server, b.mic_source, seconds),
    )
    return delays(
        tone_onsets(sent, RATE, sent_at, TONE_HZ),
        tone_onsets(heard, RATE, heard_at, TONE_HZ),
        max_ms=PERIOD_S * 1000 - 50,
    )


@contextlib.asynccontextmanager
async def _janus_path(
    janus: LabJanus, a: BotAudio, b: BotAudio, room: int, prebuffer: int, prefetch: int
) -> AsyncIterator[None]:
    media = RoomMedia(janus.http_url, room, room + 1, "bench-secret", prebuffer)
    await create_rooms(media)
    seat = AudioRoom(janus.http_url, room, "bench-secret", prebuffer, prefetch)
    async with audio_seat(seat, a, "bench-a"), audio_seat(seat, b, "bench-b"):
        await asyncio.sleep(2)  # Janus fills its prebuffer; the mix settles
        yield


def _summary(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"median_ms": None, "p90_ms": None, "onsets": 0}
    return {
        "median_ms": round(statistics.median(values), 1),
        "p90_ms": round(float(np.percentile(values, 90)), 1),
        "onsets": len(values),
    }


async def main(seconds: float) -> dict[str, object]:
    require_lab_namespace()
    account = bot_account("meetbridge-bot")
    media_dir = scratch_dir("mb-bench-plane-")
    bursts = pulse_wav(media_dir, TONE_HZ, PERIOD_S, ON_S)
    result: dict[str, object] = {}
    async with contextlib.AsyncExitStack() as stack:
        janus = await stack.enter_async_context(LabJanus())
        a = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        b = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        await stack.enter_async_context(playing(a.server, a.speaker_sink, bursts))
        async with pulse_pipe(a.server, a.speaker_monitor, b.server, b.mic_sink):
            await asyncio.sleep(0.5)
            result["same_host"] = _summary(await _latencies(a, b, seconds))
        for n, (prebuffer, prefetch) in enumerate(JANUS_SETTINGS):
            async with _janus_path(janus, a, b, 7000 + 10 * n, prebuffer, prefetch):
                key = f"janus_prebuffer{prebuffer}_prefetch{prefetch}"
                result[key] = _summary(await _latencies(a, b, seconds))
        for n, aiortc_buffer in enumerate((False, True)):
            with _lossy_receivers(aiortc_buffer):
                async with _janus_path(janus, a, b, 7500 + 10 * n, 2, 2):
                    key = "janus_prebuffer2_prefetch2_loss2pct"
                    key += "_aiortc_buffer" if aiortc_buffer else ""
                    result[key] = _summary(await _latencies(a, b, seconds))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="recording per setting")
    args = parser.parse_args()
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main(args.seconds))))
