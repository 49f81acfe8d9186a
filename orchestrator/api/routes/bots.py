"""/v1/bots: send a bot into a meeting, follow it, make it leave, look at its screen."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, Response, status

from meetbridge.bot_commands import BotCommand
from meetbridge.lifecycle import RUNNING_STATES, TERMINAL_STATES, BotState, FailureReason
from meetbridge.records import BotRecord, now
from orchestrator.api.deps import (
    CommandsDep,
    KeyDep,
    OwnBotDep,
    QueueDep,
    RepliesDep,
    SettingsDep,
    StoreDep,
)
from orchestrator.schemas import BotCreate, BotList, BotPublic, ErrorBody
from vendor_scripts.inputs import MeetingInputError, check_inputs
from vendor_scripts.registry import vendor_names
from vendor_scripts.urls import MeetingUrlError, resolve_meeting

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/v1/bots", tags=["bots"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or unknown API key"},
    404: {"model": ErrorBody, "description": "no such bot for this key"},
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BotPublic,
    responses={
        401: ERRORS[401],
        422: {"description": "a meeting URL, display name or passcode the vendor refuses"},
    },
)
async def create_bot(
    body: BotCreate, key: KeyDep, store: StoreDep, queue: QueueDep, settings: SettingsDep
) -> BotPublic:
    """Queue a bot for a meeting. The URL is checked before anything is stored or queued."""
    try:
        meeting = resolve_meeting(
            body.meeting_url, body.vendor, lab_hosts=settings.lab_hosts, supported=vendor_names()
        )
        passcode = body.passcode.get_secret_value() if body.passcode else None
        check_inputs(meeting.vendor, body.display_name, passcode)
    except (MeetingUrlError, MeetingInputError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    at = now()
    record = BotRecord(
        id=f"bot_{uuid.uuid4().hex[:20]}",
        key_id=key.key_id,
        vendor=meeting.vendor,
        meeting_url=meeting.url,
        meeting_host=meeting.host,
        display_name=body.display_name,
        passcode=body.passcode,
        auto_leave=body.auto_leave,
        created_at=at,
        updated_at=at,
    )
    await store.create(record)
    try:
        await queue.enqueue_bot(record.id)
    except Exception as exc:
        await store.transition(
            record.id,
            BotState.FAILED,
            reason=FailureReason.INTERNAL_ERROR,
            detail="could not queue the job",
        )
        log.error("enqueue failed", bot_id=record.id, error=type(exc).__name__)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the job queue is unavailable"
        ) from None
    log.info(
        "bot queued",
        bot_id=record.id,
        vendor=record.vendor,
        host=record.meeting_host,
        key_id=key.key_id,
    )
    return BotPublic.of(record)


@router.get("", response_model=BotList, responses={401: ERRORS[401]})
async def list_bots(key: KeyDep, store: StoreDep) -> BotList:
    """The caller's bots, newest first (at most 100)."""
    return BotList(bots=[BotPublic.of(r) for r in await store.list_for_key(key.key_id)])


@router.get("/{bot_id}", response_model=BotPublic, responses=ERRORS)
async def get_bot(bot: OwnBotDep) -> BotPublic:
    return BotPublic.of(bot)


@router.delete(
    "/{bot_id}", status_code=status.HTTP_202_ACCEPTED, response_model=BotPublic, responses=ERRORS
)
async def leave(bot: OwnBotDep, store: StoreDep, commands: CommandsDep) -> BotPublic:
    """Make the bot leave its meeting (a queued bot is simply never started)."""
    if bot.state is BotState.QUEUED:
        result = await store.transition(bot.id, BotState.ENDED, detail="cancelled before start")
        if result.applied:
            return BotPublic.of(await store.get(bot.id) or bot)
    if bot.state not in TERMINAL_STATES:
        await commands.send(bot.id, BotCommand.LEAVE)
        log.info("leave requested", bot_id=bot.id)
    return BotPublic.of(await store.get(bot.id) or bot)


@router.get(
    "/{bot_id}/screenshot",
    response_class=Response,
    responses={
        **ERRORS,
        200: {"content": {"image/png": {}}, "description": "PNG of the bot's display"},
        409: {"model": ErrorBody, "description": "the bot is not running"},
        504: {"model": ErrorBody, "description": "the bot did not answer in time"},
    },
)
async def screenshot(
    bot: OwnBotDep, commands: CommandsDep, replies: RepliesDep, settings: SettingsDep
) -> Response:
    """A fresh PNG of the bot's whole display, taken by its worker now."""
    if bot.state not in RUNNING_STATES:
        raise HTTPException(status.HTTP_409_CONFLICT, f"bot is {bot.state.value}, not running")
    request_id = secrets.token_hex(8)
    await commands.send(bot.id, BotCommand.SCREENSHOT, request_id=request_id)
    image = await replies.wait(bot.id, request_id, settings.screenshot_timeout_s)
    if image is None:
        raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, "the bot did not send a screenshot")
    return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})
