"""`meetbridge url URL`: the API's link rules at the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit


def meetbridge_url(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEETBRIDGE_LAB_HOSTS": '["127.0.0.1"]'}
    return subprocess.run(
        [sys.executable, "-m", "meetbridge_cli", "url", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_an_accepted_link_prints_its_vendor_and_join_link_with_the_passcode_masked() -> None:
    done = meetbridge_url("http://127.0.0.1:8088/videoroomtest.html?room=1234&pwd=s3cret")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "vendor": "janus",
        "join_url": "http://127.0.0.1:8088/videoroomtest.html?room=1234&pwd=***",
    }
    assert "s3cret" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("http://169.254.169.254/latest/meta-data",), "link-local"),
        (("https://meet.google.com.evil.example/abc-defg-hij",), "no known meeting vendor"),
        (("--vendor", "janus", "https://zoom.us/j/1234567890?pwd=s3cret"), "not a Janus"),
        (("https://acme.webex.com/settings?pwd=s3cret",), "does not look like a Webex meeting"),
    ],
)
def test_a_refused_link_says_why_and_exits_2(args: tuple[str, ...], says: str) -> None:
    done = meetbridge_url(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert says in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_a_foreground_bot_with_a_name_its_vendor_refuses_never_starts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "meetbridge_cli", "bot", "run", "--vendor", "janus"]
        + ["--name", "bridge-one", "http://127.0.0.1:8088/videoroomtest.html?room=1234"],
        capture_output=True,
        text=True,
        env={**os.environ, "MEETBRIDGE_LAB_HOSTS": '["127.0.0.1"]'},
        timeout=60,
    )
    assert done.returncode == 2
    assert "display names of only letters and digits" in done.stderr
    assert "booting" not in done.stderr  # refused before any bot was made
