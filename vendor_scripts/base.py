"""The small interface every vendor web client implements.

A vendor module knows one meeting product's web client: how to join, what its
screens mean, how to leave, and where its stage (the other people's videos) is.
It reports; it never cleans up devices or changes the bot's state itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import SecretStr

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page


class MeetingStatus(StrEnum):
    """What the vendor's page shows right now."""

    JOINING = "joining"
    WAITING_ROOM = "waiting_room"
    IN_MEETING = "in_meeting"
    DENIED = "denied"  # someone in the meeting refused to admit the bot
    NOT_FOUND = "not_found"  # the link leads to no meeting
    PASSCODE_WRONG = "passcode_wrong"
    SIGN_IN_REQUIRED = "sign_in_required"  # only signed-in accounts may join
    BLOCKED = "blocked"  # a captcha or the vendor's wall against bots: never defeated
    REMOVED = "removed"
    ENDED = "ended"  # the meeting (or its server) went away
    ERROR = "error"  # the page shows an error we cannot act on


class TrustedInput(Protocol):
    """Input through the bot's own display, as a person's mouse and keyboard make it.

    Some web clients ignore what a page script or the browser's automation sends (its
    pointer never moves), and some of the browser's own dialogs (an "Open the app?"
    prompt) are out of a page's reach: these go through the display server instead.
    """

    async def click(self, target: Locator) -> None:
        """Move the pointer onto `target` from elsewhere on the screen, then click."""
        ...

    async def press(self, key: str) -> None:
        """Press and release one key (an X keysym name, e.g. "Escape")."""
        ...

    async def type_text(self, target: Locator, text: str) -> None:
        """Click into `target`, then type `text` key by key."""
        ...


@dataclass(frozen=True)
class MeetingRequest:
    url: str
    display_name: str
    passcode: SecretStr | None = None
    # The bot's display, for clients that need real input (None: not available).
    trusted_input: TrustedInput | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Box:
    """A rectangle in CSS pixels of the page's viewport."""

    x: float
    y: float
    width: float
    height: float

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        right = max(self.x + self.width, other.x + other.width)
        bottom = max(self.y + self.height, other.y + other.height)
        return Box(x, y, right - x, bottom - y)

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


def stage_around(tiles: Iterable[Mapping[str, Any]]) -> Box | None:
    """The box around the remote participants' tiles that show video, or None.

    Each tile as a client's page script reports it: `hasVideo`, `x`, `y`, `width`,
    `height` in CSS pixels of the viewport (the bot's own tile never among them).
    """
    stage: Box | None = None
    for tile in tiles:
        if not tile["hasVideo"] or tile["width"] <= 0 or tile["height"] <= 0:
            continue
        box = Box(tile["x"], tile["y"], tile["width"], tile["height"])
        stage = box if stage is None else stage.union(box)
    return stage


@dataclass(frozen=True)
class PageReading:
    """One look at the page: its status, with the on-screen text that explains it."""

    status: MeetingStatus
    detail: str | None = None
    participants: tuple[str, ...] = ()


class VendorClient(Protocol):
    """Drives one vendor's web client in a Playwright page."""

    name: str
    # True when the page plays each remote track on its own (never one element for a
    # participant's audio and video together), so the bot may give each audio track a
    # stream of its own and skip lip sync (bridge_worker/browser/unsynced_receive.js).
    tracks_played_apart: bool
    # CSS selector of the page's preview of the bot's own camera, or None: the bot
    # hides it (it is never captured, and drawing it cost the browser's compositor
    # work on every camera frame: docs/video.md). Hidden, not removed: the layout
    # and the vendor's own code stay as they are.
    self_view_selector: str | None

    async def join(self, page: Page, request: MeetingRequest) -> None:
        """Open the meeting and ask to join; returns once the request is made."""
        ...

    async def read(self, page: Page) -> PageReading:
        """What the page shows now (polled by the bot's status checks)."""
        ...

    async def stage_box(self, page: Page) -> Box | None:
        """Where the other participants' videos are, without the bot's self view."""
        ...

    async def leave(self, page: Page) -> None:
        """Leave the meeting politely (so no ghost participant stays behind)."""
        ...
