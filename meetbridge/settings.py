"""Settings every meetbridge process reads the same way (environment prefix MEETBRIDGE_)."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The key stored sign-ins are encrypted with unless one is set: known to everyone (it is
# in this file), so only a development set-up may run with it (see `check_secrets`).
DEVELOPMENT_SESSION_KEY = "bWVldGJyaWRnZS1kZXZlbG9wbWVudC1vbmx5LWtleSE="
Environment = Literal["development", "production"]


class InsecureSettingsError(RuntimeError):
    """A process was asked to start with a secret it must not use (the message says how
    to fix it, never the secret)."""


class SharedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETBRIDGE_", extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    lab_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts the lab vendor (janus) may join, as a JSON list; none outside the lab",
    )
    environment: Environment = Field(
        default="production",
        description="development allows the well-known default session_key; anything "
        "that holds real sign-ins is production",
    )
    session_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SESSION_KEY),
        description="Fernet key (32 url-safe base64 bytes) that stored vendor sign-ins are "
        "encrypted with; the API and every worker need the same one "
        "(`meetbridge keys session-key` prints a new one)",
    )


def check_secrets(settings: SharedSettings) -> None:
    """Refuse what no process may start with: a session key that is not a key, and the
    well-known development key outside development. Raises InsecureSettingsError."""
    key = settings.session_key.get_secret_value()
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InsecureSettingsError(
            "MEETBRIDGE_SESSION_KEY is not a Fernet key (32 bytes, url-safe base64); "
            "`meetbridge keys session-key` prints a new one"
        )
    if key == DEVELOPMENT_SESSION_KEY and settings.environment != "development":
        raise InsecureSettingsError(
            "MEETBRIDGE_SESSION_KEY is the well-known development key, which only "
            "MEETBRIDGE_ENVIRONMENT=development may use: set a key of your own "
            "(`meetbridge keys session-key` prints one; the API and the workers need the same)"
        )
