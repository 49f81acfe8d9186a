"""Everything that knows the Janus VideoRoom demo page: selectors and injected JS.

If the demo page changes (another janus-demos version), this module (the join
flow) and videoroom_page.js (the injected script: the remote-participant DOM,
`window.feeds`, `window.janus`) are the only places to adapt.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from playwright.async_api import BrowserContext, Page

from bridge_worker.browser.receive_buffers import ReceiveTotals

PAGE_JS = Path(__file__).with_name("videoroom_page.js")

START_BUTTON = "#start"
USERNAME_INPUT = "#username"
REGISTER_BUTTON = "#register"


@dataclass(frozen=True)
class Recording:
    """Mono PCM this participant received, and from how many remote audio tracks."""

    samples: np.ndarray
    rate: int
    tracks: int


@dataclass(frozen=True)
class Timings:
    """One participant's audio and video with wall-clock times, for latencies."""

    samples: np.ndarray  # mono PCM
    rate: int
    start_ms: float  # wall-clock time (ms since the epoch) of samples[0]
    frames: np.ndarray  # rows of (wall-clock ms, mean luma) per video frame shown


async def install_page_script(context: BrowserContext) -> None:
    """Run videoroom_page.js in every page of `context` before the demo's scripts."""
    await context.add_init_script(path=PAGE_JS)


class VideoRoomPage:
    """One participant's view of videoroomtest.html (a page with videoroom_page.js installed)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def join(self, meeting_url: str, display_name: str, timeout_s: float) -> None:
        """Start → display name → Join, then wait until our own preview plays."""
        timeout_ms = timeout_s * 1000
        await self.page.goto(meeting_url, timeout=timeout_ms)
        await self.page.click(START_BUTTON, timeout=timeout_ms)
        await self.page.fill(USERNAME_INPUT, display_name, timeout=timeout_ms)
        await self.page.click(REGISTER_BUTTON, timeout=timeout_ms)
        await self.page.wait_for_function(
            "() => window.__lab.localPreviewPlaying()", timeout=timeout_ms
        )

    async def wait_for_participant(self, name: str, timeout_s: float) -> None:
        await self.page.wait_for_function(
            "name => window.__lab.participantPlaying(name)", arg=name, timeout=timeout_s * 1000
        )

    async def wait_for_participant_gone(self, name: str, timeout_s: float) -> None:
        await self.page.wait_for_function(
            "name => window.__lab.remoteIndex(name) === 0", arg=name, timeout=timeout_s * 1000
        )

    async def remote_names(self) -> list[str]:
        return [str(name) for name in await self.page.evaluate("() => window.__lab.remoteNames()")]

    async def record_audio(self, seconds: float) -> Recording:
        result = await self.page.evaluate(
            "seconds => window.__lab.recordRemoteAudio(seconds)", seconds
        )
        if not result["complete"]:
            raise RuntimeError("the page's audio clock stalled: no recording of what it hears")
        samples = np.frombuffer(base64.b64decode(result["pcm"]), dtype="<f4")
        return Recording(samples=samples, rate=int(result["rate"]), tracks=int(result["tracks"]))

    async def record_timings(self, name: str | None, seconds: float) -> Timings:
        """`name`'s audio and video as received here (None: what this page sends)."""
        result = await self.page.evaluate(
            "([name, seconds]) => window.__lab.recordTimings(name, seconds)", [name, seconds]
        )
        if not result["complete"]:
            raise RuntimeError("the page's audio clock stalled: no recording of what it hears")
        return Timings(
            samples=np.frombuffer(base64.b64decode(result["pcm"]), dtype="<f4"),
            rate=int(result["rate"]),
            start_ms=float(result["startMs"]),
            frames=np.asarray(result["frames"], dtype=np.float64).reshape(-1, 2),
        )

    async def mean_colour(
        self, name: str, part: tuple[float, float] = (0.25, 0.75)
    ) -> tuple[int, int, int] | None:
        rgb = await self.page.evaluate(
            "([name, left, right]) => window.__lab.meanColour(name, left, right)",
            [name, *part],
        )
        return None if rgb is None else (int(rgb[0]), int(rgb[1]), int(rgb[2]))

    async def receive_totals(self, name: str) -> ReceiveTotals:
        result = await self.page.evaluate("name => window.__lab.receiveDelays(name)", name)
        return dict(result or {})

    async def leave(self, timeout_s: float) -> bool:
        """Destroy the Janus session; False if the page could not confirm it in time."""
        return bool(await self.page.evaluate("ms => window.__lab.leave(ms)", int(timeout_s * 1000)))
