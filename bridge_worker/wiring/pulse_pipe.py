"""The same-host audio path: one bot's meeting sound straight into another's microphone.

When every bot of a room runs on one host, their PulseAudio daemons are a socket
away: `parec` from the source bot's speaker monitor, `pacat` into the target bot's
microphone, relayed through this process: far faster than a round trip through a
Janus AudioBridge (docs/figures.md). Several pipes into one microphone are mixed by
PulseAudio. The relay counts the 20 ms frames it moves and hands on what it plays (for the
level), for the seat's health report, and drops
what piles up in front of pacat (else pacat's start-up time stays as latency:
`PlayerInput`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from bridge_worker.wiring.pulse_media import (
    FRAME_BYTES,
    PlayerInput,
    pacat_argv,
    parec_argv,
    pulse_env,
)
from meetbridge.process import supervised


async def _relay(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    on_frame: Callable[[], None] | None,
    on_audio: Callable[[bytes], None] | None = None,
) -> None:
    pending = 0
    player = PlayerInput(writer)
    while chunk := await reader.read(FRAME_BYTES):
        if not await player.write(chunk):
            continue
        if on_audio is not None:
            on_audio(chunk)
        pending += len(chunk)
        while pending >= FRAME_BYTES:
            pending -= FRAME_BYTES
            if on_frame is not None:
                on_frame()


@contextlib.asynccontextmanager
async def pulse_pipe(
    source_server: str,
    source: str,
    sink_server: str,
    sink: str,
    on_frame: Callable[[], None] | None = None,
    *,
    on_audio: Callable[[bytes], None] | None = None,
) -> AsyncIterator[None]:
    """`source` on one daemon plays into `sink` on another while the block runs;
    `on_frame` is called per 20 ms frame played, `on_audio` with each chunk of it
    (16-bit mono samples)."""
    async with (
        supervised(
            parec_argv(source),
            name="parec",
            env=pulse_env(source_server),
            stdout=asyncio.subprocess.PIPE,
        ) as recorder,
        supervised(
            pacat_argv(sink),
            name="pacat",
            env=pulse_env(sink_server),
            stdin=asyncio.subprocess.PIPE,
        ) as player,
    ):
        assert recorder.stdout is not None and player.stdin is not None
        relay = asyncio.create_task(_relay(recorder.stdout, player.stdin, on_frame, on_audio))
        try:
            yield
        finally:
            relay.cancel()
            await asyncio.gather(relay, return_exceptions=True)
