"""`sopbot ingest FILE` and `sopbot outcomes FILE`: CSV, JSON or JSONL. Good rows are
kept, bad rows are reported by line and written to `FILE.rejects.csv` with the reason."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import Config
from core.recommendation import RecommendationIn
from workflows.ingestion import BatchRejected, Ingestor, validate_batch

CHUNK = 500


@dataclass
class Row:
    line: int
    data: Any
    raw: str


@dataclass
class Reject:
    line: int
    field: str
    message: str
    raw: str


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    duplicate: int = 0
    revised: int = 0
    withdrawn: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_path: Path | None = None


def _csv_value(column: str, value: str) -> Any:
    value = value.strip()
    if value == "":
        return None
    if column in ("drivers", "links"):
        if value.startswith("["):
            return json.loads(value)
        if column == "drivers":  # "Open orders:0.45|Late PO:0.3"
            drivers = []
            for part in value.split("|"):
                factor, _, weight = part.partition(":")
                drivers.append(
                    {"factor": factor.strip(), "weight": float(weight) if weight else None}
                )
            return drivers
    if column == "withdrawn":
        return value.lower() in ("1", "true", "yes")
    return value


def read_rows(path: Path) -> Iterator[Row]:
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if suffix == ".csv":
            reader = csv.DictReader(handle)
            for record in reader:
                line = reader.line_num
                raw = ",".join(v or "" for v in record.values() if isinstance(v, str))
                try:
                    # An empty cell means "not given": the model's default applies.
                    data = {k: _csv_value(k, v) for k, v in record.items() if k and v}
                    data = {k: v for k, v in data.items() if v is not None}
                except (ValueError, json.JSONDecodeError) as exc:
                    data = {"__error__": f"cannot read drivers/links: {exc}"}
                yield Row(line, data, raw)
        elif suffix == ".jsonl":
            for number, text in enumerate(handle, start=1):
                if text.strip():
                    try:
                        yield Row(number, json.loads(text), text.strip())
                    except json.JSONDecodeError as exc:
                        yield Row(number, {"__error__": f"not valid JSON: {exc.msg}"}, text.strip())
        elif suffix == ".json":
            data = json.load(handle)
            for number, item in enumerate(data if isinstance(data, list) else [data], start=1):
                yield Row(number, item, json.dumps(item))
        else:
            raise ValueError(f"{path.name}: use a .csv, .json or .jsonl file")


def import_recommendations(
    *, path: Path, config: Config, ingestor: Ingestor,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:  # fmt: skip
    report = ImportReport()
    chunk: list[Row] = []

    def reject(row: Row, field: str, message: str) -> None:
        report.rejects.append(Reject(row.line, field, message, row.raw))

    def flush() -> None:
        accepted: dict[tuple[str, str], tuple[Row, RecommendationIn]] = {}
        for row in chunk:
            if isinstance(row.data, dict) and "__error__" in row.data:
                reject(row, "(row)", row.data["__error__"])
                continue
            try:
                [item] = validate_batch(config=config, raw_items=[row.data])
            except BatchRejected as rejected:
                for err in rejected.errors:
                    reject(row, err.field, err.message)
                continue
            key = (item.source, item.external_id)
            if key in accepted:  # the later line wins, as a revision would; say so
                earlier = accepted.pop(key)[0]
                reject(earlier, "external_id", f"superseded by line {row.line} of this file")
            accepted[key] = (row, item)
        pending = list(accepted.values())
        # A batch is all or nothing: an item the store refuses (a type nobody owns)
        # becomes a reject for its line and the rest are stored without it.
        while pending:
            try:
                results = ingestor.ingest(items=[item for _row, item in pending])
            except BatchRejected as rejected:
                refused = {err.index for err in rejected.errors}
                for err in rejected.errors:
                    reject(pending[err.index][0], err.field, err.message)
                pending = [p for i, p in enumerate(pending) if i not in refused]
                continue
            for result in results:
                setattr(report, result.status.value, getattr(report, result.status.value) + 1)
            break
        if progress:
            progress(len(chunk))
        chunk.clear()

    for row in read_rows(path):
        report.total += 1
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    if report.rejects:
        report.rejects.sort(key=lambda reject: reject.line)
        report.rejects_path = path.with_name(path.name + ".rejects.csv")
        with report.rejects_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "field", "reason", "row"])
            for reject in report.rejects:
                writer.writerow([reject.line, reject.field, reject.message, reject.raw])
    return report


def count_rows(path: Path) -> int:
    if path.suffix.lower() == ".json":
        return -1
    with path.open(encoding="utf-8-sig") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if path.suffix.lower() == ".csv" else lines
