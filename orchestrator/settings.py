"""Orchestrator settings, read once at start-up (environment prefix MEETBRIDGE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OrchestratorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETBRIDGE_", extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    lab_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts the lab vendor (janus) may join; none outside the lab",
    )
    heartbeat_timeout_s: float = Field(
        default=10.0, description="A running bot silent this long is marked worker_lost"
    )
    watchdog_interval_s: float = 2.0
    screenshot_timeout_s: float = 10.0
    access_log: bool = Field(
        default=False, description="Log every request (costs ~1 ms a request here)"
    )
    webhook_attempts: int = 5
    webhook_timeout_s: float = 5.0
