"""Closing an aiortc peer connection without risking the seat's teardown on it.

aiortc's `RTCPeerConnection.close()` waits for each transport and sender to stop,
and can wait for ever on one that is stuck (aiortc/aioice issues report it; a full
test run here once hung in a room seat's teardown with media still flowing). A bot
leaving a room must not stay wired for that, so the close is given a bound; what it
did not finish is left to the garbage collector.
"""

from __future__ import annotations

import asyncio

import structlog
from aiortc import RTCPeerConnection

log = structlog.get_logger(__name__)

CLOSE_TIMEOUT_S = 5.0


async def close_peer(pc: RTCPeerConnection, what: str, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
    """Close `pc` within `timeout_s`; False (and a warning) when it had to be abandoned."""
    try:
        await asyncio.wait_for(pc.close(), timeout_s)
    except TimeoutError:
        log.warning("peer connection did not close in time", peer=what, timeout_s=timeout_s)
        return False
    return True
