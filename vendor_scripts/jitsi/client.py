"""The Jitsi Meet web client.

Follows public facts gathered in docs/vendors/jitsi.md (jitsi-meet's own page objects
and hash-config whitelist, Jibri, Vexa): the bot opens the room with hash settings
that skip the prejoin and deep-linking pages and carry its name; a lobby is knocked
on, a room password is typed into the password dialog; the conference shows one tile
per remote participant (`span#participant_<id>`, name in `_name`) and plays each
remote track in its own <audio>; the bot leaves through "Leave the meeting".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from vendor_scripts.base import Box, MeetingRequest, MeetingStatus, PageReading, stage_around
from vendor_scripts.page_script import (
    ACTION_TIMEOUT_MS,
    JoinStep,
    PageScript,
    Raw,
    click,
    fill,
    take_join_steps,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

PAGE_SCRIPT = PageScript(__package__)
JOIN_STEPS_TIMEOUT_S = 20.0  # from opening the link to knocking, or to the conference
NAME_FIELD = "#premeeting-name-input"
JOIN_BUTTON = '[data-testid="prejoin.joinMeeting"]'
LOBBY_NAME_FIELD = '[data-testid="lobby.nameField"]'
KNOCK_BUTTON = '[data-testid="lobby.knockButton"]'
PASSWORD_FIELD = 'input[name="lockKey"]'
PASSWORD_OK = "#modal-dialog-ok-button"
LEAVE_BUTTON = '[aria-label="Leave the meeting"]'
LEAVE_MEETING_ITEM = "text=Leave meeting"  # moderators get a menu: leave, or end for all
# Settings in the link's hash: no prejoin or deep-linking page, and the bot's name.
BOT_SETTINGS = {
    "config.prejoinConfig.enabled": "false",
    "config.prejoinPageEnabled": "false",
    "config.disableDeepLinking": "true",
    "config.deeplinking.disabled": "true",
}
KICKED_TEXTS = ("kicked you out", "kicked from the meeting", "removed from the meeting")
ENDED_TEXTS = ("call terminated", "meeting has been ended", "meeting has ended")
INCORRECT_PASSWORD_TEXTS = ("incorrect password", "invalid password")
WAITING_FOR_MODERATOR_TEXTS = ("waiting for a moderator", "waiting for an authenticated user")


def bot_link(url: str, display_name: str) -> str:
    """The room link with the bot's settings in its hash (settings already there stay),
    and the page's language pinned to English so its texts are the ones read here."""
    parts = urlsplit(url)
    pairs = [pair for pair in parts.fragment.split("&") if pair]
    present = {pair.split("=", 1)[0] for pair in pairs}
    wanted = {**BOT_SETTINGS, "userInfo.displayName": quote(json.dumps(display_name))}
    pairs += [f"{key}={value}" for key, value in wanted.items() if key not in present]
    query = parts.query
    if "lang=" not in query:
        query = f"{query}&lang=en" if query else "lang=en"
    return urlunsplit(parts._replace(query=query, fragment="&".join(pairs)))


def interpret(raw: dict[str, Any], *, passcode_given: bool = True) -> PageReading:
    """Turn the page's raw state into a status (pure, so it is unit-tested)."""
    names = tuple(r["name"] for r in raw.get("remotes", []) if r.get("name"))
    dialogs = [d.lower() for d in raw.get("dialogs", [])]

    def shown(texts: tuple[str, ...]) -> str | None:
        return next((d for d in dialogs if any(t in d for t in texts)), None)

    if raw.get("rejected"):
        return PageReading(MeetingStatus.DENIED, raw["rejected"], names)
    if raw.get("tokenAuthFailed"):
        return PageReading(MeetingStatus.SIGN_IN_REQUIRED, raw["tokenAuthFailed"], names)
    if kicked := shown(KICKED_TEXTS):
        return PageReading(MeetingStatus.REMOVED, kicked, names)
    if ended := shown(ENDED_TEXTS):
        return PageReading(MeetingStatus.ENDED, ended, names)
    if raw.get("roomFull"):
        return PageReading(MeetingStatus.ERROR, raw["roomFull"], names)
    if raw.get("password"):
        if wrong := shown(INCORRECT_PASSWORD_TEXTS):
            return PageReading(MeetingStatus.PASSCODE_WRONG, wrong, names)
        if not passcode_given:
            detail = "the meeting asks for a password and the bot was given none"
            return PageReading(MeetingStatus.PASSCODE_WRONG, detail, names)
        return PageReading(MeetingStatus.JOINING, None, names)
    if raw.get("inConference"):
        return PageReading(MeetingStatus.IN_MEETING, None, names)
    if waiting := shown(WAITING_FOR_MODERATOR_TEXTS):
        return PageReading(MeetingStatus.WAITING_ROOM, waiting, names)
    if raw.get("lobby") and not raw.get("knock"):
        return PageReading(MeetingStatus.WAITING_ROOM, None, names)
    return PageReading(MeetingStatus.JOINING, None, names)


def stage_from(raw: dict[str, Any]) -> Box | None:
    """The box around the remote participants' videos (never the self view)."""
    return stage_around(raw.get("remotes", []))


class JitsiMeetClient:
    name: str = "jitsi"
    tracks_played_apart: bool = True  # one <audio> per remote track
    self_view_selector: str | None = "#localVideoContainer"

    def __init__(self) -> None:
        self._passcode_given = False

    async def join(self, page: Page, request: MeetingRequest) -> None:
        """Open the room, then take the steps its screens ask for: the prejoin name (a
        deployment that ignores the hash), the lobby's knock, the room password."""
        self._passcode_given = request.passcode is not None
        url = bot_link(request.url, request.display_name)
        await page.goto(url, wait_until="load", timeout=ACTION_TIMEOUT_MS)
        name = request.display_name
        passcode = request.passcode.get_secret_value() if request.passcode else None
        typed: list[bool] = []  # the password is typed once: a second ask means it is wrong

        async def prejoin(raw: Raw) -> None:
            await fill(page, NAME_FIELD, name)(raw)
            await click(page, JOIN_BUTTON)(raw)

        async def knock(raw: Raw) -> None:
            await fill(page, LOBBY_NAME_FIELD, name)(raw)
            await click(page, KNOCK_BUTTON)(raw)

        async def password(raw: Raw) -> None:
            await fill(page, PASSWORD_FIELD, passcode or "")(raw)
            await click(page, PASSWORD_OK)(raw)
            typed.append(True)

        steps: list[JoinStep] = [
            (lambda raw: bool(raw.get("prejoin")), prejoin),
            (lambda raw: bool(raw.get("knock")), knock),
            (lambda raw: bool(raw.get("password")) and bool(passcode) and not typed, password),
        ]
        await take_join_steps(lambda: self._raw(page), self._joining, steps, JOIN_STEPS_TIMEOUT_S)

    def _joining(self, raw: Raw) -> bool:
        """Still on the join screens (in, waiting or refused: the status checks take over)."""
        return interpret(raw, passcode_given=self._passcode_given).status is MeetingStatus.JOINING

    async def _raw(self, page: Page) -> Raw:
        return await PAGE_SCRIPT.read(page)

    async def read(self, page: Page) -> PageReading:
        return interpret(await self._raw(page), passcode_given=self._passcode_given)

    async def stage_box(self, page: Page) -> Box | None:
        return stage_from(await self._raw(page))

    async def leave(self, page: Page) -> None:
        """The toolbar's leave button; a moderator's menu then offers "Leave meeting"."""
        if not (await self._raw(page)).get("inConference"):
            return
        await page.click(LEAVE_BUTTON, timeout=ACTION_TIMEOUT_MS)
        menu_item = page.locator(LEAVE_MEETING_ITEM)
        if await menu_item.count():
            await menu_item.first.click(timeout=ACTION_TIMEOUT_MS)
