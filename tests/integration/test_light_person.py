"""The lab's browserless people (aiortc on Janus's VideoRoom API): the latency
benchmark's senders and listeners. They must time what they send and receive, and be
real participants to the demo page the bots join.

Run inside the lab namespace: `infra/lab/netns-run .venv/bin/python -m pytest
tests/integration/test_light_person.py`.
"""

from __future__ import annotations

import asyncio
import time

import psutil
import pytest

from lab.light_person import RATE, LightPerson
from lab.light_person_host import HostedLightPerson
from lab.media import COLOURS, closest_colour_name, dominant_frequency
from lab.onsets import delays
from tests.fixtures.lab import MeetingFactory, PersonFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

RED, BLUE = COLOURS["red"], COLOURS["blue"]
WHITE = (255, 255, 255)


async def test_bursts_and_flashes_are_timed_at_both_ends(lab_meeting: MeetingFactory) -> None:
    meeting = await lab_meeting()
    url = meeting.janus.http_url
    async with (
        LightPerson("ann", url, meeting.room, tone_hz=440, colour=WHITE, pulse=(1.0, 0.3)) as ann,
        LightPerson("annear", url, meeting.room, publish=False) as listener,
        LightPerson("annbehind", url, meeting.room, publish=False) as sound_only,
    ):
        received = await listener.hear("ann")
        heard_only = await sound_only.hear("ann", video=False)
        await asyncio.sleep(2)  # connected, first key frame in
        start = time.time() * 1000
        await asyncio.sleep(5)
        got = received.since(start)
        sent_audio = [at for at in ann.tone.onsets_ms if at >= start]
        sent_video = [at for at in ann.picture.onsets_ms if at >= start]

    assert 4 <= len(sent_audio) <= 6 and 4 <= len(sent_video) <= 6
    # each burst and flash arrives once, after it left and soon (loopback, one Janus)
    audio = delays(sent_audio, got.tone_onsets(440), max_ms=900)
    video = delays(sent_video, got.flash_onsets(), max_ms=900)
    assert len(audio) >= len(sent_audio) - 1 and len(video) >= len(sent_video) - 1
    assert all(0 < d < 300 for d in audio + video), (audio, video)
    assert heard_only.tone_onsets(440) and not heard_only.video  # no picture asked, none sent


async def test_browser_people_and_light_people_hear_and_see_each_other(
    lab_meeting: MeetingFactory, person_factory: PersonFactory
) -> None:
    meeting = await lab_meeting()
    alice = await person_factory("Alice", 440, RED)
    await alice.join(meeting.url)
    async with LightPerson(
        "Carol", meeting.janus.http_url, meeting.room, tone_hz=1000, colour=BLUE
    ) as carol:
        received = await carol.hear("Alice")
        await alice.wait_for_participant("Carol", timeout_s=30)
        await asyncio.sleep(2)
        heard = await alice.heard_frequency_from("Carol")
        seen = closest_colour_name(await alice.seen_colour("Carol"))
        frames = received.frames()
        samples, _ = received.audio_times()

    assert heard == pytest.approx(1000, abs=15)
    assert seen == "blue"
    assert dominant_frequency(samples, RATE) == pytest.approx(440, abs=15)
    assert frames.size and frames[-1, 1] > 20  # red's luma, not a black picture


async def test_a_person_in_a_process_of_its_own_is_driven_from_outside(
    lab_meeting: MeetingFactory,
) -> None:
    meeting = await lab_meeting()
    where = {"janus_url": meeting.janus.http_url, "room": meeting.room}
    async with (
        HostedLightPerson(name="ann", **where, colour=WHITE, pulse=(1.0, 0.3)) as ann,
        HostedLightPerson(name="annear", **where, publish=False) as listener,
    ):
        await listener.hear("ann")
        await asyncio.sleep(2)
        start = time.time() * 1000
        await asyncio.sleep(4)
        tone, picture, late = await ann.onsets(start)
        got = await listener.received("ann", start)
        pids = [person.pid for person in (ann, listener)]

    sent = [at for at in tone if at >= start]
    assert len(sent) >= 3 and len(late) >= 150  # 20 ms frames for 4 s and more
    assert len(delays(sent, got.tone_onsets(440), max_ms=900)) >= len(sent) - 1
    assert len(delays(picture, got.flash_onsets(), max_ms=900)) >= 3
    assert not any(psutil.pid_exists(pid) for pid in pids)  # each process stopped
