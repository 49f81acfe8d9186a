"""A participant in a lab meeting with no browser: aiortc on Janus's VideoRoom API.

The latency benchmark needs people that do not starve the machine: a headless
Chromium person costs ~0.3 cores, and three of them beside two bots kept 2 cores
saturated, so the figures measured the machine, not the bridge. A light person
costs about 0.1 core per connection (aiortc handles every packet in Python:
measured 0.31 for ann publishing, annear hearing her and bob publishing). It
sends a tone and a picture made on the wall clock, so when each burst and flash
left is known (the frame that starts one is timed as it is handed to the
encoder, not recorded afterwards), and it receives other participants as frames
complete (`_time_arrivals`): it times when media arrives, not when a browser would
play it (no playout delay, no lip sync).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from fractions import Fraction
from types import TracebackType

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RtpPacket

from bridge_worker.wiring.receiver_buffer import replace_jitter_buffer
from bridge_worker.wiring.video_frame_buffer import MarkerFrameBuffer
from lab.onsets import flash_onsets, timed_tone_onsets
from meetbridge.janus_http import JanusError, JanusHandle, JanusSession

PLUGIN = "janus.plugin.videoroom"
RATE = 48000
FRAME_S = 0.02
SAMPLES = int(RATE * FRAME_S)
AMPLITUDE = 0.3 * 32767
VIDEO_CLOCK = 90000
Pulse = tuple[float, float]  # period and length of a burst, seconds


def _now_ms() -> float:
    return time.time() * 1000


class _WallClockTrack(MediaStreamTrack):
    """A track whose frames are due at fixed wall-clock times from its first frame;
    `onsets_ms` holds when each frame that starts a burst or flash was handed over,
    `late_ms` how late each frame was (a sender that falls behind sends in bursts,
    and receivers' jitter buffers grow to absorb them)."""

    def __init__(self, interval_s: float, pulse: Pulse | None) -> None:
        super().__init__()
        self._interval = interval_s
        # in frames, so that bursts start on frame boundaries
        self._period, self._on_frames = (
            (round(pulse[0] / interval_s), round(pulse[1] / interval_s)) if pulse else (1, 1)
        )
        self._start: float | None = None
        self._index = 0
        self.onsets_ms: list[float] = []
        self.late_ms: list[tuple[float, float]] = []  # (when, how late) per frame

    async def _next_due(self) -> tuple[float, bool]:
        """When the next frame is due (s since the first), after waiting for it, and
        whether it is lit (in a burst or flash)."""
        if self._start is None:
            self._start = time.time()
        index, self._index = self._index, self._index + 1
        at = index * self._interval
        wait = self._start + at - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        now = _now_ms()
        self.late_ms.append((now, now - (self._start + at) * 1000))
        phase = index % self._period
        if phase == 0 and self._period > 1:
            self.onsets_ms.append(now)
        return at, phase < self._on_frames


class ToneTrack(_WallClockTrack):
    """A tone of whole hertz in 20 ms frames: steady, or in bursts (`pulse`)."""

    kind = "audio"

    def __init__(self, freq_hz: float, pulse: Pulse | None = None) -> None:
        super().__init__(FRAME_S, pulse)
        # A whole-hertz tone repeats every second: one second of it, made once (a
        # sender on a busy machine must cost little).
        second = np.arange(RATE) / RATE
        self._second = (AMPLITUDE * np.sin(2 * np.pi * round(freq_hz) * second)).astype("<i2")
        self._silence = np.zeros((1, SAMPLES), dtype="<i2")

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        at, lit = await self._next_due()
        first = round(at * RATE) % RATE
        samples = self._second[first : first + SAMPLES].reshape(1, -1) if lit else self._silence
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = round(at * RATE)
        frame.time_base = Fraction(1, RATE)
        return frame


class PictureTrack(_WallClockTrack):
    """A plain picture: steady, or black with flashes of its colour (`pulse`)."""

    kind = "video"

    def __init__(
        self, colour: tuple[int, int, int], size: tuple[int, int, int], pulse: Pulse | None = None
    ) -> None:
        width, height, fps = size
        super().__init__(1.0 / fps, pulse)
        self._lit = np.full((height, width, 3), colour, dtype=np.uint8)
        self._dark = np.zeros_like(self._lit)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        at, lit = await self._next_due()
        frame = av.VideoFrame.from_ndarray(self._lit if lit else self._dark, "rgb24")
        frame.pts = round(at * VIDEO_CLOCK)
        frame.time_base = Fraction(1, VIDEO_CLOCK)
        return frame


class MovingPictureTrack(_WallClockTrack):
    """A bar of its colour sweeping across black once a second: every frame differs,
    as a person's camera does, so what shows them (a bot's stage) changes every frame.
    The frames are made once, in the encoder's own format (a sender must cost little)."""

    kind = "video"

    def __init__(self, colour: tuple[int, int, int], size: tuple[int, int, int]) -> None:
        width, height, fps = size
        super().__init__(1.0 / fps, None)
        bar = max(width // 8, 2)
        frames = []
        for index in range(fps):
            rgb = np.zeros((height, width, 3), dtype=np.uint8)
            left = index * (width - bar) // max(fps - 1, 1)
            rgb[:, left : left + bar] = colour
            frames.append(av.VideoFrame.from_ndarray(rgb, "rgb24").to_ndarray(format="yuv420p"))
        self._frames = frames

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        at, _ = await self._next_due()
        index = round(at * len(self._frames)) % len(self._frames)
        frame = av.VideoFrame.from_ndarray(self._frames[index], "yuv420p")
        frame.pts = round(at * VIDEO_CLOCK)
        frame.time_base = Fraction(1, VIDEO_CLOCK)
        return frame


class AudioArrivals:
    """A receive buffer that hands each audio packet to the decoder as it arrives
    (aiortc's keeps audio 4 frames deep). Video has meetbridge's own stage buffer,
    which hands a frame on at its last packet (`MarkerFrameBuffer`)."""

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        data = getattr(packet, "_data", packet.payload)  # depayloaded by the receiver
        return False, JitterFrame(data=data, timestamp=packet.timestamp)


def _time_arrivals(receiver: RTCRtpReceiver, kind: str) -> None:
    replace_jitter_buffer(receiver, MarkerFrameBuffer() if kind == "video" else AudioArrivals())


@dataclass
class Received:
    """What a light person got from one participant, with arrival times (wall ms)."""

    audio: list[tuple[float, np.ndarray]] = field(default_factory=list)  # per 20 ms frame
    video: list[tuple[float, float]] = field(default_factory=list)  # (arrival, mean luma)

    def since(self, start_ms: float) -> Received:
        return Received(
            [item for item in self.audio if item[0] >= start_ms],
            [item for item in self.video if item[0] >= start_ms],
        )

    def audio_times(self) -> tuple[np.ndarray, np.ndarray]:
        """Samples end to end, and each one's wall-clock time: a frame's first sample at
        its arrival, the rest after it at the sample rate."""
        if not self.audio:
            return np.zeros(0, np.float32), np.zeros(0)
        samples = np.concatenate([chunk for _, chunk in self.audio])
        times = np.concatenate(
            [at + np.arange(chunk.size) * 1000.0 / RATE for at, chunk in self.audio]
        )
        return samples, times

    def frames(self) -> np.ndarray:
        """Rows of (arrival ms, mean luma), as `lab.onsets.flash_onsets` takes."""
        return np.asarray(self.video, dtype=np.float64).reshape(-1, 2)

    def tone_onsets(self, freq_hz: float) -> list[float]:
        """When bursts of `freq_hz` started arriving (wall ms)."""
        samples, times = self.audio_times()
        return timed_tone_onsets(samples, times, RATE, freq_hz)

    def flash_onsets(self) -> list[float]:
        """When flashes started arriving (wall ms)."""
        return flash_onsets(self.frames())


async def _keep(track: MediaStreamTrack, into: Received) -> None:
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        at = _now_ms()
        if isinstance(frame, av.AudioFrame):
            channels = len(frame.layout.channels)
            pcm = frame.to_ndarray().reshape(-1, channels)[:, 0].astype(np.float32) / 32768.0
            into.audio.append((at, pcm))
        elif isinstance(frame, av.VideoFrame):
            into.video.append((at, float(frame.to_ndarray(format="gray").mean())))


class LightPerson:
    """Async context manager: joins room `room` of the lab Janus at `janus_url` as
    `name`, publishing `tone_hz` and `colour` unless `publish` is false."""

    def __init__(
        self,
        name: str,
        janus_url: str,
        room: int,
        *,
        tone_hz: float = 440.0,
        colour: tuple[int, int, int] = (0, 0, 0),
        size: tuple[int, int, int] = (160, 90, 10),
        pulse: Pulse | None = None,
        moving: bool = False,
        publish: bool = True,
    ) -> None:
        """`moving`: a sweeping bar (`MovingPictureTrack`) instead of a plain or
        flashing picture (`pulse` then times the tone only)."""
        self.name = name
        self._janus_url, self._room = janus_url, room
        self.tone = ToneTrack(tone_hz, pulse)
        self.picture: _WallClockTrack = (
            MovingPictureTrack(colour, size) if moving else PictureTrack(colour, size, pulse)
        )
        self._publish = publish
        self._stack: contextlib.AsyncExitStack | None = None
        self._session: JanusSession | None = None
        self.received: dict[str, Received] = {}

    def __repr__(self) -> str:
        return f"LightPerson({self.name!r})"

    async def __aenter__(self) -> LightPerson:
        async with contextlib.AsyncExitStack() as stack:
            self._session = await stack.enter_async_context(JanusSession(self._janus_url))
            if self._publish:
                await stack.enter_async_context(self._publishing())
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[tuple[JanusHandle, RTCPeerConnection]]:
        assert self._session is not None
        handle = await self._session.attach(PLUGIN)
        pc = RTCPeerConnection()
        try:
            yield handle, pc
        finally:
            await pc.close()
            with contextlib.suppress(JanusError):
                await handle.detach()

    @contextlib.asynccontextmanager
    async def _publishing(self) -> AsyncIterator[None]:
        async with self._connection() as (handle, pc):
            await handle.message(
                {"request": "join", "ptype": "publisher", "room": self._room, "display": self.name}
            )
            pc.addTransceiver(self.tone, direction="sendonly")
            pc.addTransceiver(self.picture, direction="sendonly")
            await pc.setLocalDescription(await pc.createOffer())
            data, jsep = await handle.message(
                {"request": "publish", "audio": True, "video": True},
                jsep={"type": "offer", "sdp": pc.localDescription.sdp},
            )
            if jsep is None:
                raise JanusError(f"VideoRoom gave no answer to {self.name}'s offer: {data}")
            await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
            yield

    async def _feed_of(self, handle: JanusHandle, display: str, timeout_s: float) -> int:
        async with asyncio.timeout(timeout_s):
            while True:
                listed = await handle.request({"request": "listparticipants", "room": self._room})
                for participant in listed.get("participants", []):
                    if participant.get("display") == display and participant.get("publisher"):
                        return int(participant["id"])
                await asyncio.sleep(0.3)

    async def hear(self, display: str, *, video: bool = True, timeout_s: float = 60) -> Received:
        """Subscribe to participant `display` (waiting for them to publish) and keep what
        arrives in `self.received[display]` until this person leaves; with `video`
        false, their sound only (no picture to decode)."""
        assert self._stack is not None, "not joined"
        received = self.received.setdefault(display, Received())
        handle, pc = await self._stack.enter_async_context(self._connection())
        feed = await self._feed_of(handle, display, timeout_s)
        keepers: list[asyncio.Task[None]] = []

        @pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            keepers.append(asyncio.create_task(_keep(track, received)))

        data, offer = await handle.message(
            {
                "request": "join",
                "ptype": "subscriber",
                "room": self._room,
                "streams": [{"feed": feed}],
            }
        )
        if offer is None:
            raise JanusError(f"no offer to subscribe to {display}: {data}")
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        for transceiver in pc.getTransceivers():  # before any packet: no ICE yet
            _time_arrivals(transceiver.receiver, transceiver.kind)
            if transceiver.kind == "video" and not video:
                transceiver.direction = "inactive"
        await pc.setLocalDescription(await pc.createAnswer())
        answer = {"type": "answer", "sdp": pc.localDescription.sdp}
        await handle.message({"request": "start"}, jsep=answer)
        self._stack.push_async_callback(_cancel, keepers)
        return received


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
