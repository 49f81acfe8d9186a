"""How long a bot's browser holds what it receives from its meeting (jitter buffers).

`receive_buffers.js`, installed in every bot page, keeps the page's peer connections;
two readings of their running totals give the mean delay between them. Under CPU
starvation these buffers grow far past their target, and every bridged word waits
that long before it reaches the room: the room's media health shows it
(docs/rooms.md).
"""

from __future__ import annotations

import asyncio
import contextlib

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

ReceiveTotals = dict[str, dict[str, float]]  # kind -> running jitter-buffer totals


async def receive_totals(page: Page, timeout_s: float = 1.0) -> ReceiveTotals:
    """The page's running totals per kind, or {} when it can't say (no script, page
    closed, or a renderer too busy to answer within `timeout_s`: the caller's loop
    must not wait on a stuck page)."""
    with contextlib.suppress(PlaywrightError, TimeoutError):
        totals = await asyncio.wait_for(
            page.evaluate(
                "window.__meetbridgeReceiveTotals ? window.__meetbridgeReceiveTotals() : {}"
            ),
            timeout_s,
        )
        return totals if isinstance(totals, dict) else {}
    return {}


# Shares of the audio a browser received that NetEq concealed (made up for missing
# or late packets), or removed (accelerate) or inserted (decelerate) to bring its
# buffer to its target: a swelled buffer that drains shows as accelerated samples.
AUDIO_SHARES = ("concealed", "accelerated", "decelerated")  # reported as <name>_pct
# And the share of its packets it discarded: too late to play, or flushed to bring a
# swelled buffer straight back to its target (a skip rather than a slow drain).
PACKET_SHARES = ("discarded",)  # reported as <name>_pct


def mean_receive_delays(before: ReceiveTotals, after: ReceiveTotals) -> dict[str, dict[str, float]]:
    """Mean jitter-buffer delays (ms) per kind between two readings: buffer_ms held,
    target_ms aimed at (lip sync included), minimum_ms for jitter alone; for audio
    also the AUDIO_SHARES of the samples and PACKET_SHARES of the packets received
    meanwhile (percent)."""
    means: dict[str, dict[str, float]] = {}
    for kind, end in after.items():
        start = before.get(kind, {})
        emitted = end["emitted"] - start.get("emitted", 0)
        if emitted <= 0 or end["buffer"] < start.get("buffer", 0):
            continue  # nothing played, or a connection closed between the readings
        means[kind] = {
            f"{key}_ms": round(1000 * (end[key] - start.get(key, 0)) / emitted)
            for key in ("buffer", "target", "minimum")
        }
        if kind == "audio":
            means[kind] |= _shares(start, end, "samples", AUDIO_SHARES)
            means[kind] |= _shares(start, end, "packets", PACKET_SHARES)
    return means


def _shares(
    start: dict[str, float], end: dict[str, float], whole: str, parts: tuple[str, ...]
) -> dict[str, float]:
    """Each part's share (percent, as <part>_pct) of what `whole` grew by."""
    grown = end.get(whole, 0) - start.get(whole, 0)
    if grown <= 0:
        return {}
    return {
        f"{part}_pct": round(100 * (end.get(part, 0) - start.get(part, 0)) / grown, 1)
        for part in parts
    }
