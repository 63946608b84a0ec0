"""A clone of the repository alone passes `make test`: nothing under tests/ reads a path
that leaves the repository (the design notes exist only beside a checkout, not in a clone)."""

from __future__ import annotations

import re

from tests.schemas import ADAPTIVE_CARD_1_5, SLACK_MANIFEST_1_0_0
from tests.support.data import ROOT

LEAVING = re.compile(r"""(?<!\.)\.\./|ROOT\.parent|parents\[[3-9]\]|["']shared["']""")


def test_no_test_reads_outside_the_repository() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == "test_self_contained.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LEAVING.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_official_schemas_are_carried_with_their_notice() -> None:
    for schema in (ADAPTIVE_CARD_1_5, SLACK_MANIFEST_1_0_0):
        assert schema.is_relative_to(ROOT) and schema.stat().st_size > 10_000
    notice = (ROOT / "tests" / "schemas" / "NOTICE.md").read_text(encoding="utf-8")
    assert "microsoft/AdaptiveCards" in notice and "slackapi/manifest-schema" in notice
    assert "MIT" in notice
