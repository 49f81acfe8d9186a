"""A room's Janus rooms let in only who gives the room's pin, and are not listed."""

from __future__ import annotations

import pytest

from lab.janus_server import LabJanus
from meetbridge.janus_http import JanusError, JanusSession
from meetbridge.janus_rooms import AUDIO_PLUGIN, VIDEO_PLUGIN, RoomMedia, create_rooms

pytestmark = [pytest.mark.integration]

AUDIO, VIDEO = 5100, 5101


@pytest.mark.parametrize("pin", [None, "wrong-pin"])
async def test_without_the_pin_nobody_joins(lab_session: None, pin: str | None) -> None:
    async with LabJanus(vendor=False) as janus:
        await create_rooms(RoomMedia(janus.http_url, AUDIO, VIDEO, "s3cret", pin="the-pin"))
        given = {"pin": pin} if pin else {}
        async with JanusSession(janus.http_url) as session:
            audio = await session.attach(AUDIO_PLUGIN)
            with pytest.raises(JanusError, match="pin|PIN|Unauthorized|Missing"):
                await audio.message({"request": "join", "room": AUDIO, **given})
            video = await session.attach(VIDEO_PLUGIN)
            for ptype in ("publisher", "subscriber"):
                with pytest.raises(JanusError, match="pin|PIN|Unauthorized|Missing"):
                    await video.message({"request": "join", "ptype": ptype, "room": VIDEO, **given})


async def test_with_the_pin_a_member_joins_and_the_rooms_are_not_listed(
    lab_session: None,
) -> None:
    async with LabJanus(vendor=False) as janus:
        await create_rooms(RoomMedia(janus.http_url, AUDIO, VIDEO, "s3cret", pin="the-pin"))
        async with JanusSession(janus.http_url) as session:
            video = await session.attach(VIDEO_PLUGIN)
            data, _ = await video.message(
                {"request": "join", "ptype": "publisher", "room": VIDEO, "pin": "the-pin"}
            )
            assert data["videoroom"] == "joined"
            listed = await video.request({"request": "list"})
            assert VIDEO not in [room["room"] for room in listed["list"]]
            audio = await session.attach(AUDIO_PLUGIN)
            listed = await audio.request({"request": "list"})
            assert AUDIO not in [room["room"] for room in listed["list"]]
