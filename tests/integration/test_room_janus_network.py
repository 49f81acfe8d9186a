"""A room Janus told its media ports offers only those (what a firewall behind NAT
opens), and the address it is told is its public one."""

from __future__ import annotations

import re

import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack

from meetbridge.janus_http import JanusSession
from meetbridge.janus_rooms import AUDIO_PLUGIN, RoomMedia, create_rooms
from meetbridge.janus_server import JanusNetwork, JanusServer

pytestmark = [pytest.mark.integration]


async def test_the_room_janus_offers_only_its_media_ports(lab_session: None) -> None:
    """Only the answer is read: with no remote description set, nothing is sent to the
    (documentation) public address."""
    network = JanusNetwork(rtp_port_range="41000-41019", nat_1_1_mapping="203.0.113.9")
    async with JanusServer(network=network) as janus:
        await create_rooms(RoomMedia(janus.http_url, 6100, 6101, "s", pin="p"))
        pc = RTCPeerConnection()
        try:
            pc.addTransceiver(AudioStreamTrack(), direction="sendrecv")
            await pc.setLocalDescription(await pc.createOffer())
            async with JanusSession(janus.http_url) as session:
                handle = await session.attach(AUDIO_PLUGIN)
                _, jsep = await handle.message(
                    {"request": "join", "room": 6100, "pin": "p"},
                    jsep={"type": "offer", "sdp": pc.localDescription.sdp},
                )
        finally:
            await pc.close()
    assert jsep is not None
    candidates = re.findall(r"a=candidate:\S+ \d \w+ \d+ (\S+) (\d+) typ", jsep["sdp"])
    assert candidates, jsep["sdp"]
    for address, port in candidates:
        assert 41000 <= int(port) <= 41019 and address == "203.0.113.9", candidates
