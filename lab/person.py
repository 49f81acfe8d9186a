"""A simulated human in a lab meeting: Chromium with a tone as microphone and a
flat colour as camera, joined through the Janus VideoRoom demo page.

What the person *receives* is measured inside their page (WebAudio / canvas), so
no PulseAudio or X display is needed and the browser runs headless.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Playwright, Request, Response

from lab.media import (
    closest_colour_name,
    colour_y4m,
    dominant_frequency,
    flash_y4m,
    pulse_wav,
    rms,
    tone_wav,
)
from lab.netns import require_lab_namespace
from lab.processes import lab_env
from lab.videoroom_page import (
    ReceiveTotals,
    Recording,
    Timings,
    VideoRoomPage,
    install_page_script,
)

CHROMIUM = "/usr/bin/chromium"
SILENCE_RMS = 0.01  # -40 dBFS; the test tones arrive around -10 dBFS
_NAME = re.compile(r"^[A-Za-z0-9]+$")  # the demo refuses other display names
_LEAVE_TIMEOUT_S = 5.0
_LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def chromium_args(wav: Path, y4m: Path) -> list[str]:
    """Flags for a lab-only browser whose fake devices play our files, unattended."""
    return [
        "--no-sandbox",  # we are root; acceptable only in the lab namespace
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
        f"--use-file-for-fake-video-capture={y4m}",
        "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-gpu",
    ]


def browser_env(home: Path, headless: bool) -> dict[str, str | float | bool]:
    """An explicit, minimal environment: nothing of the caller's (PULSE_SERVER, ...)
    leaks in, and a private HOME takes what Chromium and libpulse write there
    (crash reports, a pulse cookie) instead of root's home. Headless needs no
    display or sound server: media is measured in the page, and Chromium's fake
    audio output still drives WebAudio."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    if not headless and "DISPLAY" in os.environ:
        env["DISPLAY"] = os.environ["DISPLAY"]
    return {**lab_env(env)}


@contextlib.asynccontextmanager
async def headless_chromium(playwright: Playwright, *args: str) -> AsyncIterator[Browser]:
    """A bare headless Chromium; `--no-sandbox` only because tests run as root in the lab."""
    with tempfile.TemporaryDirectory(prefix="lab-chromium-") as home:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", *args],
            env=browser_env(Path(home), headless=True),
        )
        try:
            yield browser
        finally:
            await browser.close()


class SimulatedPerson:
    """Async context manager: a browser for one participant; closed on exit.

    `media_dir` holds the person's tone/colour files; they are cached there by
    frequency and colour, so a session-wide folder makes each file only once.
    """

    def __init__(
        self,
        playwright: Playwright,
        name: str,
        tone_hz: float,
        rgb: tuple[int, int, int],
        media_dir: Path,
        *,
        headless: bool = True,
        timeout_s: float = 20.0,
        pulse: tuple[float, float] | None = None,
        video_size: tuple[int, int, int] = (640, 360, 15),
    ) -> None:
        """`pulse` (period_s, on_s): send tone bursts and `rgb` flashes on black instead
        of a steady tone and colour (onsets to time latencies by). `video_size`
        (width, height, fps) of the steady colour: smaller costs the machine less."""
        if not _NAME.match(name):
            raise ValueError(f"display name must be alphanumeric (demo rule): {name!r}")
        self.name = name
        self.tone_hz = tone_hz
        self.rgb = rgb
        self.timeout_s = timeout_s
        self._playwright = playwright
        self._media_dir = media_dir
        self._headless = headless
        self._pulse = pulse
        self._video_size = video_size
        self._browser: Browser | None = None
        self._home: tempfile.TemporaryDirectory[str] | None = None
        self._context: BrowserContext | None = None
        self._room: VideoRoomPage | None = None
        # What went wrong in the page, for tests to assert on (the demo must work
        # offline: no errors, no failed and no off-host requests).
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.external_requests: list[str] = []

    def __repr__(self) -> str:
        return f"SimulatedPerson({self.name!r}, {self.tone_hz:g} Hz, {self.colour_name})"

    @property
    def colour_name(self) -> str:
        return closest_colour_name(self.rgb)

    async def __aenter__(self) -> SimulatedPerson:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Launch this person's Chromium (idempotent)."""
        if self._browser is not None:
            return
        require_lab_namespace()
        wav, y4m = await asyncio.to_thread(self._media_files)
        home = tempfile.TemporaryDirectory(prefix=f"lab-person-{self.name}-")
        try:
            browser = await self._playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=self._headless,
                args=chromium_args(wav, y4m),
                ignore_default_args=["--mute-audio"],
                env=browser_env(Path(home.name), self._headless),
            )
        except BaseException:
            home.cleanup()
            raise
        self._browser, self._home = browser, home
        try:
            self._context = await browser.new_context(permissions=["microphone", "camera"])
            await install_page_script(self._context)
        except BaseException:
            await self.close()
            raise

    def _media_files(self) -> tuple[Path, Path]:
        if self._pulse is not None:
            period_s, on_s = self._pulse
            return (
                pulse_wav(self._media_dir, self.tone_hz, period_s, on_s),
                flash_y4m(self._media_dir, self.rgb, period_s, on_s),
            )
        return (
            tone_wav(self._media_dir, self.tone_hz),
            colour_y4m(self._media_dir, self.rgb, self._video_size),
        )

    async def close(self) -> None:
        """Leave the meeting if joined, then close the browser — even when cancelled."""
        browser, self._browser, self._context = self._browser, None, None
        home, self._home = self._home, None
        try:
            await self.leave()
        finally:
            if browser is not None:
                await asyncio.shield(browser.close())
            if home is not None:
                home.cleanup()

    async def join(self, meeting_url: str) -> None:
        """Join the meeting at `meeting_url`; returns once our own preview plays."""
        if self._room is not None:
            raise RuntimeError(f"{self.name} is already in a meeting")
        await self.start()
        assert self._context is not None
        page = await self._context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("request", self._on_request)
        self._room = VideoRoomPage(page)
        await self._room.join(meeting_url, self.name, self.timeout_s)

    async def leave(self) -> None:
        """Destroy our Janus session (no ghost participant), then close the page."""
        room, self._room = self._room, None
        if room is None:
            return
        try:
            with contextlib.suppress(Exception):  # a crashed page has nothing to leave
                await room.leave(_LEAVE_TIMEOUT_S)
        finally:
            await asyncio.shield(room.page.close())

    async def wait_for_participant(self, name: str, timeout_s: float | None = None) -> None:
        """Wait until participant `name` is shown and their video plays here."""
        await self._joined().wait_for_participant(name, timeout_s or self.timeout_s)

    async def wait_for_participant_gone(self, name: str, timeout_s: float | None = None) -> None:
        """Wait until participant `name` is no longer shown here."""
        await self._joined().wait_for_participant_gone(name, timeout_s or self.timeout_s)

    async def participants(self) -> list[str]:
        """Display names of the remote participants this person currently sees listed."""
        return await self._joined().remote_names()

    async def heard(self, seconds: float = 1.5) -> Recording:
        """`seconds` of everything this person receives (all remote audio, mixed)."""
        return await self._joined().record_audio(seconds)

    async def heard_level(self, seconds: float = 1.5) -> float:
        """RMS level (full scale 1.0) of what this person receives."""
        return rms((await self.heard(seconds)).samples)

    async def heard_frequency(self, seconds: float = 1.5) -> float | None:
        """Dominant frequency this person receives, or None when it is silence."""
        recording = await self.heard(seconds)
        if rms(recording.samples) < SILENCE_RMS:
            return None
        return dominant_frequency(recording.samples, recording.rate)

    async def timings(self, participant_name: str | None, seconds: float) -> Timings:
        """`participant_name`'s audio and video with wall-clock times, as received here;
        None: this person's own, as sent."""
        return await self._joined().record_timings(participant_name, seconds)

    async def heard_frequency_from(
        self, participant_name: str, seconds: float = 1.5
    ) -> float | None:
        """Dominant frequency of `participant_name`'s audio alone, or None for silence."""
        recording = await self.timings(participant_name, seconds)
        if rms(recording.samples) < SILENCE_RMS:
            return None
        return dominant_frequency(recording.samples, recording.rate)

    async def seen_colour(
        self, participant_name: str, part: tuple[float, float] = (0.25, 0.75)
    ) -> tuple[int, int, int]:
        """Mean RGB of the middle of `participant_name`'s video as received here, between
        the fractions `part` of its width (a room's pictures stand side by side)."""
        rgb = await self._joined().mean_colour(participant_name, part)
        if rgb is None:
            raise LookupError(f"{self.name} does not see {participant_name}'s video playing")
        return rgb

    async def receive_totals(self, participant_name: str) -> ReceiveTotals:
        """Running jitter-buffer totals here of `participant_name`'s audio and video
        (`mean_receive_delays` turns two readings into mean delays)."""
        return await self._joined().receive_totals(participant_name)

    async def screenshot(self, path: Path) -> None:
        """What this person's meeting page shows now, as a PNG."""
        await self._joined().page.screenshot(path=str(path))

    def _joined(self) -> VideoRoomPage:
        if self._room is None:
            raise RuntimeError(f"{self.name} has not joined a meeting")
        return self._room

    def _on_request(self, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in _LOCAL_SCHEMES and url.hostname not in _LOCAL_HOSTS:
            self.external_requests.append(request.url)

    def _on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")
