"""How the benchmarks report a list of delays: its median and its range, in ms."""

from __future__ import annotations

import statistics


def median_ms(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def range_ms(values: list[float]) -> list[int] | None:
    return [round(min(values)), round(max(values))] if values else None
