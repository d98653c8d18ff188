"""Evaluations workbooks: the template, validation, and D.1.1 recomputed from participants' Annex 1 ratings."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook

from importers import evaluations, layout, versions
from importers.evaluations import fill_evaluations, write_evaluations_template
from importers.load import KINDS, Kind
from importers.templates import fill_return
from kpi import store
from kpi.engine import compute_report
from kpi.fields import ANNEX1_GROUPS, ANNEX1_ITEMS, EVALUATION_FIELDS

PROJECT_A = "Leadership Workshop"
PROJECT_B = "Coaching Clinic"


@pytest.fixture(autouse=True)
def evaluations_kind(monkeypatch):
    # Until importers/load.py lists the kind itself; then this does nothing and the real entry is tested.
    if "evaluations" not in KINDS:
        monkeypatch.setitem(KINDS, "evaluations", Kind(
            evaluations.write_evaluations_template, ("country", "year", "project"),
            evaluations.validate_evaluations, evaluations.compare_evaluations,
            evaluations.canonicalise_evaluations, evaluations.store_validated_evaluations))


@pytest.fixture
def two_projects(return_template, tmp_path, load, valid_values, valid_items):
    """BRN 2018 return with two ARC projects: A (8 evaluations, 8 satisfied) and B (5 evaluations, 1 satisfied)."""
    items = {**valid_items, "arc_projects": [
        {"title": PROJECT_A, "start_date": dt.date(2018, 3, 5), "end_date": dt.date(2018, 3, 9),
         "participants": 10, "evaluations": 8, "satisfied": 8},
        {"title": PROJECT_B, "start_date": dt.date(2018, 6, 1), "end_date": dt.date(2018, 6, 2),
         "participants": 5, "evaluations": 5, "satisfied": 1},
    ]}
    path = fill_return(return_template, tmp_path / "return.xlsx", {**valid_values, "d2_projects_count": 2}, items)
    report = load(path)
    assert report.accepted, [str(m) for m in report.errors]


@pytest.fixture
def template(tmp_path):
    # Extra spaces and another case still match the project listed in the return.
    return write_evaluations_template(tmp_path / "evaluations_template.xlsx", "brn", 2018, "leadership  workshop")


def _ratings(*values: int | None) -> dict:
    """Annex 1 ratings a1_01.. from the values given, the rest left blank."""
    return {item.code: value for item, value in zip(ANNEX1_ITEMS, values)}


PARTICIPANTS = [
    {"participant": "P1", **_ratings(*[5] * 20), "a2_overall": 5},  # mean 5: satisfied
    {"participant": "P2", **_ratings(*[2] * 20), "a2_overall": 2},  # mean 2: not satisfied
    {"participant": "P3", **_ratings(*[3] * 10, *[2] * 10), "a2_overall": 3},  # mean 2.5: not satisfied
    {"participant": "P4", **_ratings(*[2] * 10, *[4] * 10), "a2_overall": 4},  # mean exactly 3: satisfied
    {"participant": "P5", **_ratings(*[3] * 10), "a2_overall": None},  # 10 items answered, mean 3: satisfied
]


def _d11(engine, scope: str = "BRN") -> float:
    with engine.connect() as connection:
        report = compute_report(connection, year=2018, scope=scope)
    return report.loc[report["indicator"] == "D.1.1", "value"].item()


def _texts(messages) -> list[str]:
    return [str(m) for m in messages]


def test_template_says_what_it_is_and_for_which_project(template):
    instructions = load_workbook(template)[layout.INSTRUCTIONS_SHEET]
    assert [[c.value for c in row] for row in instructions["A2:B6"]] == [
        ["template_kind", "evaluations"], ["template_version", versions.latest("evaluations").version],
        ["country", "BRN"], ["year", 2018], ["project", "leadership workshop"]]


def test_template_header_has_codes_with_annex_labels_and_rating_validation(template):
    sheet = load_workbook(template)["Evaluations"]
    header = [c.value for c in sheet[1]]
    assert header == ["participant", *[f"a1_{n:02d}" for n in range(1, 21)], "a2_overall"]
    assert [f.code for f in EVALUATION_FIELDS] == header
    assert sheet["B1"].comment.text == f"{ANNEX1_GROUPS[0][0]}: {ANNEX1_GROUPS[0][1][0]}"
    assert sheet["U1"].comment.text == f"{ANNEX1_GROUPS[3][0]}: {ANNEX1_GROUPS[3][1][4]}"
    rating_rules = [v for v in sheet.data_validations.dataValidation if v.type == "whole"]
    assert {(v.formula1, v.formula2) for v in rating_rules} == {("1", "5")}
    assert "B2" in rating_rules[0].sqref and "V2" in rating_rules[-1].sqref
    assert sheet.protection.sheet and not sheet["C2"].protection.locked and sheet["C1"].protection.locked


def test_template__unknown_ams_is_refused(tmp_path):
    with pytest.raises(ValueError, match="CHN is not an AMS"):
        write_evaluations_template(tmp_path / "x.xlsx", "CHN", 2018, PROJECT_A)


def test_participant_ratings_replace_the_project_summary_in_d11(engine, load, two_projects, template, tmp_path):
    # Before: (8 + 1) satisfied of (8 + 5) evaluations.
    assert _d11(engine) == pytest.approx(100 * 9 / 13)

    report = load(fill_evaluations(template, tmp_path / "filled.xlsx", PARTICIPANTS))

    assert report.accepted, _texts(report.errors)
    assert report.warnings == []
    # Project A now counts P1, P4 and P5 satisfied of 5 evaluations; project B keeps 1 of 5: 4 of 10.
    assert _d11(engine) == pytest.approx(40.0)
    assert _d11(engine, "ASEAN") == pytest.approx(40.0)
    with engine.connect() as connection:
        stored = store.read_submissions(connection, kind="evaluations")
    # Stored under the title as the return lists it, so a later file for the project supersedes this one.
    assert stored[["country", "year", "subject"]].values.tolist() == [["BRN", 2018, PROJECT_A]]


def test_a_second_file_for_the_project_supersedes_the_first(engine, load, two_projects, template, tmp_path):
    load(fill_evaluations(template, tmp_path / "first.xlsx", PARTICIPANTS))

    report = load(fill_evaluations(template, tmp_path / "second.xlsx", PARTICIPANTS[:2]))

    assert report.accepted, _texts(report.errors)
    # Project A: P1 satisfied of 2; project B: 1 of 5.
    assert _d11(engine) == pytest.approx(100 * 2 / 7)
    assert load(tmp_path / "second.xlsx").is_unchanged


def test_bad_ratings_are_rejected_naming_the_cell(engine, load, two_projects, template, tmp_path):
    rows = [{"participant": "P1", **_ratings(5, 6, "good")},
            {"participant": None, "a1_01": 3},
            {"participant": "P1", "a1_01": 0}]

    report = load(fill_evaluations(template, tmp_path / "bad.xlsx", rows))

    assert not report.accepted
    errors = _texts(report.errors)
    assert "Evaluations!C2: a1_02 is 6, more than the maximum 5" in errors
    assert any(e.startswith("Evaluations!D2: a1_03 is 'good'") for e in errors)
    assert any(e.startswith("Evaluations!A3: participant is blank") for e in errors)
    assert any(e.startswith("Evaluations!A4: participant 'P1' is listed twice") for e in errors)
    assert "Evaluations!B4: a1_01 is 0, less than the minimum 1" in errors
    assert _d11(engine) == pytest.approx(100 * 9 / 13)


def test_project_not_in_the_return_is_a_warning(engine, load, two_projects, tmp_path):
    template = write_evaluations_template(tmp_path / "other.xlsx", "BRN", 2018, "Another project")

    report = load(fill_evaluations(template, tmp_path / "filled.xlsx", PARTICIPANTS))

    assert report.accepted
    assert [m.cell for m in report.warnings] == ["B6"]
    assert _d11(engine) == pytest.approx(100 * 9 / 13)
    respelled = write_evaluations_template(tmp_path / "again.xlsx", "BRN", 2018, "another  PROJECT")
    assert load(fill_evaluations(respelled, tmp_path / "again_filled.xlsx", PARTICIPANTS[:1])).accepted
    with engine.connect() as connection:
        current = store.read_submissions(connection, kind="evaluations").query("status == 'current'")
    assert current["subject"].tolist() == ["Another project"]


def test_empty_sheet_is_rejected(load, template):
    report = load(template)

    assert not report.accepted
    assert _texts(report.errors) == ["Evaluations: no participant is listed: type one row per participant "
                                     "under the header row"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_resave_is_the_same_content(load, two_projects, template, tmp_path, resave_with_libreoffice):
    first = load(fill_evaluations(template, tmp_path / "filled.xlsx", PARTICIPANTS))

    resaved = load(resave_with_libreoffice(tmp_path / "filled.xlsx", "ods"))

    assert resaved.errors == [] and resaved.duplicate_of == first.submission_id
