"""A stuck peer connection close is abandoned after its bound, not waited on for ever."""

import asyncio
import time

import pytest
from aiortc import RTCPeerConnection

from bridge_worker.wiring.peer_close import close_peer

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]


class StuckClose(RTCPeerConnection):
    """A peer connection whose close waits on a transport that never stops."""

    async def close(self) -> None:
        await asyncio.Event().wait()


async def test_a_peer_connection_closes_normally() -> None:
    pc = RTCPeerConnection()
    pc.addTransceiver("audio")
    await pc.setLocalDescription(await pc.createOffer())
    assert await close_peer(pc, "test") is True
    assert pc.connectionState == "closed"


async def test_a_stuck_close_is_abandoned_after_its_bound() -> None:
    started = time.monotonic()
    assert await close_peer(StuckClose(), "test", timeout_s=0.2) is False
    assert time.monotonic() - started < 2.0
