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


def test_audio_shares_of_what_was_received_meanwhile() -> None:
    before = {
        "audio": {
            "emitted": 0,
            "buffer": 0.0,
            "target": 0.0,
            "minimum": 0.0,
            "samples": 48_000,
            "concealed": 480,
            "accelerated": 0,
            "decelerated": 0,
            "packets": 100,
            "discarded": 1,
        },
        "video": {
            "emitted": 0,
            "buffer": 0.0,
            "target": 0.0,
            "minimum": 0.0,
            "samples": 0,
            "concealed": 0,
            "accelerated": 0,
            "decelerated": 0,
        },
    }
    after = {
        "audio": {
            "emitted": 96_000,
            "buffer": 9600.0,
            "target": 4800.0,
            "minimum": 1920.0,
            "samples": 144_000,
            "concealed": 1440,
            "accelerated": 4800,
            "decelerated": 96,
            "packets": 300,
            "discarded": 5,
        },
        "video": {
            "emitted": 100,
            "buffer": 1.0,
            "target": 1.0,
            "minimum": 0.0,
            "samples": 0,
            "concealed": 0,
            "accelerated": 0,
            "decelerated": 0,
        },
    }
    means = mean_receive_delays(before, after)
    assert means["audio"] == {
        "buffer_ms": 100,
        "target_ms": 50,
        "minimum_ms": 20,
        "concealed_pct": 1.0,
        "accelerated_pct": 5.0,
        "decelerated_pct": 0.1,
        "discarded_pct": 2.0,
    }
    assert means["video"] == {"buffer_ms": 10, "target_ms": 10, "minimum_ms": 0}
