"""CSV and Excel exports: formula injection escaped, numbers kept numbers, the KPI table and every stored return."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from kpi.engine import REPORT_COLUMNS, compute_report
from kpi.exports import tables
from tests.exports.fixture_store import HOSTILE_FOCAL_POINT

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
HARMLESS = ["Viet Nam", "Lào", "a=b", "1-2"]


@pytest.fixture
def hostile_table() -> pd.DataFrame:
    texts = HOSTILE + HARMLESS
    return pd.DataFrame({"text": pd.Series(texts, dtype="string"),
                         "number": [-1, -2.5, 0, 3, None, 7, 1e6, -0.0, 12, 5]})


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_table_to_csv__starts_with_a_bom_for_excel(hostile_table):
    assert tables.table_to_csv(hostile_table).startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_table_to_csv__formula_cells_get_a_quote(hostile_table, index):
    rows = read_csv_rows(tables.table_to_csv(hostile_table))
    assert rows[1 + index][0] == "'" + HOSTILE[index]


def test_table_to_csv__harmless_text_and_numbers_are_kept(hostile_table):
    rows = read_csv_rows(tables.table_to_csv(hostile_table))
    assert [r[0] for r in rows[1 + len(HOSTILE):]] == HARMLESS
    assert rows[0] == ["text", "number"]
    assert float(rows[1][1]) == -1 and float(rows[2][1]) == -2.5  # a negative number is a number, unquoted
    assert rows[5][1] == ""  # no value stays blank, never 0


@pytest.fixture
def hostile_sheet(hostile_table):
    workbook = openpyxl.load_workbook(io.BytesIO(tables.table_to_excel(hostile_table, "Hostile")))
    return workbook["Hostile"]


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_table_to_excel__formula_cells_are_text_kept_verbatim(hostile_sheet, index):
    cell = hostile_sheet.cell(row=2 + index, column=1)
    assert cell.data_type == "s"
    assert cell.value == HOSTILE[index]
    assert cell.quotePrefix


def test_table_to_excel__no_cell_is_a_formula(hostile_sheet):
    assert all(cell.data_type != "f" for row in hostile_sheet.iter_rows() for cell in row)


def test_table_to_excel__numbers_stay_numbers(hostile_sheet):
    numbers = [hostile_sheet.cell(row=r, column=2) for r in range(2, 12)]
    assert [c.value for c in numbers[:2]] == [-1, -2.5]
    assert all(c.data_type == "n" for c in numbers)
    assert numbers[4].value is None


def test_table_to_excel__header_bold_frozen_and_widths_fit(hostile_sheet):
    assert hostile_sheet["A1"].font.bold and hostile_sheet["B1"].font.bold
    assert hostile_sheet.freeze_panes == "A2"
    assert hostile_sheet.column_dimensions["A"].width >= len(HOSTILE[0])


def test_kpi_table_workbook__has_the_interface_columns_and_every_row(plain_engine):
    with plain_engine.connect() as connection:
        report = compute_report(connection)
    sheet = openpyxl.load_workbook(io.BytesIO(tables.kpi_table_workbook(report)))["KPI table"]
    header = [c.value for c in sheet[1]]
    assert header == REPORT_COLUMNS
    assert {"indicator", "scope", "year", "value", "coverage", "baseline", "target", "progress", "status"} <= set(header)
    assert sheet.max_row == len(report) + 1
    rows = {(r[0], r[1], r[2]): dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("E.3", "ASEAN", 2019)]["value"] is None and rows[("E.3", "ASEAN", 2019)]["status"] == "no data"
    assert rows[("A.1", "ASEAN", 2019)]["coverage"] == 8


@pytest.fixture(scope="module")
def returns_book(plain_engine):
    with plain_engine.connect() as connection:
        return openpyxl.load_workbook(io.BytesIO(tables.returns_workbook(connection)))


def test_returns_workbook__one_sheet_of_values_and_one_per_list(returns_book):
    assert returns_book.sheetnames == ["Values", "Policies", "ARC projects", "Reform measures", "Instructions"]
    header = [c.value for c in returns_book["Values"][1]]
    assert header[:5] == ["country", "country name", "year", "submission_id", "status"]  # the name beside the code
    assert {"field", "value", "unit", "cell"} <= set(header)


def test_returns_workbook__keeps_superseded_returns(returns_book):
    rows = list(returns_book["Values"].iter_rows(min_row=2, values_only=True))
    brn_2018 = {(r[3], r[4]) for r in rows if r[0] == "BRN" and r[2] == 2018}
    assert {status for _, status in brn_2018} == {"current", "superseded"}
    policies = {r[4] for r in returns_book["Policies"].iter_rows(min_row=2, values_only=True) if r[0] == "BRN"}
    assert policies == {"current", "superseded"}


def test_returns_workbook__a_hostile_value_is_text_and_the_cell_is_named(returns_book):
    sheet = returns_book["Values"]
    header = [c.value for c in sheet[1]]
    field, value, where = header.index("field") + 1, header.index("value") + 1, header.index("cell") + 1
    hits = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, field).value == "focal_point"
            and sheet.cell(r, 1).value == "BRN"]
    assert hits
    for row in hits:
        cell = sheet.cell(row, value)
        assert cell.data_type == "s" and cell.value == HOSTILE_FOCAL_POINT
        assert sheet.cell(row, where).value.startswith("Return!C")


def test_returns_workbook__numbers_are_numbers(returns_book):
    sheet = returns_book["Values"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("field")].value == "agencies_total")
    assert row[header.index("value")].data_type == "n"
