"""The stages of the bots seated in this worker process, by bot id.

A worker runs all its bots on one event loop, so a seat whose source sits in the
same process takes the source's frames straight from its `Stage`: no VP8 encode,
no trip through Janus, no jitter buffer, no decode. That is most of a bridged
bot's video cost, and much of its video delay (docs/video.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from bridge_worker.capture.stage import Stage
from bridge_worker.wiring.video_room import FrameSink

_stages: dict[str, Stage] = {}
RECHECK_S = 0.25  # how soon a source's stage is found once its seat is built


@contextlib.contextmanager
def offering(bot_id: str, stage: Stage) -> Iterator[None]:
    """Let seats in this process watch `bot_id`'s stage while the block runs."""
    _stages[bot_id] = stage
    try:
        yield
    finally:
        if _stages.get(bot_id) is stage:
            del _stages[bot_id]


def offered(bot_id: str) -> Stage | None:
    return _stages.get(bot_id)


async def keep_watching_local(source: str, sink: FrameSink) -> None:
    """Hand `source`'s frames to `sink(source, frame)` until cancelled, waiting while
    its stage is not offered (its seat is not built yet, or is being rebuilt)."""
    while True:
        stage = _stages.get(source)
        if stage is None or stage.ended.is_set():
            await asyncio.sleep(RECHECK_S)
            continue
        unwatch = stage.watch(lambda frame: sink(source, frame))
        try:
            await stage.ended.wait()
        finally:
            unwatch()
