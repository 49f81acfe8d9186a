"""The bot's browser: Debian's Chromium, headful on the bot's display, sandbox on.

When the worker is root, Chromium must not run as root (it would need
`--no-sandbox`, and pages come from outside). Playwright stays in the worker; its
`executable_path` points at a small wrapper that drops to the bot account with
`setpriv` and then execs Chromium, whose sandbox (user namespaces + seccomp-BPF)
then works. The profile folder belongs to that account.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from playwright.async_api import BrowserContext, Page, Playwright

from bridge_worker.browser.page_relay import RELAY_JS
from meetbridge.process import RunAs, chown_for


def _page_script(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text()


# Scripts bot pages get before the vendor's own code runs.
RAW_MICROPHONE_JS = _page_script("raw_microphone.js")
RECEIVE_BUFFERS_JS = _page_script("receive_buffers.js")
QUIET_CONSOLE_JS = _page_script("quiet_console.js")
UNSYNCED_RECEIVE_JS = _page_script("unsynced_receive.js")

CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",  # grant camera/microphone without a prompt
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    # Off: features a bot never uses that cost memory (the omnibox popups' WebUI
    # renderers are preloaded, the "AI mode" one among them; a spare renderer is kept
    # warm for new tabs). What each saves: docs/figures.md.
    "--disable-features=Translate,MediaRouter,OptimizationHints,WebUIOmniboxPopup,"
    "WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess,"
    # The audio service inside the browser process: one process and one IPC hop
    # less on every audio buffer; renderers stay sandboxed.
    "AudioServiceOutOfProcess",
    # The network service inside the browser process too: on Linux it runs unsandboxed
    # anyway (--service-sandbox-type=none), so this costs no isolation and saves its
    # process.
    "--enable-features=NetworkServiceInProcess2",
    # A received picture is drawn as soon as it is decoded. Chromium's smoothness
    # algorithm schedules remote video by its estimated render time, which in some runs
    # sat a whole source frame late (~110 ms after the frame arrived); a bot only
    # relays what it sees, so smooth cadence is worth nothing here (docs/video.md).
    "--disable-rtc-smoothness-algorithm",
    "--no-first-run",
    "--no-default-browser-check",
    "--password-store=basic",
    "--disable-gpu",
    "--test-type",  # hides the "unsupported flag" info bar
    "--window-position=0,0",
]


@dataclass(frozen=True)
class BrowserSpec:
    chromium_path: Path
    width: int
    height: int
    extra_args: tuple[str, ...] = ()
    quiet_console: bool = True
    audio_buffer_frames: int = 0  # 0: Chromium's own (1024-frame PulseAudio capture)
    lip_sync: bool = True  # False: received video is not held back for its audio
    hidden: tuple[str, ...] = ()  # CSS selectors of elements never drawn (self views)
    audio_relay: bool = False  # pages run the encoded relay's script (page_relay.py)

    def args(self) -> list[str]:
        frames = self.audio_buffer_frames
        buffer = [f"--audio-buffer-size={frames}"] if frames else []
        window = f"--window-size={self.width},{self.height}"
        return [*CHROMIUM_ARGS, window, *buffer, *self.extra_args]


def hiding_script(selectors: tuple[str, ...]) -> str:
    """A page script that keeps `selectors` invisible from the first paint: a style
    sheet of its own, added before the vendor's code runs (its elements come later)."""
    rule = ", ".join(selectors) + " { visibility: hidden !important; }"
    return f"""(() => {{
  const style = document.createElement("style");
  style.dataset.meetbridge = "hidden";
  style.textContent = {json.dumps(rule)};
  const add = () => (document.head || document.documentElement).appendChild(style);
  if (document.documentElement) return add();
  new MutationObserver((_, watcher) => {{
    if (document.documentElement) {{ watcher.disconnect(); add(); }}
  }}).observe(document, {{ childList: true }});
}})();"""


def write_wrapper(folder: Path, chromium: Path, run_as: RunAs, env: Mapping[str, str]) -> Path:
    """A script that runs Chromium as `run_as` with exactly `env`."""
    wrapper = folder / "chromium-as-bot"
    command = shlex.join([*run_as.command_prefix(env), str(chromium)])
    wrapper.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


@contextlib.asynccontextmanager
async def bot_browser(
    playwright: Playwright,
    spec: BrowserSpec,
    *,
    folder: Path,
    env: Mapping[str, str],
    run_as: RunAs | None,
) -> AsyncIterator[BrowserContext]:
    """A persistent Chromium context in `folder`; closed (all processes gone) on exit."""
    profile = folder / "profile"
    profile.mkdir(mode=0o700)
    chown_for(str(profile), run_as)
    browser_env: dict[str, str] = {"HOME": str(folder), "PATH": "/usr/bin:/bin", **env}
    if run_as is not None:
        executable = write_wrapper(folder, spec.chromium_path, run_as, browser_env)
    else:
        executable = spec.chromium_path
    context = await playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(executable),
        headless=False,
        chromium_sandbox=True,
        env=dict[str, str | float | bool](browser_env),
        args=spec.args(),
        ignore_default_args=["--mute-audio"],
        permissions=["microphone", "camera"],
        bypass_csp=True,  # the injected camera's feed must pass vendors' CSPs
        no_viewport=True,
        # Vendors' pages are read by their English texts: pin the language (and the
        # Accept-Language header) whatever the machine's locale.
        locale="en-US",
    )
    try:
        await context.add_init_script(RAW_MICROPHONE_JS)
        await context.add_init_script(RECEIVE_BUFFERS_JS)
        if spec.quiet_console:
            await context.add_init_script(QUIET_CONSOLE_JS)
        if not spec.lip_sync:
            await context.add_init_script(UNSYNCED_RECEIVE_JS)
        if spec.hidden:
            await context.add_init_script(hiding_script(spec.hidden))
        if spec.audio_relay:
            await context.add_init_script(RELAY_JS)
        yield context
    finally:
        with contextlib.suppress(Exception):
            await context.close()


async def first_page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else await context.new_page()


def running_as_root() -> bool:
    return os.geteuid() == 0
