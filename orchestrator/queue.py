"""The job queue as the API sees it: send `run_bot` to Celery by name.

The API never imports the worker (and so never Playwright): it only needs the
broker and the task's name.
"""

from __future__ import annotations

import asyncio

from celery import Celery

RUN_BOT_TASK = "meetbridge.run_bot"
BOT_QUEUE = "bots"


class JobQueue:
    def __init__(self, broker_url: str):
        self._celery = Celery("meetbridge-api", broker=broker_url)
        self._celery.conf.broker_connection_retry_on_startup = True

    async def enqueue_bot(self, bot_id: str) -> None:
        await asyncio.to_thread(
            self._celery.send_task, RUN_BOT_TASK, args=[bot_id], queue=BOT_QUEUE
        )

    def close(self) -> None:
        self._celery.close()
