"""The FastAPI application: routes, error shapes, and the background loops it owns."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
from collections.abc import AsyncIterator

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from meetbridge.bot_commands import CommandChannel
from meetbridge.bot_replies import ReplyChannel
from meetbridge.invites import InviteSessions, InviteStore, RoomGuests
from meetbridge.redis_client import connect
from meetbridge.room_store import RoomStore
from meetbridge.settings import check_secrets
from meetbridge.store import BotStore
from meetbridge.tasks import stopped
from meetbridge.vendor_sessions import SessionCipher, VendorSessionStore
from orchestrator.api.routes import (
    bots,
    dashboard,
    events,
    health,
    meeting_links,
    rooms,
    vendor_sessions,
)
from orchestrator.api.routes import invites as invite_routes
from orchestrator.api.routes import join_page as join_page_routes
from orchestrator.events import EventLog
from orchestrator.janus_proxy import POLL_TIMEOUT_S, JanusProxy
from orchestrator.keys import KeyCache
from orchestrator.metrics import Metrics
from orchestrator.queue import JobQueue
from orchestrator.rooms import Rooms
from orchestrator.settings import OrchestratorSettings
from orchestrator.watchdog import run_watchdog
from orchestrator.webhooks import run_webhooks

log = structlog.get_logger(__name__)


async def _follow_events(event_log: EventLog, room_desk: Rooms, metrics: Metrics) -> None:
    """Metrics from every event; a bot that ended or failed drops out of its room."""
    async for event in event_log.follow():
        if event is None:
            continue
        metrics.observe(event)
        if event.fields.get("state") in ("ended", "failed"):
            try:
                await room_desk.drop_ended(event.fields["bot_id"])
            except Exception as exc:  # noqa: BLE001 - keep following events
                log.warning("room upkeep failed", error=type(exc).__name__)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 with where and what, never the submitted value (it may be a passcode)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=422)


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", error=type(exc).__name__)
    return JSONResponse({"detail": "internal error"}, status_code=500)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def create_app(settings: OrchestratorSettings | None = None) -> FastAPI:
    """The app; raises InsecureSettingsError for a session key it must not start with."""
    settings = settings or OrchestratorSettings()
    check_secrets(settings)
    cipher = SessionCipher(settings.session_key)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = connect(settings.redis_url)
        store, commands = BotStore(redis), CommandChannel(redis)
        invite_store = InviteStore(redis)
        room_desk = Rooms(store, RoomStore(redis), commands, invite_store, RoomGuests(redis))
        # The signalling proxy's connections to the room Janus (long polls included).
        janus_client = httpx.AsyncClient(timeout=POLL_TIMEOUT_S + 5, trust_env=False)
        app.state.invites = invite_store
        app.state.janus_proxy = JanusProxy(janus_client, InviteSessions(redis))
        event_log = EventLog(redis)
        queue = JobQueue(settings.redis_url)
        metrics = Metrics()
        app.state.store, app.state.queue, app.state.metrics = store, queue, metrics
        app.state.commands, app.state.replies = commands, ReplyChannel(redis)
        app.state.rooms, app.state.events = room_desk, event_log
        app.state.settings = settings
        app.state.key_cache = KeyCache(redis)
        app.state.vendor_sessions = VendorSessionStore(redis, cipher)
        consumer = f"{socket.gethostname()}-{os.getpid()}"
        loops = [
            asyncio.create_task(
                run_watchdog(store, settings.heartbeat_timeout_s, settings.watchdog_interval_s)
            ),
            asyncio.create_task(_follow_events(event_log, room_desk, metrics)),
            asyncio.create_task(
                run_webhooks(redis, consumer, settings.webhook_attempts, settings.webhook_timeout_s)
            ),
        ]
        # Everything made at start-up lives as long as the process: keep it out of the
        # garbage collector's full passes, which otherwise stall requests now and then.
        gc.freeze()
        try:
            yield
        finally:
            await stopped(*loops, again_after_s=2)  # the API's stop grace is 10 s
            queue.close()
            await janus_client.aclose()
            await redis.aclose()

    app = FastAPI(
        title="meetbridge",
        version="0.1.0",
        description="Send bots into video meetings and bridge them into virtual rooms.",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    app.include_router(bots.router)
    app.include_router(rooms.router)
    app.include_router(events.router)
    app.include_router(vendor_sessions.router)
    app.include_router(invite_routes.rooms_router)
    app.include_router(invite_routes.router)
    app.add_exception_handler(invite_routes.InviteRefused, invite_routes.invite_refused)
    app.include_router(join_page_routes.router)
    app.include_router(meeting_links.router)
    app.include_router(dashboard.router)
    app.mount(dashboard.ASSETS_PATH, dashboard.assets(), name="dashboard-assets")
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    return app
