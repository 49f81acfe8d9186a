"""A bot's seat in a room's Janus AudioBridge: it sends what its meeting says and
plays into its meeting the mix of every other member (never itself).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog
from aiortc import RTCPeerConnection, RTCSessionDescription

from bridge_worker.devices.audio import BotAudio
from bridge_worker.wiring.encoded_frames import FrameSource
from bridge_worker.wiring.peer_close import close_peer
from bridge_worker.wiring.prompt_jitter_buffer import PromptJitterBuffer
from bridge_worker.wiring.pulse_media import capture_track, play_track
from bridge_worker.wiring.receiver_buffer import replace_jitter_buffer
from bridge_worker.wiring.seat_health import SeatCounters
from bridge_worker.wiring.seat_voice import seat_voice
from meetbridge.janus_http import JanusSession
from meetbridge.tasks import stopped

log = structlog.get_logger(__name__)
PLUGIN = "janus.plugin.audiobridge"
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class AudioRoom:
    janus_url: str  # http://host:port/janus
    room: int
    secret: str | None = None
    prebuffer: int = 3  # packets Janus buffers per member before mixing (20 ms each)
    receive_prefetch: int = 2  # frames of the mix we buffer before playing (aiortc: 4)
    pin: str | None = None  # the room's join pin


async def _connected(pc: RTCPeerConnection, timeout_s: float) -> None:
    """Wait for ICE and DTLS to finish, so media flows when the seat is handed over."""
    done = asyncio.Event()

    @pc.on("connectionstatechange")
    def _changed() -> None:
        if pc.connectionState in ("connected", "failed", "closed"):
            done.set()

    if pc.connectionState != "connected":
        await asyncio.wait_for(done.wait(), timeout_s)
    if pc.connectionState != "connected":
        raise RuntimeError(f"audio bridge connection {pc.connectionState}")


@contextlib.asynccontextmanager
async def audio_seat(
    room: AudioRoom,
    audio: BotAudio,
    display: str,
    counters: SeatCounters | None = None,
    relay: FrameSource | None = None,
) -> AsyncIterator[None]:
    """Join `room` with what the bot's meeting says (its page's `relay` frames while
    they carry it, else its speaker monitor: `seat_voice`); play the mix into its
    microphone."""
    counters = counters or SeatCounters()

    def sent() -> None:
        counters.audio_out += 1

    def played() -> None:
        counters.audio_in += 1

    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(JanusSession(room.janus_url))
        handle = await session.attach(PLUGIN)
        capture = await stack.enter_async_context(
            capture_track(
                audio.server, audio.speaker_monitor, sent, counters.audio_out_loudness.add
            )
        )
        track = await stack.enter_async_context(seat_voice(capture, relay))
        pc = RTCPeerConnection()
        stack.push_async_callback(close_peer, pc, "audio bridge seat")
        players: list[asyncio.Task[None]] = []

        @pc.on("track")
        def _on_track(remote: object) -> None:
            players.append(
                asyncio.create_task(
                    play_track(remote, audio.server, audio.mic_sink, played)  # type: ignore[arg-type]
                )
            )

        transceiver = pc.addTransceiver(track, direction="sendrecv")
        # aiortc's buffer is 4 frames deep, and deepens at a loss: latency is the product
        replace_jitter_buffer(transceiver.receiver, PromptJitterBuffer(room.receive_prefetch))
        await pc.setLocalDescription(await pc.createOffer())
        join: dict[str, object] = {
            "request": "join",
            "room": room.room,
            "display": display[:64],
            "prebuffer": room.prebuffer,
        }
        if room.pin:
            join["pin"] = room.pin
        data, jsep = await handle.message(
            join,
            jsep={"type": "offer", "sdp": pc.localDescription.sdp},
        )
        if data.get("audiobridge") != "joined" or jsep is None:
            raise RuntimeError(f"AudioBridge did not let us join: {data}")
        await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
        await _connected(pc, CONNECT_TIMEOUT_S)
        log.info("audio seat taken", room=room.room, display=display)

        async def stop_players() -> None:
            await stopped(*players)

        stack.push_async_callback(stop_players)
        stack.push_async_callback(handle.detach)
        yield
