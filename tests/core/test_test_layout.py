"""The tests' own layout: helpers shared between test files live in tests/support (or
tests/fakes), never in a conftest.py, which pytest loads for fixtures only."""

from __future__ import annotations

import ast

from tests.support.data import ROOT


def test_no_test_file_imports_a_conftest() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("conftest"):
                offenders.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert offenders == [], "import helpers from tests.support instead:\n" + "\n".join(offenders)
