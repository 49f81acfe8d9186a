"""Worker settings, read once at the entry points (environment prefix MEETBRIDGE_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CameraBackendName = Literal["auto", "v4l2loopback", "injected"]


class WorkerSettings(BaseSettings):
    """How a worker boots a bot's devices and browser."""

    model_config = SettingsConfigDict(env_prefix="MEETBRIDGE_", extra="ignore")

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
    browser_console_logs: bool = Field(
        default=False, description="Keep pages' console.log/info/debug (costs CPU)"
    )
    join_timeout_s: float = 30.0
    leave_timeout_s: float = 10.0
    status_interval_s: float = 1.0
