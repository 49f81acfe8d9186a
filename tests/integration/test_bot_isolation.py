"""Two bots in two meetings at once: each hears and is heard only in its own meeting."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bridge_worker.devices.audio_io import dominant_frequency, playing, record
from lab.bots import running_bot
from lab.media import make_tone_wav
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson

pytestmark = [pytest.mark.integration]

# (person's tone, tone fed into that meeting's bot microphone)
TONES = {1: (440.0, 700.0), 2: (1000.0, 1300.0)}


async def test_two_bots_in_two_meetings_do_not_hear_each_other(
    playwright, lab_media_dir: Path, tmp_path: Path
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        people, bots = {}, {}
        for n, (person_hz, _) in TONES.items():
            meeting = await stack.enter_async_context(LabMeeting())
            person = await stack.enter_async_context(
                SimulatedPerson(playwright, f"person{n}", person_hz, (200, 0, 0), lab_media_dir)
            )
            await person.join(meeting.url)
            people[n] = person
            bots[n] = await stack.enter_async_context(
                running_bot(playwright, meeting.url, f"bot{n}")
            )
        for n, (person_hz, _) in TONES.items():
            audio = bots[n].devices.audio
            heard = dominant_frequency(
                await record(audio.server, audio.speaker_monitor, 1.5), 48000
            )
            assert heard == pytest.approx(person_hz, abs=5), f"bot{n} heard {heard}"
            await people[n].wait_for_participant(f"bot{n}", timeout_s=20)
        async with contextlib.AsyncExitStack() as mics:
            for n, (_, mic_hz) in TONES.items():
                audio = bots[n].devices.audio
                tone = make_tone_wav(tmp_path / f"mic{n}.wav", mic_hz, seconds=5)
                await mics.enter_async_context(playing(audio.server, audio.mic_sink, tone))
            for n, (_, mic_hz) in TONES.items():
                heard = await people[n].heard_frequency(1.5)
                assert heard == pytest.approx(mic_hz, abs=5), f"person{n} heard {heard}"
