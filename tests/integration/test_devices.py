"""Bot devices on their own: real Xvfb and PulseAudio, no browser."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pulsectl
import pytest

from bridge_worker.devices.audio import bot_audio
from bridge_worker.devices.audio_io import dominant_frequency, playing, record
from bridge_worker.devices.display import virtual_display
from lab.bots import alive
from lab.media import make_tone_wav
from meetbridge.process import bot_account

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def tone_600(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tone_wav(tmp_path_factory.mktemp("tones") / "600.wav", 600.0, seconds=5)


async def test_displays_pick_their_own_numbers_and_go_away() -> None:
    account = bot_account("meetbridge-bot")
    async with (
        virtual_display(width=640, height=360, run_as=account) as one,
        virtual_display(width=320, height=240, run_as=account) as two,
    ):
        assert one.name != two.name
        info = await asyncio.to_thread(
            subprocess.run, ["xdpyinfo", "-display", two.name], capture_output=True, text=True
        )
        assert "320x240 pixels" in info.stdout
        pids = [one.pid, two.pid]
    assert alive(pids) == []


async def test_microphone_and_speaker_carry_sound_and_stay_private(tone_600: Path) -> None:
    account = bot_account("meetbridge-bot")
    base = Path("/tmp")
    async with (
        bot_audio(runtime_base=base, run_as=account) as mine,
        bot_audio(runtime_base=base, run_as=account) as other,
    ):
        async with playing(mine.server, mine.mic_sink, tone_600):
            said = await record(mine.server, mine.mic_source, 1.0)
            elsewhere = await record(other.server, other.mic_source, 1.0)
        assert dominant_frequency(said, 48000) == pytest.approx(600, abs=5)
        assert dominant_frequency(elsewhere, 48000) is None
        async with playing(mine.server, mine.speaker_sink, tone_600):
            heard = await record(mine.server, mine.speaker_monitor, 1.0)
        assert dominant_frequency(heard, 48000) == pytest.approx(600, abs=5)
        with pulsectl.Pulse("test", server=mine.server) as pulse:
            assert pulse.server_info().default_sink_name == mine.speaker_sink
            assert pulse.server_info().default_source_name == mine.mic_source
        pids = [mine.daemon_pid, other.daemon_pid]
    assert alive(pids) == []


async def test_a_daemon_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        async with bot_audio(runtime_base=tmp_path / "missing", run_as=None):
            pass
