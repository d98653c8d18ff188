"""Work plan workbooks: the template, a status round trip with its audit trail, and rejected rows."""

from __future__ import annotations

import csv
import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from importers import layout, versions, workplan
from importers.load import KINDS, Kind
from importers.workplan import fill_workplan, write_workplan_template
from kpi import store
from kpi.config import DATA_DIR
from kpi.fields import WORKPLAN_STATUSES

PLAN = "2016-2020"


@pytest.fixture(autouse=True)
def workplan_kind(monkeypatch):
    # Until importers/load.py lists the kind itself; then this does nothing and the real entry is tested.
    if "workplan" not in KINDS:
        monkeypatch.setitem(KINDS, "workplan", Kind(
            workplan.write_workplan_template, (), workplan.validate_workplan, workplan.compare_workplan,
            workplan.canonicalise_workplan, workplan.store_workplan))


@pytest.fixture
def template(tmp_path):
    return write_workplan_template(tmp_path / "workplan_template.xlsx")


def _statuses(engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        frame = store.read_workplan(connection, PLAN)
    plain = [(int(r["no"]), *(None if pd.isna(r[k]) else r[k] for k in ("status", "status_note")))
             for r in frame.to_dict("records")]
    return {no: (status, note) for no, status, note in plain if (status, note) != (None, None)}


def _texts(messages) -> list[str]:
    return [str(m) for m in messages]


def test_template_has_a_row_per_programme_and_the_csv_columns(template):
    with (DATA_DIR / "workplan_2016_2020.csv").open(newline="", encoding="utf-8") as handle:
        reference = list(csv.DictReader(handle))
    book = load_workbook(template)
    assert [[c.value for c in row] for row in book[layout.INSTRUCTIONS_SHEET]["A2:B4"]] == [
        ["template_kind", "workplan"], ["template_version", versions.latest("workplan").version], ["plan", PLAN]]
    sheet = book["Work plan"]
    assert [c.value for c in sheet[1]] == [*reference[0].keys(), "status", "status_note"]
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == list(range(1, 42))
    assert sheet.cell(5, 3).value == reference[3]["title"]


def test_template_locks_programme_columns_and_offers_the_statuses(template):
    sheet = load_workbook(template)["Work plan"]
    status_col, note_col = sheet.max_column - 1, sheet.max_column
    assert sheet.protection.sheet
    assert all(sheet.cell(2, col).protection.locked for col in range(1, status_col))
    assert not sheet.cell(2, status_col).protection.locked and not sheet.cell(2, note_col).protection.locked
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert [v.formula1 for v in lists] == ['"' + ",".join(WORKPLAN_STATUSES) + '"']
    assert f"{sheet.cell(2, status_col).coordinate}" in lists[0].sqref


def test_status_round_trip_with_audit_log(engine, load, template, tmp_path):
    path = fill_workplan(template, tmp_path / "wp.xlsx", {
        4: ("completed", "Held 3-7 October 2016 in Singapore"), 12: ("Ongoing", None), 30: ("postponed", "to 2021")})

    report = load(path)

    assert report.accepted, _texts(report.errors)
    assert _statuses(engine) == {4: ("completed", "Held 3-7 October 2016 in Singapore"), 12: ("ongoing", None),
                                 30: ("postponed", "to 2021")}
    with engine.connect() as connection:
        audit = store.read_audit(connection, "workplan")
    entry = audit[audit["entity_key"] == f"{PLAN}/4"].iloc[0]
    assert entry["user_name"] == "tester" and entry["action"] == "set"
    assert json.loads(entry["detail"]) == {"before": {"status": None, "status_note": None},
                                           "after": {"status": "completed",
                                                     "status_note": "Held 3-7 October 2016 in Singapore"}}
    # One line for the file, one per programme changed; the 38 rows left blank were blank already.
    assert sorted(audit["action"]) == ["load", "set", "set", "set"]
    assert load(path).is_unchanged


def test_blank_status_clears_and_rows_left_out_stay(engine, load, template, tmp_path):
    load(fill_workplan(template, tmp_path / "a.xlsx", {4: ("completed", "done"), 5: ("ongoing", "started")}))
    partial = load_workbook(tmp_path / "a.xlsx")
    sheet = partial["Work plan"]
    sheet.delete_rows(6)  # programme 5 is not in this file: it keeps its status
    sheet.cell(5, sheet.max_column - 1).value = None
    sheet.cell(5, sheet.max_column).value = None
    partial.save(tmp_path / "b.xlsx")

    report = load(tmp_path / "b.xlsx")

    assert report.accepted, _texts(report.errors)
    assert _statuses(engine) == {5: ("ongoing", "started")}


def test_template_from_the_store_shows_current_statuses(engine, load, template, tmp_path):
    load(fill_workplan(template, tmp_path / "wp.xlsx", {4: ("completed", "done")}))
    with engine.connect() as connection:
        programmes = store.read_workplan(connection, PLAN).to_dict("records")

    sheet = load_workbook(write_workplan_template(tmp_path / "current.xlsx", programmes))["Work plan"]

    assert [c.value for c in sheet[5]][-2:] == ["completed", "done"]
    assert [c.value for c in sheet[6]][-2:] == [None, None]


def test_unknown_programme_is_rejected_naming_the_cell(engine, load, template, tmp_path):
    path = fill_workplan(template, tmp_path / "wp.xlsx", {4: ("completed", None)})
    book = load_workbook(path)
    book["Work plan"]["A3"] = 99
    book["Work plan"]["P4"] = "done"
    book.save(path)

    report = load(path)

    assert not report.accepted
    assert _texts(report.errors) == [
        "Work plan!A3: programme 99 is not in work plan 2016-2020 (programmes 1 to 41): do not change the "
        "programme numbers",
        "Work plan!P4: status is 'done': choose one of " + ", ".join(WORKPLAN_STATUSES),
    ]
    assert _statuses(engine) == {}
    with engine.connect() as connection:
        assert store.read_audit(connection, "workplan").empty


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_resave_is_the_same_content(load, template, tmp_path, resave_with_libreoffice):
    first = load(fill_workplan(template, tmp_path / "wp.xlsx", {4: ("completed", "done"), 7: ("ongoing", None)}))

    resaved = load(resave_with_libreoffice(tmp_path / "wp.xlsx", "ods"))

    assert resaved.errors == [] and resaved.duplicate_of == first.submission_id
