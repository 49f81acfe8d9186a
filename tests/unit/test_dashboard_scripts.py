"""The dashboard's pure script parts, run in Node where it is installed (the page
itself is tested in Chromium: tests/integration/test_dashboard.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(shutil.which("node") is None, reason="no node here"),
]
WEB = Path(__file__).resolve().parents[2] / "orchestrator" / "web"


def run_module(script: str) -> object:
    """Run an ES module in orchestrator/web; what it prints is JSON."""
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    return json.loads(out)


def test_server_sent_events_are_parsed_across_any_chunking() -> None:
    stream = (
        ": ping\r\n\r\n"
        'id: 1-0\r\nevent: bot.state\r\ndata: {"state":"joining"}\r\n\r\n'
        'id:2-0\nevent: room.created\ndata: {"a":1}\ndata: {"b":2}\n\n'
        "data: no id\r\n\r\n"
        "event: unfinished\r\ndata: {}"
    )
    results = run_module(
        "import { SseParser } from './events.js';\n"
        f"const text = {json.dumps(stream)};\n"
        "const runs = [];\n"
        "for (const size of [1, 2, 3, 7, text.length]) {\n"
        "  const events = [];\n"
        "  const parser = new SseParser((e) => events.push(e));\n"
        "  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));\n"
        "  runs.push(events);\n"
        "}\n"
        "console.log(JSON.stringify(runs));"
    )
    assert isinstance(results, list)
    for events in results:
        assert events == [
            {"id": "1-0", "event": "bot.state", "data": '{"state":"joining"}'},
            {"id": "2-0", "event": "room.created", "data": '{"a":1}\n{"b":2}'},
            {"id": None, "event": "message", "data": "no id"},
        ]


def test_api_errors_become_messages_for_people() -> None:
    cases = [
        [401, {"detail": "a valid API key is required"}],
        [422, {"detail": "this is not a Zoom meeting link"}],
        [422, {"detail": [{"loc": ["body", "display_name"], "msg": "String too long"}]}],
        [409, {"detail": "bot bot_1 is in another room"}],
        [500, {"detail": "internal error"}],
        [502, None],
        [503, {"detail": "the job queue is unavailable"}],
    ]
    messages = run_module(
        "import { errorMessage } from './api.js';\n"
        f"const cases = {json.dumps(cases)};\n"
        "console.log(JSON.stringify(cases.map(([s, b]) => errorMessage(s, b))));"
    )
    assert messages == [
        "That key was not accepted",
        "This is not a Zoom meeting link",
        "display_name: String too long",
        "Bot bot_1 is in another room",
        "meetbridge had an internal error; try again",
        "meetbridge had an internal error; try again",
        "The job queue is unavailable",
    ]
