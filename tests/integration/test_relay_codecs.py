"""A bot page's encoded relay where the meeting negotiated what vendors' servers do
and the lab's Janus cannot: RED (RFC 2198) and packet durations other than 20 ms. A
real bot browser (sandboxed, as the bot account, with the relay's script) in a
two-party call with a lab person's page (`lab.p2p_call`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, Playwright

from bridge_worker.bot_devices import bot_devices
from bridge_worker.browser.page_relay import PageRelay, page_relay
from bridge_worker.wiring.opus_packet import opus_samples
from lab.bots import bot_settings
from lab.meeting_frames import on_the_clock, tone_frames, tone_in
from lab.p2p_call import connect, p2p_call_site
from lab.person import headless_chromium
from lab.room_scene import eventually

pytestmark = [pytest.mark.integration]
RATE = 48_000
PERSON_ARGS = (
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
)


@contextlib.asynccontextmanager
async def bot_page_and_person(
    playwright: Playwright,
) -> AsyncIterator[tuple[Page, PageRelay, Page, str]]:
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(p2p_call_site())
        settings = bot_settings(audio_relay="encoded")
        devices = await stack.enter_async_context(bot_devices(settings, playwright, "codecs"))
        relay = await stack.enter_async_context(page_relay(devices.page))
        browser = await stack.enter_async_context(headless_chromium(playwright, *PERSON_ARGS))
        yield devices.page, relay, await browser.new_page(), url


@pytest.mark.parametrize("red", [True, False], ids=["red", "opus"])
async def test_the_relay_takes_and_sends_plain_opus_whether_or_not_red_was_negotiated(
    playwright: Playwright, red: bool
) -> None:
    """The person says 440 Hz: the worker is given plain 20 ms Opus frames of it. The
    worker forwards 1000 Hz: the person hears it, in RED when RED was negotiated."""
    async with bot_page_and_person(playwright) as (bot, relay, person, url):
        tapped: list[bytes] = []
        relay.listeners.append(lambda _receiver, frame: tapped.append(frame))
        await connect(person, bot, url, red=red, caller_tone_hz=440)

        async def tapped_a_second() -> bool:
            return len(tapped) >= 75

        await eventually(tapped_a_second, 15)
        latest = tapped[-50:]
        assert {opus_samples(frame) for frame in latest} == {960}
        assert tone_in(latest, 440) > 0.5

        forwarding = asyncio.create_task(on_the_clock(tone_frames(50 * 20, 1000.0), relay.send))
        try:
            heard = None
            for _ in range(8):
                heard = await person.evaluate("p2p.heardHz(1.0)")
                if heard is not None and abs(heard - 1000) < 6:
                    break
            assert heard == pytest.approx(1000, abs=6)
            codec = "audio/red" if red else "audio/opus"
            mimes = await person.evaluate("p2p.mimes")
            assert set(mimes["sent"]) == set(mimes["received"]) == {codec}
            assert relay.fallback is None
        finally:
            forwarding.cancel()


async def test_longer_packets_are_taken_as_they_come_and_a_longer_send_steps_aside(
    playwright: Playwright,
) -> None:
    """The bot's side asks for 40 ms packets: the worker is given them as they are (it
    cuts them into 20 ms frames itself). The person asks the bot for 40 ms: the page
    cannot send 20 ms frames in their place, and the relay steps aside, saying why."""
    async with bot_page_and_person(playwright) as (bot, relay, person, url):
        tapped: list[bytes] = []
        relay.listeners.append(lambda _receiver, frame: tapped.append(frame))
        await connect(
            person, bot, url, red=True, caller_tone_hz=440, caller_ptime=40, callee_ptime=40
        )

        async def tapped_a_second() -> bool:
            return len(tapped) >= 40

        await eventually(tapped_a_second, 15)
        assert {opus_samples(frame) for frame in tapped[-20:]} == {1920}
        assert tone_in(tapped[-20:], 440) > 0.5

        await on_the_clock(tone_frames(25, 1000.0), relay.send)
        assert relay.fallback == "send ptime 40 ms"
