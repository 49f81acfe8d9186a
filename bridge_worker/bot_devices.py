"""Everything a bot runs on, booted in order on one exit stack and torn down in reverse.

Display → audio → private folder → camera → browser (on that display, with that
audio and camera) → the camera feed. Whatever fails or is cancelled part-way, the
stack stops what was already started.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from playwright.async_api import Page, Playwright

from bridge_worker.browser.launcher import BrowserSpec, bot_browser, first_page
from bridge_worker.browser.request_guard import chromium_host_rules, install_request_guard
from bridge_worker.browser.sign_in import sign_in
from bridge_worker.devices.audio import BotAudio, bot_audio
from bridge_worker.devices.camera import VirtualCamera, open_camera
from bridge_worker.devices.camera_feed import CameraFeed
from bridge_worker.devices.display import VirtualDisplay, virtual_display
from bridge_worker.devices.runtime_dir import private_dir
from bridge_worker.settings import WorkerSettings
from meetbridge.process import bot_account
from meetbridge.vendor_sessions import StorageState
from vendor_scripts.base import VendorClient

DevicesSource = contextlib.AbstractAsyncContextManager["BotDevices"]


class DevicesError(RuntimeError):
    """A device of the bot could not be set up (the message says which and why)."""


@dataclass
class BotDevices:
    """What a running bot has; valid only inside `bot_devices`."""

    display: VirtualDisplay
    audio: BotAudio
    camera: VirtualCamera
    feed: CameraFeed
    page: Page
    folder: Path

    def process_ids(self) -> list[int]:
        """The bot's own processes: Xvfb, its PulseAudio daemon, Chromium's whole tree."""
        marker = f"--user-data-dir={self.folder}"
        roots = [
            proc
            for proc in psutil.process_iter(["cmdline"])
            if any(arg.startswith(marker) for arg in proc.info["cmdline"] or ())
        ]
        browser = {p.pid for root in roots for p in [root, *root.children(recursive=True)]}
        return [self.display.pid, self.audio.daemon_pid, *sorted(browser)]


def lip_sync_for(settings: WorkerSettings, vendor: VendorClient | None) -> bool:
    """Whether the bot's browser should lip-sync what it receives (see the setting)."""
    if settings.bot_lip_sync != "vendor":
        return settings.bot_lip_sync == "on"
    return vendor is None or not vendor.tracks_played_apart


def hidden_for(vendor: VendorClient | None) -> tuple[str, ...]:
    """What the bot's browser never draws of the vendor's page: its self view."""
    selector = vendor.self_view_selector if vendor else None
    return (selector,) if selector else ()


def field_trials(settings: WorkerSettings) -> str:
    """The WebRTC field trials for a bot's browser, as Chromium takes them: the ones
    its settings imply, then `browser_field_trials` (which win for the same trial)."""
    trials: dict[str, str] = {}
    if settings.video_send_max_delay_ms:
        trials["WebRTC-Video-Pacing"] = f"max_delay:{settings.video_send_max_delay_ms}ms"
    chosen = settings.browser_field_trials.split("/")
    trials.update(zip(chosen[0:-1:2], chosen[1::2], strict=True))
    return "".join(f"{name}/{group}/" for name, group in trials.items())


def browser_spec(
    settings: WorkerSettings, vendor: VendorClient | None, camera_args: Sequence[str]
) -> BrowserSpec:
    """How to start a bot's Chromium: the settings, its camera's flags and, with a
    vendor, the only hosts its pages may resolve."""
    s = settings
    extra = [*camera_args]
    if vendor:
        extra.append(f"--host-resolver-rules={chromium_host_rules(vendor.name, s.lab_hosts)}")
    if s.lab_trusted_spki:  # the lab's reconstructed vendors only (see the setting)
        extra.append(f"--ignore-certificate-errors-spki-list={','.join(s.lab_trusted_spki)}")
    trials = field_trials(s)
    if trials:
        extra.append(f"--force-fieldtrials={trials}")
    return BrowserSpec(
        s.chromium_path,
        s.screen_width,
        s.screen_height,
        tuple(extra),
        quiet_console=not s.browser_console_logs,
        audio_buffer_frames=s.audio_buffer_frames,
        lip_sync=lip_sync_for(s, vendor),
        hidden=hidden_for(vendor),
        audio_relay=s.audio_relay != "devices",
    )


@contextlib.asynccontextmanager
async def bot_devices(
    settings: WorkerSettings,
    playwright: Playwright,
    name: str,
    vendor: VendorClient | None = None,
) -> AsyncIterator[BotDevices]:
    """Boot a bot's devices; with `vendor`, its browser may only reach that vendor's hosts."""
    s = settings
    async with contextlib.AsyncExitStack() as stack:
        try:
            account = bot_account(s.bot_user)
            display = await stack.enter_async_context(
                virtual_display(width=s.screen_width, height=s.screen_height, run_as=account)
            )
            audio = await stack.enter_async_context(
                bot_audio(runtime_base=s.runtime_dir, run_as=account)
            )
            folder = stack.enter_context(private_dir(s.runtime_dir, "mb-bot-", account))
            camera = open_camera(
                s.camera_backend, width=s.video_width, height=s.video_height, fps=s.video_fps
            )
            stack.push_async_callback(camera.aclose)
        except Exception as exc:
            raise DevicesError(str(exc)) from exc
        spec = browser_spec(s, vendor, camera.browser_args())
        context = await stack.enter_async_context(
            bot_browser(
                playwright,
                spec,
                folder=folder,
                env={**display.client_env(), **audio.client_env()},
                run_as=account,
            )
        )
        await camera.attach(context)
        if vendor is not None:  # last: the newest route handler runs first
            await install_request_guard(context, vendor.name, s.lab_hosts)
        feed = CameraFeed(camera)
        feed_task = asyncio.create_task(feed.run(), name=f"camera-feed-{name}")
        stack.callback(feed_task.cancel)
        page = await first_page(context)
        yield BotDevices(display, audio, camera, feed, page, folder)


@contextlib.asynccontextmanager
async def signed_in(source: DevicesSource, state: StorageState) -> AsyncIterator[BotDevices]:
    """`source`'s devices, their browser signed in with `state` before it opens anything."""
    async with source as devices:
        await sign_in(devices.page.context, state)
        yield devices
