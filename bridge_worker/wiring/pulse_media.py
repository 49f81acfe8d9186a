"""PulseAudio ↔ aiortc: what a bot hears becomes a WebRTC track, and the other way.

- `PulseCaptureTrack`: 20 ms frames read from a PulseAudio source (the bot's speaker
  monitor) by `parec`; parec delivers in real time, so reading paces the track.
- `play_track`: frames of a received track, resampled to 48 kHz mono, written by
  `pacat` into a sink (the bot's microphone feed).
Short buffers on both sides (20 ms): latency is the product.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fcntl
import fractions
import termios
from collections.abc import AsyncIterator, Callable

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from bridge_worker.wiring.standing_queue import StandingQueue
from meetbridge.process import supervised

RATE = 48000
FRAME_SAMPLES = 960  # 20 ms
FRAME_BYTES = FRAME_SAMPLES * 2
LATENCY_MS = 20
MAX_BACKLOG_FRAMES = 2  # 40 ms waiting in front of a player, at most
CAPTURE_SLACK_BYTES = FRAME_BYTES // 2  # 10 ms the sender's buffer keeps: jitter slack


def pulse_env(server: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "PULSE_SERVER": server, "HOME": "/nonexistent"}


def parec_argv(source: str, latency_ms: int = LATENCY_MS) -> list[str]:
    """Raw 48 kHz mono s16 from `source`, in fragments of `latency_ms`."""
    return [
        "parec",
        f"--device={source}",
        "--format=s16le",
        f"--rate={RATE}",
        "--channels=1",
        f"--latency-msec={latency_ms}",
        "--raw",
    ]


def pacat_argv(sink: str, latency_ms: int = LATENCY_MS) -> list[str]:
    """Raw 48 kHz mono s16 into `sink`, with a buffer of `latency_ms`."""
    return [
        "pacat",
        "--playback",
        f"--device={sink}",
        "--format=s16le",
        f"--rate={RATE}",
        "--channels=1",
        f"--latency-msec={latency_ms}",
        "--raw",
    ]


class PulseCaptureTrack(MediaStreamTrack):
    """Sends exactly one 20 ms frame per 20 ms of wall-clock time.

    parec delivers in bursts under load, and its clock is not the mixer's: a sender
    that sends as it reads drifts, and Janus's AudioBridge then drops the member
    from the mix whenever its buffer runs dry. So a reader fills a buffer, and each
    frame is taken on a clock: silence when the buffer is short, the oldest audio
    dropped when it holds more than `MAX_BUFFERED_FRAMES` (latency stays bounded),
    and what it keeps for good beyond `CAPTURE_SLACK_BYTES` dropped too (`StandingQueue`).
    """

    kind = "audio"
    MAX_BUFFERED_FRAMES = 2

    def __init__(
        self,
        reader: asyncio.StreamReader,
        on_frame: Callable[[], None] | None = None,
        on_audio: Callable[[bytes], None] | None = None,
    ):
        super().__init__()
        self._on_frame = on_frame  # called per frame that carries captured sound
        self._on_audio = on_audio  # called with that frame's samples
        self._reader = reader
        self._buffer = bytearray()
        self._pts = 0
        self._started: float | None = None
        self._time_base = fractions.Fraction(1, RATE)
        self._standing = StandingQueue(CAPTURE_SLACK_BYTES)
        self._filling = asyncio.ensure_future(self._fill())

    async def _fill(self) -> None:
        while chunk := await self._reader.read(FRAME_BYTES * 2):
            self._buffer += chunk
            excess = len(self._buffer) - self.MAX_BUFFERED_FRAMES * FRAME_BYTES
            if excess > 0:
                del self._buffer[: excess - excess % 2]

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._started is None:
            self._started = loop.time()
        await asyncio.sleep(max(self._started + self._pts / RATE - loop.time(), 0))
        if self._filling.done() and len(self._buffer) < FRAME_BYTES:
            self.stop()
            raise MediaStreamError
        if len(self._buffer) >= FRAME_BYTES:
            data = bytes(self._buffer[:FRAME_BYTES])
            del self._buffer[:FRAME_BYTES]
            del self._buffer[: self._standing.excess(len(self._buffer))]
            if self._on_frame is not None:
                self._on_frame()
            if self._on_audio is not None:
                self._on_audio(data)
        else:
            data = bytes(FRAME_BYTES)  # the source is late: a frame of silence
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(data)
        frame.sample_rate, frame.time_base, frame.pts = RATE, self._time_base, self._pts
        self._pts += FRAME_SAMPLES
        return frame

    def stop(self) -> None:
        super().stop()
        self._filling.cancel()


@contextlib.asynccontextmanager
async def capture_track(
    server: str,
    source: str,
    on_frame: Callable[[], None] | None = None,
    on_audio: Callable[[bytes], None] | None = None,
) -> AsyncIterator[PulseCaptureTrack]:
    """A track of what `source` carries, while the block runs (`on_frame` per 20 ms
    frame of captured sound sent, `on_audio` with its samples)."""
    async with supervised(
        parec_argv(source), name="parec", env=pulse_env(server), stdout=asyncio.subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        track = PulseCaptureTrack(proc.stdout, on_frame, on_audio)
        try:
            yield track
        finally:
            track.stop()


def backlog_bytes(writer: asyncio.StreamWriter) -> int:
    """Audio written to a player (pacat) that it has not taken yet: our write buffer
    plus what waits in the OS pipe."""
    queued = writer.transport.get_write_buffer_size()
    pipe = writer.transport.get_extra_info("pipe")
    if pipe is not None:
        count = array.array("i", [0])
        with contextlib.suppress(OSError):
            fcntl.ioctl(pipe.fileno(), termios.FIONREAD, count)
            queued += count[0]
    return queued


class PlayerInput:
    """What a player (pacat) is fed, kept short: it reads at its sink's pace, so audio
    that piles up in front of it (while it starts, or after a stall) would stay there
    as latency for good. Past `MAX_BACKLOG_FRAMES` a write is dropped; a backlog that
    stands (`StandingQueue`) is cut from the next writes, all of it: the player keeps
    its own buffer (`LATENCY_MS`) against jitter, and keeping part of the backlog as
    well only added latency on the same-host path (bench.room_plane; docs/audio.md)."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.standing = StandingQueue(0)
        self._to_drop = 0  # standing backlog found, not cut yet (writes are small)

    async def write(self, data: bytes) -> bool:
        """False when nothing of `data` was written."""
        backlog = backlog_bytes(self.writer)
        if backlog > MAX_BACKLOG_FRAMES * FRAME_BYTES:
            return False
        self._to_drop += self.standing.excess(backlog)
        cut = min(self._to_drop, len(data))
        data, self._to_drop = data[cut:], self._to_drop - cut
        if not data:
            return False
        self.writer.write(data)
        await self.writer.drain()
        return True


async def play_track(
    track: MediaStreamTrack,
    server: str,
    sink: str,
    on_frame: Callable[[], None] | None = None,
) -> None:
    """Play `track` into `sink` until the track ends (or the task is cancelled);
    `on_frame` is called for every frame played."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    async with supervised(
        pacat_argv(sink), name="pacat", env=pulse_env(server), stdin=asyncio.subprocess.PIPE
    ) as proc:
        assert proc.stdin is not None
        player = PlayerInput(proc.stdin)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.AudioFrame)
            if on_frame is not None:
                on_frame()
            for out in resampler.resample(frame):
                await player.write(bytes(out.planes[0])[: out.samples * 2])
