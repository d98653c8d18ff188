"""Where a figure comes from (kpi.lineage): the cells, rows and files behind one value, from real workbooks."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from importers.load import load_file
from importers.templates import fill_return, write_return_template
from kpi import lineage
from kpi.db import write_transaction
from kpi.plans import FRAMEWORKS
from kpi.store import set_target
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES

FRAMEWORK = FRAMEWORKS["2016-2020"]


def _indicator(code: str):
    return FRAMEWORK.indicator(code)


def _load(engine, tmp_path, country: str, year: int, user: str = "alice", **values) -> int:
    template = write_return_template(tmp_path / f"template_{country}_{year}.xlsx", country, year)
    path = fill_return(template, tmp_path / f"return_{country}_{year}_{len(values)}.xlsx",
                       {**VALID_VALUES, **values}, VALID_ITEMS)
    report = load_file(engine, path.read_bytes(), path.name, user)
    assert report.accepted, [str(m) for m in report.errors]
    return report.submission_id


def _cell_of(path, code: str) -> str:
    """The value cell of a field, read from the workbook itself: column C of the row whose code is `code`."""
    sheet = load_workbook(path)["Return"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    return f"C{row}"


def _lineage(engine, code: str, scope: str, year: int):
    with engine.connect() as connection:
        return lineage.read_lineage(connection, FRAMEWORK, lineage.FigureKey(_indicator(code), scope, year))


def test_a_regional_yes_count__one_row_per_member_return_of_the_year_with_its_cell(engine, tmp_path):
    brn = _load(engine, tmp_path, "BRN", 2018, a1_competency_institutionalised="yes")
    khm = _load(engine, tmp_path, "KHM", 2018, user="bob", a1_competency_institutionalised="no")
    _load(engine, tmp_path, "BRN", 2017)  # another year: not behind a 2018 figure
    rows = _lineage(engine, "A.1", "ASEAN", 2018)
    values = rows[rows["part"] == lineage.VALUE]
    cell = _cell_of(tmp_path / "template_BRN_2018.xlsx", "a1_competency_institutionalised")
    assert list(values["member_state"]) == ["BRN", "KHM"]
    assert list(values["value"]) == ["yes", "no"]
    assert set(values["sheet"]) == {"Return"} and set(values["cells"]) == {cell}
    assert list(values["submission"]) == [brn, khm] and list(values["loaded_by"]) == ["alice", "bob"]
    assert list(values["file"]) == ["return_BRN_2018_1.xlsx", "return_KHM_2018_1.xlsx"]
    assert all(at.endswith(" UTC") for at in values["loaded_at"])
    assert not (rows["part"] == lineage.BASELINE).any()  # no 2014 return stored, no baseline entered


def test_a_share__both_inputs_and_only_the_current_return(engine, tmp_path):
    _load(engine, tmp_path, "BRN", 2018, a11_agencies_competency=100)
    corrected = _load(engine, tmp_path, "BRN", 2018, a11_agencies_competency=320, agencies_total=640)
    rows = _lineage(engine, "A.1.1", "BRN", 2018)
    values = rows[rows["part"] == lineage.VALUE].set_index("value")
    assert set(values["submission"]) == {corrected}  # the superseded return is not behind the figure
    assert set(values.index) == {"320", "640"}  # numerator and denominator, as stored


def test_a_list_count__the_rows_of_its_sheet(engine, tmp_path):
    _load(engine, tmp_path, "BRN", 2018)
    rows = _lineage(engine, "B.2", "BRN", 2018)
    listed = rows[rows["input"].str.startswith("rows of the")]
    count = len(VALID_ITEMS["policies"])
    assert list(listed["value"]) == [str(count)]
    assert list(listed["cells"]) == [f"rows 2–{1 + count}" if count > 1 else "row 2"]


def test_the_baseline_year_returns_and_entered_targets(engine, tmp_path):
    _load(engine, tmp_path, "BRN", 2014)
    _load(engine, tmp_path, "BRN", 2018)
    with write_transaction(engine) as connection:
        set_target(connection, FRAMEWORK.code, "A.1.1", "AMS", None, 60.0, None, "secretariat")
    rows = _lineage(engine, "A.1.1", "BRN", 2018)
    assert set(rows[rows["part"] == lineage.BASELINE]["year"]) == {2014}
    target = rows[rows["part"] == lineage.TARGET]
    assert (list(target["member_state"]), list(target["value"]), list(target["loaded_by"])) == \
        (["every AMS"], ["60"], ["secretariat"])
    # An AMS's own target wins over the one for every AMS, and an entered baseline over the 2014 returns.
    with write_transaction(engine) as connection:
        set_target(connection, FRAMEWORK.code, "A.1.1", "BRN", 45.0, 70.0, None, "secretariat")
    rows = _lineage(engine, "A.1.1", "BRN", 2018)
    assert list(rows[rows["part"] == lineage.TARGET]["value"]) == ["70"]
    baseline = rows[rows["part"] == lineage.BASELINE]
    assert (list(baseline["input"]), list(baseline["value"])) == (["entered baseline"], ["45"])


@pytest.mark.parametrize(("scope", "year"), [("TLS", 2018), ("MMR", 2018)])
def test_nothing_behind_a_figure_without_a_return(engine, tmp_path, scope, year):
    _load(engine, tmp_path, "BRN", 2018)
    assert _lineage(engine, "A.1", scope, year).empty  # TLS not yet a member; MMR sent nothing
