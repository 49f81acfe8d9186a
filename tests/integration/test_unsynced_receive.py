"""unsynced_receive.js in a real Chromium: received audio gets a stream of its own.

Two peer connections in one page send Chromium's fake camera and microphone, as one
stream, to each other over the lab namespace's link. Chromium lip-syncs the received tracks that
share a stream, so the script must split them, and media must still flow.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Playwright

from bridge_worker.browser.launcher import UNSYNCED_RECEIVE_JS
from lab.person import headless_chromium

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

CALL_ARGS = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Candidates as plain addresses: the page's two connections cannot resolve each
    # other's mDNS names in the namespace.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
)

PAGE_URL = "http://localhost/call"
LOOPBACK_CALL_JS = """async () => {
  // A camera and microphone (Chromium's fakes): with media granted, Chromium also
  // offers candidates on interfaces other than the default route's (there is none here).
  const sent = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const caller = new RTCPeerConnection(), callee = new RTCPeerConnection();
  caller.onicecandidate = (e) => e.candidate && callee.addIceCandidate(e.candidate);
  callee.onicecandidate = (e) => e.candidate && caller.addIceCandidate(e.candidate);
  const streams = {};
  callee.ontrack = (e) => { streams[e.track.kind] = e.streams.map((s) => s.id); };
  for (const track of sent.getTracks()) caller.addTrack(track, sent);
  await caller.setLocalDescription();
  await callee.setRemoteDescription(caller.localDescription);
  await callee.setLocalDescription();
  await caller.setRemoteDescription(callee.localDescription);
  const received = {};
  for (let i = 0; i < 100 && !(received.audio > 0 && received.video > 0); i++) {
    await new Promise((r) => setTimeout(r, 100));
    (await callee.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp") received[r.kind] = r.packetsReceived || 0;
    });
  }
  const state = callee.connectionState;
  for (const track of sent.getTracks()) track.stop();
  caller.close(); callee.close();
  return { sent: sent.id, streams, received, state };
}"""


async def loopback_call(playwright: Playwright, unsynced: bool) -> dict:
    async with headless_chromium(playwright, *CALL_ARGS) as browser:
        page = await browser.new_page()
        if unsynced:
            await page.add_init_script(UNSYNCED_RECEIVE_JS)
        # Media needs a secure context: a page "from" localhost, served by the test.
        await page.route(PAGE_URL, lambda route: route.fulfill(body="<html></html>"))
        await page.goto(PAGE_URL)
        result: dict = await page.evaluate(LOOPBACK_CALL_JS)
        return result


async def test_received_audio_and_video_share_a_stream_by_default(playwright) -> None:
    call = await loopback_call(playwright, unsynced=False)
    assert call["streams"] == {"audio": [call["sent"]], "video": [call["sent"]]}
    assert call["received"].get("audio", 0) > 0 and call["received"].get("video", 0) > 0, call


async def test_the_script_gives_received_audio_a_stream_of_its_own(playwright) -> None:
    call = await loopback_call(playwright, unsynced=True)
    assert call["streams"]["video"] == [call["sent"]]
    (audio_stream,) = call["streams"]["audio"]
    assert audio_stream != call["sent"]
    assert audio_stream.startswith("mb-audio-")
    assert call["received"].get("audio", 0) > 0 and call["received"].get("video", 0) > 0, call
