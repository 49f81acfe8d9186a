"""What the HTTP API accepts and returns (never the passcode, never the full URL)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from meetbridge.lifecycle import BotState, FailureReason
from meetbridge.records import AutoLeaveLimits, BotRecord, SeatMedia
from meetbridge.vendor_sessions import StorageState, VendorSession


class BotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting_url: str = Field(min_length=1, max_length=2048)
    display_name: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    vendor: str | None = Field(default=None, max_length=32)
    passcode: SecretStr | None = Field(default=None, max_length=128)
    auto_leave: AutoLeaveLimits | None = None  # unset ones: the worker's defaults


class BotPublic(BaseModel):
    id: str
    vendor: str
    meeting_host: str
    display_name: str
    state: BotState
    reason: FailureReason | None
    detail: str | None
    created_at: datetime
    updated_at: datetime
    joined_at: datetime | None
    ended_at: datetime | None
    signed_in: bool  # its browser started with the key's stored sign-in for the vendor
    auto_leave: AutoLeaveLimits | None  # what the bot was asked for, over the worker's defaults

    @classmethod
    def of(cls, record: BotRecord) -> BotPublic:
        return cls.model_validate(record.model_dump(include=set(cls.model_fields)))


class BotList(BaseModel):
    bots: list[BotPublic]


class ErrorBody(BaseModel):
    detail: str


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bots: list[str] = Field(min_length=1, max_length=8)


class RoomMemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bot: str = Field(min_length=1, max_length=64)


class RoomMemberPublic(BaseModel):
    bot_id: str
    state: BotState
    media: SeatMedia | None  # the worker's last report on the bot's seat; None: not seated
    # How loud what the bot's meeting sends into the room was over the last report
    # (RMS, dBFS: 0 is full scale, -96 silence); None until a seat has measured it.
    audio_level_dbfs: float | None = None


class RoomGuestPublic(BaseModel):
    """A person in the room from meetbridge's join page, through an invite."""

    invite_id: str
    name: str


class RoomPublic(BaseModel):
    id: str
    health: str  # wired (two or more live members) or degraded
    media_flowing: bool  # every live member reports fresh audio both ways and every other's video
    members: list[RoomMemberPublic]
    guests: list[RoomGuestPublic] = []  # people in the room from a browser now
    closed: bool
    created_at: datetime


class RoomList(BaseModel):
    rooms: list[RoomPublic]


class MeetingLinkCheck(BaseModel):
    """A link to check as POST /v1/bots would, before sending a bot."""

    model_config = ConfigDict(extra="forbid")

    meeting_url: str = Field(min_length=1, max_length=2048)
    vendor: str | None = Field(default=None, max_length=32)
    display_name: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$"
    )


class MeetingLinkPublic(BaseModel):
    """Whose meeting a link is, and the link a bot would open (passcodes masked)."""

    vendor: str
    vendor_title: str
    meeting_host: str
    join_url: str


class VendorSessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor: str = Field(min_length=1, max_length=32)
    storage_state: StorageState  # Playwright's context.storage_state() after signing in


class VendorSessionPublic(BaseModel):
    """A stored sign-in as the API shows it: where it applies, never a value."""

    id: str
    vendor: str
    created_at: datetime
    cookies: int
    cookie_domains: list[str]
    origins: list[str]
    local_storage_items: int

    @classmethod
    def of(cls, session: VendorSession) -> VendorSessionPublic:
        return cls.model_validate(session.model_dump(include=set(cls.model_fields)))


class VendorSessionList(BaseModel):
    sessions: list[VendorSessionPublic]


INVITE_MIN_S, INVITE_MAX_S = 60, 7 * 24 * 3600


class InviteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_s: int = Field(
        ge=INVITE_MIN_S, le=INVITE_MAX_S, description="how long the link works (1 min to 7 days)"
    )
    display_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="the guest's name in the room; unset: the guest types one",
    )


class InviteCreated(BaseModel):
    """A new invite: `url` holds its token (in the fragment) and is shown only now."""

    id: str
    url: str
    expires_at: datetime
    display_name: str | None


class InvitePublic(BaseModel):
    id: str
    room_id: str
    display_name: str | None
    created_at: datetime
    expires_at: datetime
    revoked: bool
    expired: bool


class InviteList(BaseModel):
    invites: list[InvitePublic]


class InviteMeeting(BaseModel):
    """One meeting of the room as a guest sees it: whose vendor, and the bot's feed name."""

    bot_id: str  # its bot's display in the room's VideoRoom (the stage it publishes)
    vendor: str
    title: str  # the vendor's name, e.g. "Google Meet"
    state: BotState


class InviteCheck(BaseModel):
    """What the join page learns from a valid invite (nothing of the API)."""

    invite_id: str
    room_id: str
    display_name: str | None  # set by the inviter: the page does not ask for a name
    expires_at: datetime
    meetings: list[InviteMeeting]
    ice_servers: list[dict[str, object]]  # STUN/TURN for the page's peer connections


class InviteErrorBody(BaseModel):
    detail: str  # in words, for the page to show
    reason: str  # unknown | expired | revoked | room_closed | refused
