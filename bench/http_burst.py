"""Bursts of concurrent HTTP requests from a client too light to be the bottleneck.

Python HTTP clients spend a millisecond or more of CPU per request, which on a
2-core machine would measure the client, not the server. Here 50 keep-alive
connections are opened first, then each burst writes one request on every
connection at once and times each response, with bare asyncio streams.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


async def _read_response(reader: asyncio.StreamReader) -> int:
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def burst_latencies(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    concurrency: int = 50,
    bursts: int = 10,
    expect_status: int | None = None,
) -> list[float]:
    """Seconds from writing each request to reading its whole response, all bursts."""
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    ).encode() + body
    connections = [
        await asyncio.open_connection(parts.hostname, parts.port) for _ in range(concurrency)
    ]

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> float:
        started = time.perf_counter()
        writer.write(head)
        status = await _read_response(reader)
        if expect_status is not None and status != expect_status:
            raise AssertionError(f"status {status}, expected {expect_status}")
        return time.perf_counter() - started

    latencies: list[float] = []
    try:
        # The first request on a connection pays for its set-up in the server: warm up.
        await asyncio.gather(*(one(r, w) for r, w in connections))
        for _ in range(bursts):
            latencies += await asyncio.gather(*(one(r, w) for r, w in connections))
            await asyncio.sleep(0.2)
    finally:
        for _, writer in connections:
            writer.close()
    return latencies
