"""Jitter-buffer means between two getStats readings (the latency bench's 'where the
time goes'): only what was emitted between the readings counts."""

from __future__ import annotations

from bridge_worker.browser.receive_buffers import mean_receive_delays


def test_means_cover_only_the_window_between_readings() -> None:
    before = {"audio": {"emitted": 1000, "buffer": 50.0, "target": 40.0, "minimum": 30.0}}
    after = {
        "audio": {"emitted": 3000, "buffer": 250.0, "target": 240.0, "minimum": 90.0},
        "video": {"emitted": 30, "buffer": 3.0, "target": 3.3, "minimum": 0.9},
    }
    assert mean_receive_delays(before, after) == {
        "audio": {"buffer_ms": 100, "target_ms": 100, "minimum_ms": 30},
        "video": {"buffer_ms": 100, "target_ms": 110, "minimum_ms": 30},
    }


def test_nothing_emitted_meanwhile_gives_no_figure() -> None:
    reading = {"audio": {"emitted": 10, "buffer": 1.0, "target": 1.0, "minimum": 1.0}}
    assert mean_receive_delays(reading, reading) == {}


def test_a_connection_closed_between_readings_gives_no_figure() -> None:
    # A bot's totals sum its page's open connections: one closing takes its totals away.
    before = {"audio": {"emitted": 5000, "buffer": 400.0, "target": 300.0, "minimum": 100.0}}
    after = {"audio": {"emitted": 5100, "buffer": 20.0, "target": 15.0, "minimum": 5.0}}
    assert mean_receive_delays(before, after) == {}
