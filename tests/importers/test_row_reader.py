"""One row reader for every sheet of rows under a header (list sheets, targets, evaluations, work plan)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from importers.cells import parse_row, read_header, read_rows
from importers.report import Validation
from importers.safe_read import read_workbook
from kpi.fields import Field

FIELDS = (Field("title", "Title", "text", required=True, max_length=50),
          Field("count", "Count", "integer", minimum=0))


def _sheet(rows: list[list]):
    book = Workbook()
    sheet = book.active
    sheet.title = "Items"
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return read_workbook(data.getvalue(), "items.xlsx").sheet("Items")


def test_read_rows__skips_blank_rows_and_gives_each_cells_reference():
    sheet = _sheet([["title", "count"], ["A", 1], [None, None], ["  ", None], ["B", 2]])
    result = Validation()
    rows = list(read_rows(sheet, read_header(sheet, FIELDS, result)))
    assert [r.number for r in rows] == [2, 5]
    assert rows[1].refs == {"title": "A5", "count": "B5"}
    assert [r.cells["title"].value for r in rows] == ["A", "B"]
    assert not result.errors


def test_parse_row__records_each_error_at_its_cell_and_a_blank_required_field_only_when_asked():
    sheet = _sheet([["title", "count"], [None, -1]])
    result = Validation()
    row = next(read_rows(sheet, read_header(sheet, FIELDS, result)))
    assert parse_row("Items", row, FIELDS, result) == {"title": None, "count": None}
    assert [(m.cell, m.text.split(" ")[0]) for m in result.errors] == [("B2", "count")]

    asked = Validation()
    parse_row("Items", row, FIELDS, asked, required_message="{code} is required for every row")
    assert [(m.cell, m.text) for m in asked.errors][0] == ("A2", "title is required for every row")
