"""The review's two charts as PNG bytes (matplotlib, Agg: no display, no server), so the
HTML stays one self-contained file.

matplotlib is loaded when the first chart is drawn, not when this module is imported:
everything that starts sopbot (the CLI, `serve`, each replica) imports the review, and
matplotlib with numpy was a quarter of that start-up (about 0.8 s of CPU) for a page few
runs draw. This is the one load the architecture test allows inside a function
(tests/core/test_architecture.py, LAZY_LOADS)."""

from __future__ import annotations

import importlib
import io
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@cache
def _figure_class() -> type[Figure]:
    """matplotlib's Figure class, with the Agg backend chosen before it is loaded."""
    importlib.import_module("matplotlib").use("Agg")
    figure: type[Figure] = importlib.import_module("matplotlib.figure").Figure
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()


def stairstep_png(section: dict[str, Any]) -> bytes | None:
    stairstep = section["stairstep"]
    steps = [s for s in (stairstep or {}).get("steps", []) if s["wape"].shown is not None]
    if not steps:
        return None
    figure = _figure_class()(figsize=(5, 3))
    axes = figure.subplots()
    names = {"naive": "Naive (plan before AI)", "ai": "AI", "final": "Final decision"}
    bars = axes.bar(
        [names[s["step"]] for s in steps],
        [s["wape"].shown * 100 for s in steps],
        color=["#9e9e9e", "#1f77b4", "#2ca02c"][: len(steps)],
    )
    axes.bar_label(bars, fmt="%.1f%%")
    axes.set_ylabel("WAPE (lower is better), %")
    axes.set_title("Forecast value added")
    return _png(figure)


def calibration_png(section: dict[str, Any]) -> bytes | None:
    table = section["calibration"]
    if not table:
        return None
    figure = _figure_class()(figsize=(5, 3))
    axes = figure.subplots()
    labels = [b["bin"] for b in table]
    shown = [(b["right"] / b["n"]) * 100 for b in table]
    colors = ["#1f77b4" if not b["right_rate"].too_small else "#cccccc" for b in table]
    axes.bar(labels, shown, color=colors, label="AI right (grey: n too small)")
    axes.plot(
        labels,
        [b["mean_confidence"] * 100 for b in table],
        "o--",
        color="#d62728",
        label="stated confidence",
    )
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_xlabel("confidence bin")
    axes.set_title("Calibration: stated confidence vs. how often right")
    axes.legend(loc="lower right", fontsize="small")
    return _png(figure)


CHARTS = {"stairstep": stairstep_png, "calibration": calibration_png}
