"""The bot and room records and the bot keys: the contract the API and the worker share.

Channels have their own modules (`bot_commands`, `bot_replies`, `room_store`), which
alone know their keys.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from meetbridge.lifecycle import BotState, FailureReason

PREFIX = "mb"
EVENTS_STREAM = f"{PREFIX}:events"
EVENTS_MAXLEN = 100_000  # the stream is trimmed to about this many events
ALL_BOTS = f"{PREFIX}:bots"


def bot_key(bot_id: str) -> str:
    return f"{PREFIX}:bot:{bot_id}"


def bots_of_key(key_id: str) -> str:
    return f"{PREFIX}:apikey:{key_id}:bots"


def lease_key(bot_id: str) -> str:
    return f"{PREFIX}:bot:{bot_id}:lease"


def now() -> datetime:
    return datetime.now(UTC)


MAX_STAY_S = 24 * 3600.0  # no bot stays in a meeting longer, whatever it is told


class AutoLeaveLimits(BaseModel):
    """When one bot leaves by itself, in place of its worker's defaults (each optional;
    named for the reasons it then ends with)."""

    model_config = ConfigDict(extra="forbid")

    everyone_left_after_s: float | None = Field(
        default=None,
        ge=1,
        le=MAX_STAY_S,
        description="leave (everyone_left) when the people who were there have all been "
        "gone this long",
    )
    nobody_joined_after_s: float | None = Field(
        default=None,
        ge=1,
        le=MAX_STAY_S,
        description="leave (nobody_joined) when no person joined this long after the bot got in",
    )
    max_duration_s: float | None = Field(
        default=None,
        ge=1,
        le=MAX_STAY_S,
        description="leave (max_duration) after this long in the meeting (at most 24 h)",
    )


class BotRecord(BaseModel):
    """A bot as stored: everything the worker needs to run it and the API to show it."""

    id: str
    key_id: str
    vendor: str
    meeting_url: str  # may carry a passcode in its query: never logged, never returned
    meeting_host: str
    display_name: str
    passcode: SecretStr | None = None
    state: BotState = BotState.QUEUED
    reason: FailureReason | None = None
    detail: str | None = None
    created_at: datetime
    updated_at: datetime
    joined_at: datetime | None = None
    ended_at: datetime | None = None
    heartbeat_at: datetime | None = None
    worker: str | None = None
    display: str | None = None  # where the bot runs, for operators and tests
    audio_server: str | None = None
    room_id: str | None = None
    room_status: str | None = None  # the worker's word on the bot's room media (SeatMedia JSON)
    signed_in: bool = False  # its browser started with a stored sign-in (vendor_sessions)
    auto_leave: AutoLeaveLimits | None = None  # the user's, over the worker's defaults

    def to_redis(self) -> dict[str, str]:
        data = self.model_dump(mode="json", exclude_none=True)
        if self.passcode is not None:
            data["passcode"] = self.passcode.get_secret_value()
        if self.auto_leave is not None:
            data["auto_leave"] = self.auto_leave.model_dump_json(exclude_none=True)
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_redis(cls, data: dict[str, str]) -> BotRecord:
        values: dict[str, object] = {k: v for k, v in data.items() if v != ""}
        if "auto_leave" in data:
            values["auto_leave"] = json.loads(data["auto_leave"])
        return cls.model_validate(values)


class RoomRecord(BaseModel):
    """A virtual room: its members (bot ids, in join order) and where its media meets."""

    id: str
    key_id: str
    members: list[str]
    janus_url: str
    audio_room: int
    video_room: int
    secret: SecretStr
    # The join pin of both media rooms: Janus lets in only who gives it. Only meetbridge
    # knows it (workers, and the invite proxy, which adds it for browsers); None for a
    # room made before rooms had pins.
    pin: SecretStr | None = None
    prebuffer: int
    created_at: datetime
    updated_at: datetime
    closed: bool = False

    def to_redis(self) -> dict[str, str]:
        data = self.model_dump(mode="json", exclude_none=True)
        data["members"] = json.dumps(self.members)
        data["secret"] = self.secret.get_secret_value()
        if self.pin is not None:
            data["pin"] = self.pin.get_secret_value()
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_redis(cls, data: dict[str, str]) -> RoomRecord:
        values: dict[str, object] = {k: v for k, v in data.items() if v != ""}
        values["members"] = json.loads(data["members"])
        values["closed"] = data.get("closed") == "True"
        return cls.model_validate(values)


class SeatMedia(BaseModel):
    """What a bot's worker last measured of its room seat (written every few seconds).

    Rates are 20 ms audio frames and video frames per second over the last interval:
    about 50 audio frames/s means the seat's audio flows; a source missing from
    `video_in_fps` (or at 0) is a member whose picture does not arrive.
    """

    status: str  # wired | error
    path: str | None = None  # janus | same_host
    error: str | None = None
    audio_out_fps: float | None = 0.0  # None on the same-host path: the others' pipes read it
    audio_in_fps: float = 0.0
    video_in_fps: dict[str, float] = {}
    # How loud the meetings' sound was over the last interval (RMS of the 16-bit
    # samples, dBFS; -96 is silence): what this bot's meeting sends into the room (the
    # Janus path measures it here), and per source, what each other member's meeting
    # plays into this bot's microphone (the same-host path measures it here).
    audio_out_dbfs: float | None = None
    audio_in_dbfs: dict[str, float] = {}
    # How long the bot's browser held what it received from its meeting, per kind,
    # over the last interval (buffer_ms; target_ms, lip sync included; minimum_ms, for
    # jitter alone): the bridge's delay before the room, which grows on a starved host.
    # Audio also says what share of it NetEq concealed, accelerated or decelerated
    # (concealed_pct, accelerated_pct, decelerated_pct).
    meeting_receive: dict[str, dict[str, float]] = {}
    # How this bot's meeting hears the room: `encoded` (another meeting's frames sent as
    # its own) or `devices` (played and captured), with why when not encoded.
    relay: str | None = None
    relay_reason: str | None = None
    relay_fps: float = 0.0  # encoded frames relayed into the meeting a second (about 50)
    updated_at: datetime

    def flowing(self, sources: set[str], at: datetime, stale_after_s: float) -> bool:
        """Fresh, and audio both ways and every source's video arrive."""
        if self.status != "wired" or (at - self.updated_at).total_seconds() > stale_after_s:
            return False
        if self.audio_in_fps <= 0 or (self.audio_out_fps is not None and self.audio_out_fps <= 0):
            return False
        return all(self.video_in_fps.get(source, 0.0) > 0 for source in sources)
