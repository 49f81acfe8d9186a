"""The Celery app: one task, `run_bot`, that lives as long as its bot is in a meeting.

Choices for hour-long tasks on the Redis broker:
- acks on receipt (`task_acks_late=False`): a job is never redelivered because it
  ran past the broker's visibility timeout, and a worker that dies does not hand
  its bot to another worker to re-join behind everyone's back; the orchestrator's
  watchdog marks such a bot `worker_lost` instead;
- prefetch 1: a worker takes only a job it can start now;
- threads pool: a pool thread only waits while its bot runs on the worker's
  bot runtime (one event loop, one Playwright driver, a warm pool); SIGTERM
  (warm shutdown) sets `shutting_down`, every bot leaves its meeting, and the
  worker exits once their tasks return;
- a per-bot lease in Redis guards against a job delivered twice anyway.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown, worker_shutting_down

from bridge_worker.runtime import BotRuntime
from bridge_worker.settings import WorkerSettings

settings = WorkerSettings()
shutting_down = threading.Event()

app = Celery("meetbridge", broker=settings.redis_url)
app.conf.update(
    task_acks_late=False,
    worker_prefetch_multiplier=1,
    task_default_queue="bots",
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_concurrency=settings.worker_concurrency,
    worker_pool="threads",
    imports=["bridge_worker.tasks"],
    broker_transport_options={"visibility_timeout": settings.visibility_timeout_s},
)


runtime = BotRuntime(settings, shutting_down)


@worker_ready.connect
def _start_runtime(**_kwargs: Any) -> None:
    runtime.start()


@worker_shutting_down.connect
def _leave_on_shutdown(**_kwargs: Any) -> None:
    shutting_down.set()


@worker_shutdown.connect
def _stop_runtime(**_kwargs: Any) -> None:
    runtime.stop()
