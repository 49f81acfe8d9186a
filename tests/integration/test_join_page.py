"""The join page in a real browser (headless Chromium with a fake microphone and
camera): an invite's link shows the room's meetings and joins its media through the
signalling proxy; an expired, revoked or tampered link shows why, and no media.
Screenshots of the lobby and the room go to artifacts/join_page/."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from playwright.async_api import Playwright

from bridge_worker.wiring.video_room import VideoRoom, publishing
from lab.guest_page import GUEST_TONE, MEAN_COLOUR, guest_page, heard_frequency, phase
from lab.media import closest_colour_name, colour_y4m, dominant_frequency, tone_wav
from lab.room_scene import eventually
from meetbridge.invites import InviteStore, participant_of
from meetbridge.janus_http import JanusSession
from meetbridge.janus_rooms import AUDIO_PLUGIN, VIDEO_PLUGIN
from meetbridge.records import RoomRecord
from tests.fixtures.artifacts import screenshot
from tests.fixtures.invites import setting

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ROOM_TONE = 440.0


@pytest.mark.parametrize("how", ["tampered", "revoked", "expired", "closed"])
async def test_a_bad_invite_shows_why_and_joins_nothing(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path, how: str
) -> None:
    async with setting(tmp_path) as s:
        room = await s.room()
        token, made = await s.invite(room["id"])
        if how == "tampered":
            token = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]
        elif how == "revoked":
            await s.api.delete(f"/v1/rooms/{room['id']}/invites/{made['id']}")
        elif how == "expired":
            token = (await InviteStore(s.redis).create(room["id"], "k", 1)).token
            await asyncio.sleep(1.2)
        else:
            await s.api.delete(f"/v1/rooms/{room['id']}")
        title = {
            "tampered": "This invite link is not valid",
            "revoked": "This invite was withdrawn",
            "expired": "This invite has expired",
            "closed": "This invite was withdrawn",  # closing a room revokes its invites
        }[how]
        async with guest_page(playwright, lab_media_dir, f"{s.stack.base_url}/join#{token}") as (
            page,
            _errors,
        ):
            state = await phase(page, "problem", "lobby")
            assert state["phase"] == "problem" and state["audio"] == "off"
            assert await page.text_content("#problem-title") == title
            assert await page.is_visible("#problem") and not await page.is_visible("#lobby")
            assert await page.evaluate("window.location.hash") == ""  # the token left the bar
        record = await s.record(room["id"])
        if how != "closed":  # a closed room's media rooms are gone
            assert await _participants(record, AUDIO_PLUGIN, record.audio_room) == []


async def _participants(room: RoomRecord, plugin: str, number: int) -> list[dict[str, Any]]:
    async with JanusSession(room.janus_url) as session:
        handle = await session.attach(plugin)
        data = await handle.request({"request": "listparticipants", "room": number})
        return list(data.get("participants", []))


class Listener:
    """A member of the room's AudioBridge made with aiortc: it says ROOM_TONE and keeps
    what the room's mix gives it."""

    def __init__(self, room: RoomRecord, media_dir: Path):
        self.room, self.media_dir = room, media_dir
        self.samples: list[np.ndarray] = []

    @contextlib.asynccontextmanager
    async def joined(self) -> AsyncIterator[None]:
        player = MediaPlayer(str(tone_wav(self.media_dir, ROOM_TONE)), loop=True)
        pc = RTCPeerConnection()
        pumps: list[asyncio.Task[None]] = []

        @pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            pumps.append(asyncio.create_task(self._keep(track)))

        try:
            async with JanusSession(self.room.janus_url) as session:
                handle = await session.attach(AUDIO_PLUGIN)
                pc.addTransceiver(player.audio, direction="sendrecv")
                await pc.setLocalDescription(await pc.createOffer())
                pin = self.room.pin.get_secret_value() if self.room.pin else None
                _, jsep = await handle.message(
                    {"request": "join", "room": self.room.audio_room, "pin": pin, "display": "x"},
                    jsep={"type": "offer", "sdp": pc.localDescription.sdp},
                )
                assert jsep is not None
                await pc.setRemoteDescription(RTCSessionDescription(jsep["sdp"], jsep["type"]))
                yield
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            await pc.close()
            if player.audio is not None:
                player.audio.stop()

    async def _keep(self, track: MediaStreamTrack) -> None:
        while True:
            frame = await track.recv()
            assert isinstance(frame, av.AudioFrame)
            samples = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0]
            self.samples.append(samples.astype(np.float32) / 32768)
            del self.samples[:-100]  # the last two seconds

    def heard(self) -> float | None:
        if len(self.samples) < 50:
            return None
        return dominant_frequency(np.concatenate(self.samples[-50:]), 48000)


async def test_a_guest_joins_the_room_from_the_invite_page(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    """The room stands in for its bots with aiortc: one publishes the bot's stage (red)
    under the bot's id, one is in the AudioBridge saying ROOM_TONE. The guest, through
    the page, hears the room, is heard, sees the stage labelled, and is seen."""
    async with setting(tmp_path) as s:
        room = await s.room()
        bot_id = room["members"][0]["bot_id"]
        record = await s.record(room["id"])
        token, made = await s.invite(room["id"])
        stage = MediaPlayer(str(colour_y4m(lab_media_dir, (220, 0, 0), (320, 180, 15))), loop=True)
        assert stage.video is not None
        listener = Listener(record, lab_media_dir)
        video_room = VideoRoom(
            record.janus_url,
            record.video_room,
            pin=record.pin.get_secret_value() if record.pin else None,
        )
        async with (
            publishing(video_room, bot_id, stage.video),
            listener.joined(),
            guest_page(playwright, lab_media_dir, f"{s.stack.base_url}/join#{token}") as (
                page,
                errors,
            ),
        ):
            await phase(page, "lobby")
            meetings = await page.locator("#meetings li").all_text_contents()
            assert meetings == ["Janus (lab) meeting (queued)"]
            await screenshot(page, "join_page", "1-lobby")
            await page.fill("#name", "Ann")
            await page.click("#join")
            state = await phase(page, "joined", "problem")
            assert state["phase"] == "joined", (state, errors)

            async def sees_the_stage() -> bool:
                figure = page.locator(f'#stages figure[data-display="{bot_id}"]')
                if await figure.count() == 0:
                    return False
                colour = await figure.locator("video").evaluate(MEAN_COLOUR)
                return colour is not None and closest_colour_name(tuple(colour)) == "red"

            await eventually(sees_the_stage, 20)
            caption = page.locator(f'#stages figure[data-display="{bot_id}"] figcaption')
            assert await caption.text_content() == "Janus (lab) meeting"
            await screenshot(page, "join_page", "2-joined")

            async def the_room_hears_the_guest() -> bool:
                return listener.heard() == pytest.approx(GUEST_TONE, abs=5)

            await eventually(the_room_hears_the_guest, 20)

            async def the_guest_hears_the_room() -> bool:
                heard = await heard_frequency(page)
                return heard is not None and abs(heard - ROOM_TONE) < 10

            await eventually(the_guest_hears_the_room, 20)

            async def the_guest_publishes() -> bool:
                people = await _participants(record, VIDEO_PLUGIN, record.video_room)
                return any(
                    participant_of(p.get("display", "")) == (made["id"], "Ann")
                    and p.get("publisher")
                    for p in people
                )

            await eventually(the_guest_publishes, 20)
            await page.click("#leave")
            await phase(page, "left")

            async def gone() -> bool:
                people = await _participants(record, AUDIO_PLUGIN, record.audio_room)
                return all(participant_of(p.get("display", "")) is None for p in people)

            await eventually(gone, 10)
            assert not [e for e in errors if "meetbridge" in e or "Uncaught" in e], errors
        assert token not in s.stack.all_logs()
