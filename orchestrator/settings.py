"""Orchestrator settings, read once at start-up (environment prefix MEETBRIDGE_)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from meetbridge.settings import SharedSettings


class OrchestratorSettings(SharedSettings):
    heartbeat_timeout_s: float = Field(
        default=10.0, description="A running bot silent this long is marked worker_lost"
    )
    watchdog_interval_s: float = 2.0
    screenshot_timeout_s: float = 10.0
    access_log: bool = Field(
        default=False, description="Log every request (costs CPU on every request)"
    )
    room_janus_url: str = Field(
        default="http://127.0.0.1:8088/janus", description="Janus HTTP API where rooms meet"
    )
    room_prebuffer: int = Field(
        default=2,
        ge=1,
        le=10,
        description="AudioBridge packets (20 ms) buffered per member: jitter slack, paid "
        "in latency (docs/audio.md); at 0 Janus drops members from the mix",
    )
    public_url: str | None = Field(
        default=None,
        description="The API's address as browsers reach it (https://host[:port]), for "
        "invite links; unset: the address each request came to",
    )
    join_ice_servers: list[dict[str, Any]] = Field(
        default_factory=list,
        description="ICE servers (RTCIceServer objects, JSON) for the join page's peer "
        "connections: a TURN server for guests behind NAT (README: Behind NAT)",
    )
    webhook_attempts: int = 5
    webhook_timeout_s: float = 5.0
