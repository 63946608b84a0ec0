"""The review document's vocabulary: a block (heading, sentence, table, chart) and how a
value reads in a cell, shared by every part of the document and both renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflows.review.stats import Measure, Rate


@dataclass
class Block:
    kind: str  # title | heading | subheading | paragraph | list | table | chart
    text: str = ""
    items: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    scope: str = ""  # chart: which scope's data


def cell(value: Any) -> str:
    if isinstance(value, Rate | Measure):
        return value.text()
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"
