"""A seat's audio leg: how its meeting's sound reaches the other members, and theirs its
microphone. One interface, two paths, chosen by the room plan:

- `PulsePipes` (same host): each source's speaker monitor is piped straight into this
  bot's microphone between the two PulseAudio daemons; PulseAudio mixes the pipes.
- `AudioBridgeLeg` (Janus): the bot's speaker monitor goes to the room's AudioBridge,
  and the mix of everyone else (never itself) comes back into its microphone; the
  AudioBridge mixes whoever is in the room, so a change of sources changes nothing here.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from bridge_worker.devices.audio import BotAudio
from bridge_worker.wiring.audio_bridge import AudioRoom, audio_seat
from bridge_worker.wiring.encoded_frames import FrameSource
from bridge_worker.wiring.pulse_pipe import pulse_pipe
from bridge_worker.wiring.seat_health import SeatCounters
from bridge_worker.wiring.seat_io import Source
from meetbridge.room_plan import Path


class AudioLeg(Protocol):
    async def set_sources(self, sources: Sequence[Source]) -> None:
        """Play exactly these members' meetings into the microphone."""
        ...

    async def aclose(self) -> None:
        """Stop being heard and hearing, at once; closing twice is harmless."""
        ...


class PulsePipes:
    """The same-host leg: one pipe per source, from its daemon into ours."""

    def __init__(self, audio: BotAudio, counters: SeatCounters):
        self.audio, self.counters = audio, counters
        self._pipes: dict[str, tuple[str, contextlib.AsyncExitStack]] = {}

    async def set_sources(self, sources: Sequence[Source]) -> None:
        servers = {s.bot_id: s.audio_server for s in sources if s.audio_server}
        for bot_id, (server, pipe) in list(self._pipes.items()):
            if servers.get(bot_id) != server:  # gone, or its daemon changed
                del self._pipes[bot_id]
                await pipe.aclose()
        for bot_id, server in servers.items():
            if bot_id not in self._pipes:
                pipe = contextlib.AsyncExitStack()
                await pipe.enter_async_context(
                    pulse_pipe(
                        server,
                        self.audio.speaker_monitor,
                        self.audio.server,
                        self.audio.mic_sink,
                        self._heard,
                        on_audio=functools.partial(self.counters.heard_from, bot_id),
                    )
                )
                self._pipes[bot_id] = (server, pipe)

    def _heard(self) -> None:
        self.counters.audio_in += 1

    async def aclose(self) -> None:
        await self.set_sources([])


class AudioBridgeLeg:
    """The Janus leg: a seat in the room's AudioBridge for as long as the leg is open."""

    def __init__(self) -> None:
        self._seat = contextlib.AsyncExitStack()

    @classmethod
    async def open(
        cls,
        room: AudioRoom,
        audio: BotAudio,
        bot_id: str,
        counters: SeatCounters,
        relay: FrameSource | None = None,
    ) -> AudioBridgeLeg:
        leg = cls()
        async with contextlib.AsyncExitStack() as opening:
            opening.push_async_callback(leg.aclose)
            await leg._seat.enter_async_context(audio_seat(room, audio, bot_id, counters, relay))
            opening.pop_all()
        return leg

    async def set_sources(self, sources: Sequence[Source]) -> None:
        """Nothing to do: the AudioBridge mixes every member but this one."""

    async def aclose(self) -> None:
        await self._seat.aclose()


@contextlib.asynccontextmanager
async def audio_leg(
    path: Path,
    audio: BotAudio,
    bot_id: str,
    room: AudioRoom,
    counters: SeatCounters,
    relay: FrameSource | None = None,
) -> AsyncIterator[AudioLeg]:
    """The leg for `path`, closed when the block exits (the seat may close it sooner).
    `relay`: the bot's page's frames of its meeting, which the AudioBridge takes
    instead of the capture while they carry it."""
    leg: AudioLeg
    if path is Path.SAME_HOST:
        leg = PulsePipes(audio, counters)
    else:
        leg = await AudioBridgeLeg.open(room, audio, bot_id, counters, relay)
    try:
        yield leg
    finally:
        await leg.aclose()
