"""Worker settings, read once at the entry points (environment prefix MEETBRIDGE_)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from meetbridge.settings import SharedSettings

LAB_NAMESPACE_VAR = "MEETBRIDGE_IN_LAB_NETNS"  # set by infra/lab/netns-run
CameraBackendName = Literal["auto", "v4l2loopback", "injected"]


class WorkerSettings(SharedSettings):
    """How a worker boots a bot's devices and browser."""

    bot_user: str = Field(
        default="meetbridge-bot",
        description="Unprivileged account bots' browsers and audio run as when the worker is root",
    )
    chromium_path: Path = Path("/usr/bin/chromium")
    runtime_dir: Path = Field(default=Path("/tmp"), description="Where per-bot folders are made")
    screen_width: int = 1280
    screen_height: int = 720
    camera_backend: CameraBackendName = "auto"
    video_width: int = 640
    video_height: int = 360
    video_fps: int = 15
    audio_buffer_frames: int = Field(
        default=480,
        ge=0,
        description="Chromium's audio buffers in and out, in 48 kHz frames (480: 10 ms). "
        "Its PulseAudio default, 1024-frame capture blocks, sends packets in bursts, and "
        "receivers' jitter buffers grow to match (docs/audio.md); 0 keeps Chromium's own",
    )
    bot_lip_sync: Literal["vendor", "on", "off"] = Field(
        default="vendor",
        description="Whether a bot's browser holds each participant's video back for their "
        "voice. A bot relays rather than watches: off sends the picture on as soon as it "
        "is decoded, so the far side sees it sooner (docs/video.md). vendor: off where the "
        "vendor's web client handles remote tracks one by one, else on",
    )
    browser_field_trials: str = Field(
        default="",
        pattern=r"^([^/]+/[^/]+/)*$",
        description="Chromium field trials for bots' browsers, as Trial/Group/ pairs: how "
        "WebRTC tunes itself, e.g. receive buffers for a network "
        "(WebRTC-Audio-NetEqDelayManagerConfig/quantile:0.9,forget_factor:0.95/)",
    )
    video_send_max_delay_ms: int = Field(
        default=15,
        ge=0,
        description="How long the bot's browser may hold its camera's packets in its pacer "
        "(WebRTC-Video-Pacing max_delay). WebRTC paces video at about its bandwidth "
        "estimate, which stays low while the picture stands still, so a bridged stage "
        "that changes all at once waited there before it left (docs/video.md). 0 keeps "
        "WebRTC's own (2 s); a trial in browser_field_trials wins",
    )
    browser_console_logs: bool = Field(
        default=False, description="Keep pages' console.log/info/debug (costs CPU)"
    )
    join_timeout_s: float = 30.0
    waiting_room_timeout_s: float = 600.0
    alone_timeout_s: float = Field(
        default=300.0,
        description="Leave (ended: everyone_left) when the people who were in the meeting "
        "have all been gone this long; other meetbridge bots do not count as people",
    )
    nobody_joined_timeout_s: float = Field(
        default=900.0,
        description="Leave (ended: nobody_joined) when no person has joined the meeting "
        "this long after the bot was let in",
    )
    max_duration_s: float = Field(
        default=4 * 3600.0, description="Leave (ended: max_duration) after this long in the meeting"
    )
    leave_timeout_s: float = 10.0
    status_interval_s: float = 1.0
    heartbeat_interval_s: float = 2.0
    lease_ttl_s: float = Field(
        default=15.0, description="A bot's run lease lapses this long after its last renewal"
    )
    driver_jitless: bool = Field(
        default=True,
        description="Run Playwright's node driver without V8's compilers: less memory "
        "for a worker (its bots share the driver), slightly slower joins (docs/figures.md)",
    )
    worker_concurrency: int = Field(default=2, description="Bots one worker process runs")
    warm_pool_size: int = Field(
        default=1,
        description="Bots' devices and browsers kept booted per vendor in use, per worker",
    )
    warm_pool_vendors: list[str] = Field(
        default_factory=list,
        description="Vendors whose devices and browser a worker boots as it starts; any "
        "other vendor is kept warm once a bot of it has come (a set is a whole browser)",
    )
    visibility_timeout_s: float = Field(
        default=5 * 3600.0,
        description="Redis broker: an unacknowledged job is delivered again after this long "
        "(keep it above max_duration_s; a bot sent with a longer one of its own still runs "
        "once: a job delivered again meanwhile finds the bot's lease taken and is dropped)",
    )
    room_path: Literal["auto", "janus", "same_host"] = Field(
        default="auto",
        description="How a room's audio travels: auto takes PulseAudio pipes between the "
        "bots' daemons when every member runs on this host (measured faster, "
        "docs/rooms.md), else the Janus AudioBridge; janus forces the cross-host path",
    )
    audio_relay: Literal["auto", "encoded", "devices"] = Field(
        default="auto",
        description="How a room's audio leaves a meeting for another: encoded relays the "
        "meeting's Opus frames from one bot's page into the other's sender (directly "
        "between bots of one worker, through the room's VideoRoom across workers), past "
        "both browsers' jitter buffers, playout, capture and encoder, and falls back to "
        "the devices path by itself (the vendor's own transforms, another codec, a lost "
        "channel, a silent source, a guest in the room); devices plays and captures it "
        "(docs/audio.md). auto is encoded",
    )
    lab_trusted_spki: list[str] = Field(
        default_factory=list,
        description="Lab only (refused outside the lab's network namespace): base64 "
        "SHA-256 keys of certificate authorities bots' browsers trust besides the system "
        "store, so they can open the lab's reconstructed vendors on the vendors' host names",
    )
    room_receive_prefetch: int = Field(
        default=2,
        ge=1,
        le=8,
        description="20 ms frames the worker buffers of the room's audio before playing "
        "(aiortc ships 4; 1 is fastest on a quiet network, more rides out jitter)",
    )

    @field_validator("lab_trusted_spki")
    @classmethod
    def _only_in_the_lab(cls, keys: list[str]) -> list[str]:
        if keys and os.environ.get(LAB_NAMESPACE_VAR) != "1":
            raise ValueError("lab_trusted_spki is for the meeting lab's namespace only")
        return keys
