"""The Celery app: one task, `run_bot`, that lives as long as its bot is in a meeting.

Choices for hour-long tasks on the Redis broker:
- late acks + prefetch 1: a running bot's job stays unacknowledged, so a worker
  whose threads are all busy takes no further job (with early acks it would take
  one and sit on it until a bot ended);
- the visibility timeout is longer than a bot's maximum duration, so a running
  job is never redelivered; a job of a worker that died is redelivered later, but
  finds its bot already `worker_lost` (the orchestrator's watchdog) and does
  nothing: a bot is never re-joined behind everyone's back;
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
    task_acks_late=True,
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
