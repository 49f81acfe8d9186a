"""A guest in a real browser on meetbridge's join page: headless Chromium whose fake
microphone plays a tone (or tone bursts) and whose fake camera shows a colour, and
what the page plays and shows, read in the page.

Tests drive the page with these helpers, and so does bench.browser_participant, which
also times what the guest says and hears (`timed=True`, guest_page.js)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
from playwright.async_api import Page, Playwright

from lab.media import colour_y4m, pulse_wav, tone_wav
from lab.person import chromium_args, headless_chromium
from lab.videoroom_page import Timings

GUEST_TONE, GUEST_COLOUR = 660.0, (0, 200, 0)
TIMING_JS = Path(__file__).with_name("guest_page.js")


@contextlib.asynccontextmanager
async def guest_page(
    playwright: Playwright,
    media_dir: Path,
    url: str,
    tone: float = GUEST_TONE,
    colour: tuple[int, int, int] = GUEST_COLOUR,
    *,
    pulse: tuple[float, float] | None = None,
    timed: bool = False,
) -> AsyncIterator[tuple[Page, list[str]]]:
    """A browser whose microphone says `tone` and whose camera shows `colour`.

    `pulse` (period_s, on_s): bursts of `tone` instead of a steady one (onsets to time
    latencies by, as a lab person's). `timed`: guest_page.js is installed, so
    `guest_timings` can record what the page sends and plays; the page's content
    policy is then bypassed (its recorder is an AudioWorklet loaded from a blob: URL,
    which `script-src 'self'` refuses), which changes nothing of its media."""
    wav = pulse_wav(media_dir, tone, *pulse) if pulse else tone_wav(media_dir, tone)
    args = chromium_args(wav, colour_y4m(media_dir, colour, (320, 180, 15)))
    async with headless_chromium(playwright, *args) as browser:
        page = await browser.new_page(bypass_csp=timed)
        if timed:
            await page.add_init_script(path=TIMING_JS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(url)
        yield page, errors


async def guest_timings(page: Page, which: Literal["sent", "heard"], seconds: float) -> Timings:
    """`seconds` of the guest's microphone as the page sends it ("sent") or of the
    room's mix as the page plays it ("heard"), with wall-clock times (a page opened
    with `timed=True`); no video frames."""
    result = await page.evaluate(
        "([which, seconds]) => window.__guestLab.recordTimings(which, seconds)", [which, seconds]
    )
    if not result["complete"]:
        raise RuntimeError("the guest page's audio clock stalled: no recording")
    return Timings(
        samples=np.frombuffer(base64.b64decode(result["pcm"]), dtype="<f4"),
        rate=int(result["rate"]),
        start_ms=float(result["startMs"]),
        frames=np.zeros((0, 2)),
    )


async def phase(page: Page, *wanted: str, timeout_s: float = 20) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        while True:
            state = await page.evaluate("window.meetbridgeJoin")
            if state["phase"] in wanted:
                return dict(state)
            await asyncio.sleep(0.2)


MEAN_COLOUR = """(video) => {
  if (!video.videoWidth) return null;
  const canvas = document.createElement("canvas");
  canvas.width = 32; canvas.height = 18;
  const context = canvas.getContext("2d");
  context.drawImage(video, 0, 0, 32, 18);
  const data = context.getImageData(0, 0, 32, 18).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
  return sum.map((v) => v / (data.length / 4));
}"""

# The spectrum (dB per bin) of what the guest's page plays of the room's mix (WebAudio).
MIX_SPECTRUM = """async () => {
  const mix = document.getElementById("mix").srcObject;
  if (!mix || mix.getAudioTracks().length === 0) return null;
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(mix).connect(analyser);
  await new Promise((done) => setTimeout(done, 700));
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  await context.close();
  return { bins: Array.from(bins), hz_per_bin: context.sampleRate / analyser.fftSize };
}"""


async def _mix_spectrum(page: Page) -> tuple[list[float], float] | None:
    spectrum = await page.evaluate(MIX_SPECTRUM)
    return None if spectrum is None else (spectrum["bins"], spectrum["hz_per_bin"])


async def heard_frequency(page: Page, floor_db: float = -80) -> float | None:
    """The loudest frequency the guest's page plays of the room's mix, if any."""
    spectrum = await _mix_spectrum(page)
    if spectrum is None:
        return None
    bins, hz_per_bin = spectrum
    best = max(range(1, len(bins)), key=bins.__getitem__)
    return best * hz_per_bin if bins[best] > floor_db else None


async def hears_tones(page: Page, *frequencies: float, floor_db: float = -60) -> bool:
    """Whether the guest's page plays every one of `frequencies` above `floor_db`."""
    spectrum = await _mix_spectrum(page)
    if spectrum is None:
        return False
    bins, hz_per_bin = spectrum
    return all(
        max(bins[round(f / hz_per_bin) + d] for d in (-1, 0, 1)) > floor_db for f in frequencies
    )


async def sees_colour(page: Page, display: str) -> tuple[float, float, float] | None:
    """The mean colour of the stage labelled `display` on the guest's page, if shown."""
    figure = page.locator(f'#stages figure[data-display="{display}"]')
    if await figure.count() == 0:
        return None
    colour = await figure.locator("video").evaluate(MEAN_COLOUR)
    return None if colour is None else (colour[0], colour[1], colour[2])
