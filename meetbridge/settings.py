"""Settings every meetbridge process reads the same way (environment prefix MEETBRIDGE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SharedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETBRIDGE_", extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    lab_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts the lab vendor (janus) may join, as a JSON list; none outside the lab",
    )
