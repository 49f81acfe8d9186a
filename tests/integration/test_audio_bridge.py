"""The room's audio plane on its own: two bots' PulseAudio devices joined through a
real Janus AudioBridge with aiortc (no browsers): each hears the other, not itself."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from bridge_worker.devices.audio import BotAudio, bot_audio
from bridge_worker.devices.audio_io import dominant_frequency, playing, record
from bridge_worker.wiring.audio_bridge import AudioRoom, audio_seat
from bridge_worker.wiring.pulse_pipe import pulse_pipe
from bridge_worker.wiring.seat_health import Loudness, SeatCounters, level_dbfs
from lab.janus_server import LabJanus
from lab.media import make_tone_wav
from lab.meeting_frames import MeetingFrames, on_the_clock, tone_frames
from meetbridge.janus_rooms import RoomMedia, create_rooms
from meetbridge.process import bot_account
from meetbridge.tasks import stopped

pytestmark = [pytest.mark.integration]


async def test_two_bots_hear_each_other_through_an_audio_bridge(tmp_path: Path) -> None:
    account = bot_account("meetbridge-bot")
    tone_a = make_tone_wav(tmp_path / "a.wav", 440.0, seconds=10)
    tone_b = make_tone_wav(tmp_path / "b.wav", 1000.0, seconds=10)
    async with contextlib.AsyncExitStack() as stack:
        janus = await stack.enter_async_context(LabJanus())
        room = AudioRoom(janus.http_url, 4321, secret="room-secret", prebuffer=2, pin="room-pin")
        await create_rooms(
            RoomMedia(janus.http_url, 4321, 4322, "room-secret", prebuffer=2, pin="room-pin")
        )
        a = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        b = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        seat_a = SeatCounters()
        await stack.enter_async_context(audio_seat(room, a, "bot-a", seat_a))
        await stack.enter_async_context(audio_seat(room, b, "bot-b"))
        # Meeting A says 440 Hz (into A's speaker), meeting B says 1000 Hz.
        await stack.enter_async_context(playing(a.server, a.speaker_sink, tone_a))
        await stack.enter_async_context(playing(b.server, b.speaker_sink, tone_b))
        for _ in range(10):  # the first packets fill Janus's prebuffer
            said_to_a, said_to_b = await asyncio.gather(
                record(a.server, a.mic_source, 1.0), record(b.server, b.mic_source, 1.0)
            )
            heard_by_a = dominant_frequency(said_to_a, 48000)
            heard_by_b = dominant_frequency(said_to_b, 48000)
            if heard_by_a and heard_by_b:
                break
    assert heard_by_b == pytest.approx(440.0, abs=5)  # B's meeting now hears A's
    # What A's meeting sends is measured on its way: the tone's -6 dBFS peaks, RMS -9.
    sent = seat_a.snapshot().audio_out_loudness
    assert level_dbfs(Loudness(), sent) == pytest.approx(-9.0, abs=1.0)
    assert heard_by_a == pytest.approx(1000.0, abs=5)  # and A's hears B's, not itself


async def _hears(audio: BotAudio, hz: float, tries: int = 10) -> float | None:
    """What `audio`'s microphone carries, once it is `hz` (or after `tries` seconds)."""
    heard = None
    for _ in range(tries):
        heard = dominant_frequency(await record(audio.server, audio.mic_source, 1.0), 48000)
        if heard is not None and abs(heard - hz) <= 5:
            break
    return heard


async def test_a_seat_says_its_pages_frames_while_they_carry_its_meeting_else_its_capture(
    tmp_path: Path,
) -> None:
    """With the encoded relay, the AudioBridge is given the meeting's frames as the
    bot's page received them (its speaker's capture is not encoded); once the page
    steps aside, the capture goes instead."""
    account = bot_account("meetbridge-bot")
    played = make_tone_wav(tmp_path / "a.wav", 700.0, seconds=30)  # A's speaker plays it
    meeting = MeetingFrames()  # and A's page taps 440 Hz frames
    async with contextlib.AsyncExitStack() as stack:
        janus = await stack.enter_async_context(LabJanus())
        room = AudioRoom(janus.http_url, 4331, secret="room-secret", prebuffer=2)
        await create_rooms(RoomMedia(janus.http_url, 4331, 4332, "room-secret", prebuffer=2))
        a = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        b = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        await stack.enter_async_context(audio_seat(room, a, "bot-a", relay=meeting))
        await stack.enter_async_context(audio_seat(room, b, "bot-b"))
        await stack.enter_async_context(playing(a.server, a.speaker_sink, played))
        speaking = asyncio.create_task(on_the_clock(tone_frames(50 * 30), meeting.said))
        stack.push_async_callback(stopped, speaking)

        assert await _hears(b, 440.0) == pytest.approx(440.0, abs=5)
        meeting.fallback = "vendor_sender_transform"
        assert await _hears(b, 700.0) == pytest.approx(700.0, abs=5)


async def test_a_same_host_pipe_carries_one_bots_meeting_into_anothers_microphone(
    tmp_path: Path,
) -> None:
    """The same-host path: A's speaker monitor piped into B's microphone, and only
    while the pipe lasts (removal from the room closes it)."""
    account = bot_account("meetbridge-bot")
    tone_a = make_tone_wav(tmp_path / "a.wav", 440.0, seconds=10)
    frames: list[int] = []
    async with contextlib.AsyncExitStack() as stack:
        a = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        b = await stack.enter_async_context(bot_audio(runtime_base=Path("/tmp"), run_as=account))
        await stack.enter_async_context(playing(a.server, a.speaker_sink, tone_a))
        loudness = Loudness()
        async with pulse_pipe(
            a.server,
            a.speaker_monitor,
            b.server,
            b.mic_sink,
            lambda: frames.append(1),
            on_audio=loudness.add,
        ):
            heard = dominant_frequency(await record(b.server, b.mic_source, 1.0), 48000)
            assert heard == pytest.approx(440.0, abs=5)
        assert len(frames) > 25  # about 50 frames of 20 ms a second went through
        # The tone's peaks are at -6 dBFS: its RMS level, as the seat reports it, is -9.
        assert level_dbfs(Loudness(), loudness) == pytest.approx(-9.0, abs=1.0)
        await asyncio.sleep(0.2)
        assert dominant_frequency(await record(b.server, b.mic_source, 1.0), 48000) is None
