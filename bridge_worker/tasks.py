"""The Celery task: a thin shell that hands the bot to a BotJob."""

from __future__ import annotations

import asyncio

from bridge_worker.celery_app import app, settings, shutting_down
from bridge_worker.job import BotJob


@app.task(name="meetbridge.run_bot")
def run_bot(bot_id: str) -> None:
    asyncio.run(BotJob(bot_id, settings, shutting_down).run())
