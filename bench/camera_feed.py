"""CPU cost of feeding the bot's camera, per frame, over the bot's whole process tree;
and how long a new picture takes to reach the camera track.

Measured on a bot's real devices and browser, with no meeting: a page opens the
camera and shows it in a <video> element, the feed runs with a new picture every
frame (so every frame is encoded, carried and decoded), then is paused; the
difference in CPU between the two windows, over the frames fed, is the cost of one
frame (worker encode + transport into the page + decode into the camera track).
The video encoder of a call is not part of it (it runs whatever the camera is).

The delay: the picture flips between red and blue; the page reads the camera track's
frames (what a call's encoder gets) and notes when the new colour arrives, on the
same wall clock as the worker's `show` (JPEG encode, the relay into the page, its
decode, and the wait for the page's next camera tick).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import numpy as np
import psutil
from playwright.async_api import Playwright, Route, async_playwright

from bench.resources import TreeSampler
from bridge_worker.bot_devices import BotDevices, bot_devices
from bridge_worker.settings import WorkerSettings
from meetbridge.logs import configure_logging

PAGE_URL = "https://camera-bench.invalid/"
PAGE = """<!doctype html><video id=v autoplay muted playsinline></video><script>
navigator.mediaDevices.getUserMedia({video: true}).then((s) => { v.srcObject = s; });
</script>"""


WATCH_TRACK_JS = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia({video: true});
  const track = stream.getVideoTracks()[0];
  const reader = new MediaStreamTrackProcessor({track}).readable.getReader();
  const canvas = new OffscreenCanvas(1, 1), g = canvas.getContext("2d", {willReadFrequently: true});
  window.__colours = [];
  let last = "";
  (async () => {
    for (;;) {
      const {value: frame, done} = await reader.read();
      if (done) return;
      const at = Date.now();
      g.drawImage(frame, 0, 0, 1, 1);
      frame.close();
      const [r, , b] = g.getImageData(0, 0, 1, 1).data;
      const colour = r > 128 && b < 128 ? "red" : b > 128 && r < 128 ? "blue" : "other";
      if (colour !== last) { window.__colours.push([colour, at]); last = colour; }
    }
  })();
}"""


def worker_pids() -> list[int]:
    """This process and the Playwright drivers it started (they carry the frames)."""
    me = psutil.Process()
    return [me.pid, *(child.pid for child in me.children() if "node" in child.name())]


async def _serve_page(route: Route) -> None:
    await route.fulfill(status=200, content_type="text/html", body=PAGE)


async def _changing_pictures(devices: BotDevices) -> None:
    feed = devices.feed
    width, height = feed.camera.width, feed.camera.height
    rng = np.random.default_rng(1)
    # Mild noise over a gradient: ~25 KB JPEGs, the size of a 640x360 webcam frame.
    base = np.linspace(0, 255, width, dtype=np.float32)[None, :, None].repeat(height, 0)
    pictures = [
        np.clip(base + rng.normal(0, 6, (height, width, 3)), 0, 255).astype(np.uint8)
        for _ in range(8)
    ]
    i = 0
    while True:
        feed.show(pictures[i % len(pictures)])
        i += 1
        await asyncio.sleep(1 / feed.camera.fps)


async def feed_cost_ms_per_frame(
    devices: BotDevices, seconds: float = 5.0, rounds: int = 3
) -> float:
    """(CPU feeding - CPU paused) / frames fed, over the bot's processes and the worker's.

    Paused and feeding windows alternate `rounds` times and the median is taken:
    this machine is shared, and a single pair of windows is noisy.
    """

    def tree() -> list[int]:
        return [*devices.process_ids(), *worker_pids()]

    feed = devices.feed
    costs = []
    for _ in range(rounds):
        feed.paused = True
        paused = TreeSampler(tree)
        await paused.run_for(seconds)
        feed.paused = False
        changer = asyncio.create_task(_changing_pictures(devices))
        try:
            first = feed.frames_fed
            feeding = TreeSampler(tree)
            await feeding.run_for(seconds)
            frames = max(feed.frames_fed - first, 1)
        finally:
            changer.cancel()
        costs.append(1000 * (feeding.cpu_cores - paused.cpu_cores) * seconds / frames)
    return statistics.median(costs)


async def picture_delays_ms(devices: BotDevices, flips: int = 20) -> list[float]:
    """From `show` of a new picture to its first frame on the page's camera track."""
    feed = devices.feed
    width, height = feed.camera.width, feed.camera.height
    pictures = {
        name: np.full((height, width, 3), rgb, np.uint8)
        for name, rgb in (("red", (220, 0, 0)), ("blue", (0, 0, 220)))
    }
    await devices.page.evaluate(WATCH_TRACK_JS)
    shown: list[tuple[str, float]] = []
    for flip in range(flips):
        name = ("red", "blue")[flip % 2]
        shown.append((name, time.time() * 1000))
        feed.show(pictures[name])
        await asyncio.sleep(0.4)
    seen: list[tuple[str, float]] = await devices.page.evaluate("() => window.__colours")
    delays = []
    for name, at in shown:
        arrivals = [float(t) for colour, t in seen if colour == name and float(t) >= at]
        if arrivals:
            delays.append(min(arrivals) - at)
    return delays


async def measure(playwright: Playwright, settings: WorkerSettings, seconds: float = 5.0) -> float:
    """The CPU cost of one frame fed (ms)."""
    return (await measure_all(playwright, settings, seconds, flips=0))[
        "camera_feed_cpu_ms_per_frame"
    ]


async def measure_all(
    playwright: Playwright, settings: WorkerSettings, seconds: float = 5.0, flips: int = 20
) -> dict[str, float]:
    async with bot_devices(settings, playwright, "camera-bench") as devices:
        await devices.page.context.route(PAGE_URL, _serve_page)
        await devices.page.goto(PAGE_URL)
        await devices.page.wait_for_function("() => v.readyState >= 2", timeout=10_000)
        result = {
            "camera_feed_cpu_ms_per_frame": round(await feed_cost_ms_per_frame(devices, seconds), 2)
        }
        if flips:
            delays = await picture_delays_ms(devices, flips)
            result |= {
                "camera_picture_delay_ms": round(statistics.median(delays), 1),
                "camera_picture_delay_p90_ms": round(float(np.percentile(delays, 90)), 1),
                "camera_picture_flips": len(delays),
            }
    return result


async def main() -> dict[str, float]:
    async with async_playwright() as playwright:
        return await measure_all(playwright, WorkerSettings())


if __name__ == "__main__":
    configure_logging("WARNING")
    print(json.dumps(asyncio.run(main())))
