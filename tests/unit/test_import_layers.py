"""Imports run one way: each layer of the house imports only the layers beneath it.

Read from the source with `ast` (nothing is imported), so a wrong import fails here
with its file and line, before it can tangle the packages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
OURS = ("meetbridge", "vendor_scripts", "bridge_worker", "orchestrator", "meetbridge_cli", "lab")
OURS += ("bench", "tests")
# What each package may import of ours (besides itself). The product never reaches
# into the lab, the benchmarks or the tests; the shared floor reaches nothing above it.
ALLOWED = {
    "meetbridge": set(),
    "vendor_scripts": {"meetbridge"},
    "bridge_worker": {"meetbridge", "vendor_scripts"},
    "orchestrator": {"meetbridge", "vendor_scripts"},
    "meetbridge_cli": {"meetbridge", "vendor_scripts", "bridge_worker", "orchestrator"},
    "lab": {"meetbridge", "vendor_scripts", "bridge_worker", "orchestrator", "meetbridge_cli"},
    "bench": {"meetbridge", "vendor_scripts", "bridge_worker", "orchestrator", "lab"},
}


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import in `tree`, wherever it stands."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def wrong_imports(root: Path, package: str, allowed: set[str]) -> list[str]:
    """'path:line imports module' for each import of ours `package` may not make."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in imported_modules(ast.parse(path.read_text(), str(path))):
            top = module.split(".")[0]
            if top in OURS and top != package and top not in allowed:
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_beneath_it(package: str) -> None:
    assert (ROOT / package).is_dir(), f"{package}/ is missing"
    assert wrong_imports(ROOT, package, ALLOWED[package]) == []


def test_the_check_names_a_wrong_import_by_file_and_line(tmp_path: Path) -> None:
    """An import inside a function counts too; imports from below and from outside do not."""
    shared = tmp_path / "meetbridge"
    shared.mkdir()
    (shared / "store.py").write_text(
        "import os\nfrom meetbridge import records\n\n"
        "def f():\n    from bridge_worker.bot import Bot\n"
    )
    assert wrong_imports(tmp_path, "meetbridge", ALLOWED["meetbridge"]) == [
        "meetbridge/store.py:5 imports bridge_worker.bot"
    ]
