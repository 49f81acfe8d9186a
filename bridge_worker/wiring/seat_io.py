"""What the room code is given of a bot, and of the members it receives: no more.

A seat never sees the `Bot` (its browser, lifecycle, vendor client or settings): only
the devices a seat wires and a way to ask where the vendor's stage is on screen. So
the room code can be built, read and tested apart from the bot's life.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bridge_worker.browser.page_relay import PageRelay
from bridge_worker.devices.audio import BotAudio
from bridge_worker.devices.camera_feed import CameraFeed
from vendor_scripts.base import Box


@dataclass(frozen=True)
class SeatDevices:
    """One bot's side of a seat."""

    bot_id: str
    audio: BotAudio  # its speaker (what its meeting says) and microphone
    feed: CameraFeed  # its camera: what it shows its meeting
    display: str  # the X display its browser draws the meeting on
    stage_box: Callable[[], Awaitable[Box | None]]  # the vendor's stage, in screen pixels
    relay: PageRelay | None = None  # its page's encoded relay, when the worker runs one


@dataclass(frozen=True)
class Source:
    """Another member whose meeting this seat shows and plays."""

    bot_id: str
    audio_server: str | None = None  # its PulseAudio daemon (the same-host path reads it)
    in_process: bool = False  # its bot runs in this worker process (its stage is at hand)
    in_browser: bool = False  # a person on the join page, not a bot
