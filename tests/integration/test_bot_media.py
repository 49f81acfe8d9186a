"""A bot in a real lab meeting hears, is heard, and is seen (real Janus, Chromium, Pulse)."""

from __future__ import annotations

import asyncio
import pwd
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import psutil
import pytest

from bridge_worker.bot import Bot
from bridge_worker.capture.screen import grab
from bridge_worker.devices.audio_io import dominant_frequency, playing, record
from bridge_worker.devices.camera import solid_frame
from lab.bots import running_bot
from lab.media import closest_colour_name, make_tone_wav
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

PERSON_HZ = 440.0
BOT_MIC_HZ = 1000.0
GREEN = (0, 200, 0)


@pytest.fixture(scope="module")
async def call(playwright, lab_media_dir: Path) -> AsyncIterator[tuple[SimulatedPerson, Bot]]:
    """One lab meeting with a person (440 Hz, red) and a bot in it, shared by this module."""
    async with (
        LabMeeting() as meeting,
        SimulatedPerson(playwright, "ann", PERSON_HZ, (220, 0, 0), lab_media_dir) as person,
    ):
        await person.join(meeting.url)
        async with running_bot(playwright, meeting.url, "bridgebot") as bot:
            await person.wait_for_participant("bridgebot", timeout_s=20)
            yield person, bot


async def test_bot_speaker_carries_what_the_person_says(call) -> None:
    _, bot = call
    assert bot.devices is not None
    audio = bot.devices.audio
    samples = await record(audio.server, audio.speaker_monitor, 1.5)
    assert dominant_frequency(samples, 48000) == pytest.approx(PERSON_HZ, abs=5)


async def test_person_hears_what_is_played_into_the_bot_microphone(call, tmp_path: Path) -> None:
    person, bot = call
    assert bot.devices is not None
    audio = bot.devices.audio
    tone = make_tone_wav(tmp_path / "mic.wav", BOT_MIC_HZ, seconds=5)
    assert await person.heard_frequency(1.0) is None  # the bot is silent until fed
    async with playing(audio.server, audio.mic_sink, tone):
        assert await person.heard_frequency(1.5) == pytest.approx(BOT_MIC_HZ, abs=5)


async def test_person_sees_the_colour_the_worker_feeds_the_camera(call) -> None:
    person, bot = call
    assert bot.devices is not None
    feed = bot.devices.feed
    feed.show(solid_frame(GREEN, feed.camera.width, feed.camera.height))
    for _ in range(25):  # up to 5 s for the new picture to cross the meeting
        r, g, b = await person.seen_colour("bridgebot")
        if closest_colour_name((r, g, b)) == "green":
            break
        await asyncio.sleep(0.2)
    assert closest_colour_name((r, g, b)) == "green", (r, g, b)


async def test_bot_browser_runs_sandboxed_as_the_bot_account(call) -> None:
    _, bot = call
    assert bot.devices is not None
    bot_uid = pwd.getpwnam(bot.settings.bot_user).pw_uid
    chromium = [psutil.Process(pid) for pid in bot.devices.process_ids()[2:]]
    assert chromium, "no Chromium process found for the bot"
    for proc in chromium:
        assert proc.uids().real == bot_uid, proc.cmdline()[:2]
        assert "--no-sandbox" not in proc.cmdline()


async def test_stage_is_the_remote_video_and_never_the_self_view(call) -> None:
    person, bot = call
    assert bot.devices is not None
    page = bot.devices.page
    stage = await bot.stage_box()
    assert stage is not None
    own_view = await page.locator("#videolocal").bounding_box()
    remote = await page.locator("#videoremote1").bounding_box()
    assert own_view is not None and remote is not None
    # In page coordinates the stage is exactly the one remote feed...
    viewport_stage = await bot.vendor.stage_box(page)
    assert viewport_stage is not None
    assert (viewport_stage.x, viewport_stage.y) == pytest.approx((remote["x"], remote["y"]))
    # ...which does not overlap the bot's own preview.
    overlap_x = min(remote["x"] + remote["width"], own_view["x"] + own_view["width"]) - max(
        remote["x"], own_view["x"]
    )
    overlap_y = min(remote["y"] + remote["height"], own_view["y"] + own_view["height"]) - max(
        remote["y"], own_view["y"]
    )
    assert overlap_x <= 0 or overlap_y <= 0
    # On the bot's screen, the stage sits below the browser's own toolbar.
    assert stage.y > viewport_stage.y and stage.x >= viewport_stage.x
    assert stage.x + stage.width <= bot.settings.screen_width
    assert stage.y + stage.height <= bot.settings.screen_height


async def test_the_bot_never_draws_its_own_camera(call) -> None:
    """The vendor's self view is hidden (drawing it costs the compositor every camera
    frame, and it is never captured): the picture the bot sends is seen by the person
    and is nowhere on the bot's own screen, while the self view keeps its place."""
    person, bot = call
    assert bot.devices is not None
    feed = bot.devices.feed
    feed.show(solid_frame(GREEN, feed.camera.width, feed.camera.height))
    for _ in range(25):
        if closest_colour_name(await person.seen_colour("bridgebot")) == "green":
            break
        await asyncio.sleep(0.2)
    assert closest_colour_name(await person.seen_colour("bridgebot")) == "green"
    pixels = np.asarray(await asyncio.to_thread(grab, bot.devices.display.name), np.int16)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    greenish = (green > 150) & (red < 80) & (blue < 80)
    assert greenish.mean() < 0.001, f"{greenish.mean():.2%} of the bot's screen shows its camera"
    own_view = await bot.devices.page.locator("#videolocal").bounding_box()
    assert own_view is not None and own_view["width"] > 0


async def test_the_bot_relays_the_meeting_without_lip_sync(call) -> None:
    """The lab vendor's page plays remote tracks apart, so the bot's browser gives each
    received audio track a stream of its own; the person's picture and voice still play."""
    _, bot = call
    assert bot.devices is not None
    page = bot.devices.page
    assert await page.evaluate("window.__meetbridgeUnsyncedReceive === true")
    played = "document.querySelector('#videoremote1 video').currentTime"
    before = await page.evaluate(played)
    await asyncio.sleep(0.5)
    assert await page.evaluate(played) > before
    samples = await record(bot.devices.audio.server, bot.devices.audio.speaker_monitor, 1.0)
    assert dominant_frequency(samples, 48000) == pytest.approx(PERSON_HZ, abs=5)


async def test_the_bot_browser_cannot_reach_outside_its_vendor(call) -> None:
    _, bot = call
    assert bot.devices is not None
    page = bot.devices.page
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://10.99.0.1:9/",
        "http://example.com/",
    ):
        outcome = await page.evaluate(
            "url => fetch(url).then(() => 'reached', e => 'refused: ' + e.message)", url
        )
        assert outcome.startswith("refused"), (url, outcome)
