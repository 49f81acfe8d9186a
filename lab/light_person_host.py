"""A light person in a process of its own, driven over its stdin and stdout.

In the latency benchmark, three light people in the benchmark's own process could
not keep up: one Python thread decoded bob's picture, recorded, polled the API and
sent ann's frames, so ann's sound left late (p90 0.5 s, falling further behind),
and the bots' receive buffers grew to absorb it: the figures measured the harness.
Here each person has a process (and an event loop) of its own, as people in real
meetings have their own machines.

Protocol: one JSON object per line each way. Calls: {"call": "hear", "display": d,
"video": bool}; {"call": "onsets", "since_ms": t} -> {"tone": [ms...], "picture":
[ms...], "tone_late_ms": [ms...]};
{"call": "received", "display": d, "since_ms": t, "path": p} writes what arrived
from d since t to the .npz file p. The process ends when its stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np

from lab.light_person import LightPerson, Received
from lab.processes import as_other_machine
from meetbridge.process import supervised


def _save(received: Received, path: str) -> None:
    chunks = [chunk for _, chunk in received.audio]
    np.savez(
        path,
        arrivals=np.asarray([at for at, _ in received.audio], dtype=np.float64),
        lengths=np.asarray([chunk.size for chunk in chunks], dtype=np.int64),
        samples=np.concatenate(chunks) if chunks else np.zeros(0, np.float32),
        video=received.frames(),
    )


def _load(path: Path) -> Received:
    with np.load(path) as data:
        bounds = np.cumsum(data["lengths"])[:-1]
        chunks = np.split(data["samples"], bounds) if data["lengths"].size else []
        audio = list(zip(data["arrivals"].tolist(), chunks, strict=True))
        video = [(float(at), float(luma)) for at, luma in data["video"]]
    return Received(audio, video)


async def _answer(person: LightPerson, request: dict[str, Any]) -> dict[str, Any]:
    call = request["call"]
    if call == "hear":
        await person.hear(request["display"], video=request.get("video", True))
        return {"ok": True}
    if call == "onsets":
        since = request.get("since_ms", 0)
        return {
            "tone": [at for at in person.tone.onsets_ms if at >= since],
            "picture": [at for at in person.picture.onsets_ms if at >= since],
            "tone_late_ms": [ms for at, ms in person.tone.late_ms if at >= since],
        }
    if call == "received":
        got = person.received.get(request["display"], Received()).since(request["since_ms"])
        _save(got, request["path"])
        return {"ok": True}
    return {"error": f"unknown call {call!r}"}


async def _serve(spec: dict[str, Any]) -> None:
    # Replies go to the real stdout; anything else printed goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with LightPerson(**spec) as person:
        print(json.dumps({"ready": True}), file=replies, flush=True)
        while line := await reader.readline():
            reply = await _answer(person, json.loads(line))
            print(json.dumps(reply), file=replies, flush=True)


class HostedLightPerson:
    """Async context manager: a `LightPerson(**spec)` in a process of its own (stopped,
    with its process group, at the end)."""

    def __init__(self, **spec: Any) -> None:
        self.name: str = spec["name"]
        self._spec = spec
        self._proc: asyncio.subprocess.Process | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="mb-light-person-"))

    async def __aenter__(self) -> HostedLightPerson:
        async with contextlib.AsyncExitStack() as stack:
            self._proc = await stack.enter_async_context(self._process())
            ready = await self._reply()
            if not ready.get("ready"):
                raise RuntimeError(f"{self.name} did not start: {ready}")
            self._stack = stack.pop_all()
        return self

    @property
    def pid(self) -> int:
        assert self._proc is not None, "not started"
        return self._proc.pid

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()
        for leftover in self._folder.glob("*"):
            leftover.unlink()
        with contextlib.suppress(OSError):
            self._folder.rmdir()

    @contextlib.asynccontextmanager
    async def _process(self) -> AsyncIterator[asyncio.subprocess.Process]:
        argv = [sys.executable, "-m", "lab.light_person_host", json.dumps(self._spec)]
        argv = as_other_machine(argv)
        async with supervised(
            argv,
            name=f"light-person:{self.name}",
            env=dict(os.environ),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        ) as proc:
            try:
                yield proc
            finally:
                if proc.stdin is not None:
                    proc.stdin.close()  # the host's cue to leave the meeting

    async def _reply(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 90)
        if not line:
            raise RuntimeError(f"{self.name}'s process ended")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.name}: {reply['error']}")
        return reply

    async def _call(self, **request: Any) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request).encode() + b"\n")
        await self._proc.stdin.drain()
        return await self._reply()

    async def hear(self, display: str, *, video: bool = True) -> None:
        await self._call(call="hear", display=display, video=video)

    async def onsets(self, since_ms: float = 0) -> tuple[list[float], list[float], list[float]]:
        """When this person's bursts and flashes left (wall ms), and how late each of
        its audio frames since `since_ms` left (ms)."""
        reply = await self._call(call="onsets", since_ms=since_ms)
        return reply["tone"], reply["picture"], reply["tone_late_ms"]

    async def received(self, display: str, since_ms: float) -> Received:
        path = self._folder / f"{display}.npz"
        await self._call(call="received", display=display, since_ms=since_ms, path=str(path))
        try:
            return _load(path)
        finally:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", help="LightPerson's arguments, as a JSON object")
    spec = json.loads(parser.parse_args().spec)
    for key in ("colour", "size", "pulse"):
        if spec.get(key) is not None:
            spec[key] = tuple(spec[key])
    asyncio.run(_serve(spec))
