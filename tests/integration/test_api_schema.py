"""schemathesis over the OpenAPI schema: whatever it sends, the API never answers 5xx."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]


async def test_no_generated_request_gets_a_server_error(api_only, tmp_path: Path) -> None:
    token = await api_only.new_key("fuzz")
    st = Path(sys.executable).with_name("st")
    proc = await asyncio.create_subprocess_exec(
        str(st),
        "run",
        f"{api_only.base_url}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        "40",
        "--exclude-path",
        "/v1/events",  # a stream that never ends by design
        "--request-timeout",
        "15",
        "--seed",
        "1",
        "--report-dir",
        str(tmp_path / "report"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
        env={**api_only.env, "SCHEMATHESIS_HOOKS": ""},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text[-4000:]
    passed = re.search(r"\d+ generated, (\d+) passed", text)
    assert passed and int(passed.group(1)) >= 100, text[-2000:]  # it really exercised the API
