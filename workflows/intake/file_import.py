"""`sopbot ingest FILE` and `sopbot outcomes FILE`: CSV, JSON or JSONL in UTF-8, UTF-16
or Windows-1252 (detected, or given). Good rows are kept, bad rows are reported by line
and written to `FILE.rejects.csv` with the reason. A file that stops decoding half-way
keeps what was read before, and says where it stopped: in every outcome the summary and
the rejects file are written."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.limits import unstorable_strings
from core.recommendation import RecommendationIn
from workflows.base import WorkflowContext
from workflows.intake.encodings import check_encoding, decoded_lines, detect_encoding
from workflows.intake.ingestion import ingest
from workflows.intake.outcomes import record_outcomes
from workflows.intake.validation import BatchRejected, validate_batch

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
    recorded: int = 0  # outcomes
    encoding: str = "utf-8"
    rejects: list[Reject] = field(default_factory=list)
    rejects_path: Path | None = None

    def reject(self, row: Row, field: str, message: str) -> None:
        self.rejects.append(Reject(row.line, field, message, row.raw))

    def write_rejects(self, path: Path) -> None:
        if not self.rejects:
            return
        self.rejects.sort(key=lambda reject: reject.line)
        self.rejects_path = path.with_name(path.name + ".rejects.csv")
        with self.rejects_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "field", "reason", "row"])
            for reject in self.rejects:
                writer.writerow([reject.line, reject.field, reject.message, reject.raw])


SUFFIXES = (".csv", ".json", ".jsonl")


def file_encoding(path: Path, given: str | None) -> str:
    """The encoding to read `path` in; ValueError for a file kind we do not read."""
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{path.name}: use a .csv, .json or .jsonl file")
    return check_encoding(given) if given else detect_encoding(path)


_NUMBERS = frozenset({"quantity", "confidence", "interval_low", "interval_high", "actual_value"})
_BOOLEANS = frozenset({"withdrawn", "ai_correct"})


def _number(column: str, value: str) -> Any:
    """CSV cells are text; the models take numbers strictly (an API client's "12" is
    refused), so numeric columns are read here. Unreadable text stays text, for the
    model to refuse naming the column."""
    try:
        return int(value) if column == "revision" else float(value)
    except ValueError:
        return value


def _csv_value(column: str, value: str) -> Any:
    value = value.strip()
    if value == "":
        return None
    if column in _NUMBERS or column == "revision":
        return _number(column, value)
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
    if column in _BOOLEANS:
        return value.lower() in ("1", "true", "yes")
    return value


def read_rows(path: Path, encoding: str = "utf-8-sig") -> Iterator[Row]:
    suffix = path.suffix.lower()
    lines = decoded_lines(path, encoding)
    if suffix == ".csv":
        reader = csv.DictReader(lines)
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
        for number, text in enumerate(lines, start=1):
            if text.strip():
                try:
                    yield Row(number, json.loads(text), text.strip())
                except (ValueError, RecursionError) as exc:  # JSONDecodeError too
                    message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                    yield Row(number, {"__error__": f"not valid JSON: {message}"}, text.strip())
    elif suffix == ".json":
        data = json.loads("".join(lines))
        for number, item in enumerate(data if isinstance(data, list) else [data], start=1):
            yield Row(number, item, json.dumps(item))
    else:
        raise ValueError(f"{path.name}: use a .csv, .json or .jsonl file")


def _read_all(path: Path, report: ImportReport) -> Iterator[Row]:
    """The file's rows; where it stops being readable (bytes the encoding cannot decode,
    a NUL in a CSV, a broken JSON document) one reject says where, and reading ends."""
    last = 0
    try:
        for row in read_rows(path, report.encoding):
            last = row.line
            yield row
    except (UnicodeDecodeError, csv.Error, ValueError, RecursionError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)[:200]
        hint = "; give --encoding" if isinstance(exc, UnicodeDecodeError) else ""
        report.rejects.append(
            Reject(
                last + 1,
                "(file)",
                (
                    f"cannot read the file as {report.encoding} after line {last} ({reason}); "
                    f"nothing after it was imported{hint}"
                ),
                "",
            )
        )


def _storable(report: ImportReport, row: Row) -> bool:
    if isinstance(row.data, dict) and "__error__" in row.data:
        report.reject(row, "(row)", row.data["__error__"])
        return False
    problems = list(unstorable_strings(row.data))
    for path, message in problems:
        report.reject(row, ".".join(map(str, path)) or "(row)", message)
    return not problems


def import_recommendations(
    ctx: WorkflowContext,
    *,
    path: Path,
    encoding: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport(encoding=file_encoding(path, encoding))
    chunk: list[Row] = []
    reject = report.reject

    def flush() -> None:
        accepted: dict[tuple[str, str], tuple[Row, RecommendationIn]] = {}
        for row in chunk:
            if not _storable(report, row):
                continue
            try:
                [item] = validate_batch(config=ctx.config, raw_items=[row.data])
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
                results = ingest(ctx, items=[item for _row, item in pending])
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

    for row in _read_all(path, report):
        report.total += 1
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    report.write_rejects(path)
    return report


def import_outcomes(
    ctx: WorkflowContext, *, path: Path, encoding: str | None = None
) -> ImportReport:
    """Outcomes from a file: the good rows are recorded together, each bad row is a
    reject (bad values, or no recommendation it could answer)."""
    report = ImportReport(encoding=file_encoding(path, encoding))
    pending: list[Row] = []
    for row in _read_all(path, report):
        report.total += 1
        if _storable(report, row):
            pending.append(row)
    while pending:
        try:
            ids = record_outcomes(ctx, raw_items=[row.data for row in pending])
        except BatchRejected as rejected:
            refused = {err.index for err in rejected.errors}
            for err in rejected.errors:
                report.reject(pending[err.index], err.field, err.message)
            pending = [row for i, row in enumerate(pending) if i not in refused]
            continue
        report.recorded = len(ids)
        break
    report.write_rejects(path)
    return report


def count_rows(path: Path, encoding: str | None = None) -> int:
    """Rows for the progress bar (lines; a bad byte only blurs the count)."""
    if path.suffix.lower() == ".json":
        return -1
    with path.open(encoding=file_encoding(path, encoding), errors="replace") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if path.suffix.lower() == ".csv" else lines
