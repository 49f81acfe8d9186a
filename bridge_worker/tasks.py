"""The Celery task: a thin shell that hands the bot to the worker's bot runtime."""

from __future__ import annotations

from bridge_worker.celery_app import app, runtime


@app.task(name="meetbridge.run_bot")
def run_bot(bot_id: str) -> None:
    runtime.run_bot(bot_id)
