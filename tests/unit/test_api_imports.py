import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit


def test_the_api_never_imports_the_browser_or_media_stack() -> None:
    """The orchestrator shares only contracts with the worker (DESIGN, STYLE)."""
    probe = (
        "import sys, orchestrator.app; "
        "heavy = [m for m in ('playwright', 'aiortc', 'av', 'pulsectl', 'bridge_worker.bot') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]", out
