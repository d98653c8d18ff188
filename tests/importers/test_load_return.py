"""Loading country returns: round trip, all-or-nothing, duplicates, supersede, declared totals and warnings."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from importers.templates import fill_return, write_return_template
from kpi import store
from kpi.fields import RETURN_FIELDS

COUNTRY, YEAR = "BRN", 2018


def _stored(engine) -> dict:
    with engine.connect() as connection:
        frame = store.read_current_values(connection)
    return {r.field_code: (r.value_number if pd.isna(r.value_text) else r.value_text) for r in frame.itertuples()}


def _items(engine, list_code: str) -> list[dict]:
    with engine.connect() as connection:
        return store.read_current_items(connection, list_code).to_dict("records")


def _texts(messages) -> list[str]:
    return [str(m) for m in messages]


def test_round_trip__filled_template_is_stored_as_typed(engine, load, make_return, valid_values, valid_items):
    report = load(make_return())

    assert report.accepted, _texts(report.errors)
    assert report.errors == [] and report.warnings == []
    stored = _stored(engine)
    assert stored["country"] == COUNTRY and stored["year"] == YEAR
    for code, value in valid_values.items():
        assert stored[code] == value, code
    assert [i["title"] for i in _items(engine, "policies")] == [p["title"] for p in valid_items["policies"]]
    project = _items(engine, "arc_projects")[0]
    assert project["start_date"] == dt.date(2018, 3, 5) and project["satisfied"] == 18
    assert {c.item for c in report.changes} >= set(valid_values)


def test_round_trip__cell_positions_are_kept(engine, load, make_return):
    load(make_return())
    with engine.connect() as connection:
        frame = store.read_current_values(connection)
    rows = {code: row for row, code in enumerate((f.code for f in RETURN_FIELDS), start=2)}
    for r in frame.itertuples():
        assert (r.sheet, r.cell) == ("Return", f"C{rows[r.field_code]}")


def test_blank_and_not_available_are_not_reported_never_zero(engine, load, make_return):
    report = load(make_return(values={"a11_agencies_competency": "n/a", "b11_agencies_capacity": None,
                                      "c11_agencies_leadership": " Not Available ", "c21_agencies_succession": "-"}))

    assert report.accepted, _texts(report.errors)
    stored = _stored(engine)
    for code in ("a11_agencies_competency", "b11_agencies_capacity", "c11_agencies_leadership",
                 "c21_agencies_succession"):
        assert code not in stored


def test_rejected_file_changes_nothing(engine, load, make_return, dump):
    load(make_return("first.xlsx"))
    before = dump()

    report = load(make_return("bad.xlsx", values={"a11_agencies_competency": 812, "agencies_total": 640}))

    assert not report.accepted
    assert _texts(report.errors) == ["Return!C8: a11_agencies_competency is 812, more than agencies_total (640)"]
    assert dump() == before


def test_same_content_twice_is_unchanged(engine, load, make_return, dump):
    first = load(make_return("a.xlsx"))
    before = dump()

    again = load(make_return("b.xlsx"))

    assert again.accepted and again.duplicate_of == first.submission_id
    assert again.summarise().startswith(f"unchanged: b.xlsx (already loaded as submission {first.submission_id} on ")
    assert dump() == before


def test_newer_return_supersedes_older(engine, load, make_return):
    first = load(make_return("a.xlsx"))
    second = load(make_return("b.xlsx", values={"a11_agencies_competency": 400}))

    assert second.accepted and second.submission_id != first.submission_id
    assert [(c.item, c.old, c.new) for c in second.changes] == [("a11_agencies_competency", 320, 400)]
    assert _stored(engine)["a11_agencies_competency"] == 400
    with engine.connect() as connection:
        history = store.read_submissions(connection, kind="return").set_index("id")
    assert history.loc[first.submission_id, "status"] == "superseded"
    assert history.loc[second.submission_id, "supersedes_id"] == first.submission_id


def test_reloading_a_superseded_return_makes_it_current_again(engine, load, make_return):
    load(make_return("a.xlsx"))
    load(make_return("b.xlsx", values={"a11_agencies_competency": 400}))

    third = load(make_return("a_again.xlsx"))

    assert third.accepted and third.duplicate_of is None and third.submission_id is not None
    assert _stored(engine)["a11_agencies_competency"] == 320


def test_dry_run_stores_nothing_but_says_what_would_change(engine, load, make_return, dump):
    before = dump()

    report = load(make_return(), dry_run=True)

    assert report.accepted and report.submission_id is None
    assert report.summarise().startswith("accepted (dry run): return.xlsx (return BRN 2018 would be stored")
    assert ("agencies_total", None, 640) in [(c.item, c.old, c.new) for c in report.changes]
    assert dump() == before


def test_demo_flag_is_stored(engine, load, make_return):
    report = load(make_return(), is_demo=True)
    with engine.connect() as connection:
        assert store.has_demo_data(connection)
    assert report.accepted


# --- declared totals (indicators.md) ----------------------------------------------------------

@pytest.mark.parametrize("declared, rows, accepted, warning", [
    (None, 0, True, None),
    (None, 2, True, None),
    (3, 0, True, "Return!C22: b2_policies_count is 3 but no detail is listed on the Policies sheet"),
    (2, 2, True, None),
    (3, 2, False, None),
])
def test_declared_total_table(engine, load, make_return, declared, rows, accepted, warning, valid_items):
    policies = valid_items["policies"][:rows]
    report = load(make_return(values={"b2_policies_count": declared}, items={"policies": policies}))

    assert report.accepted is accepted
    assert _texts(report.warnings) == ([warning] if warning else [])
    if not accepted:
        assert _texts(report.errors) == ["Return!C22: b2_policies_count is 3 but the Policies sheet lists 2: "
                                         "the return contradicts itself; correct the total or the list"]
        return
    stored = _stored(engine)
    assert stored.get("b2_policies_count") == declared
    assert len(_items(engine, "policies")) == rows


def test_zero_declared_with_no_rows_is_zero_without_warning(engine, load, make_return):
    report = load(make_return(values={"e1_measures_count": 0}, items={"reform_measures": []}))
    assert report.accepted and report.warnings == []
    assert _stored(engine)["e1_measures_count"] == 0


# --- percentages ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored, warned", [
    (45, 45, False),
    ("45%", 45, False),
    (" 45 % ", 45, False),
    (0.45, 0.45, True),
])
def test_percent_field(engine, load, make_return, typed, stored, warned):
    report = load(make_return(values={"e3_satisfaction_pct": typed}))
    assert report.accepted, _texts(report.errors)
    assert _stored(engine)["e3_satisfaction_pct"] == stored
    assert bool(report.warnings) is warned
    if warned:
        assert _texts(report.warnings) == [
            "Return!C20: e3_satisfaction_pct is 0.45, read as 0.45 %: if 45 % was meant, type 45"]


def test_percent_format_cell_means_percent(engine, load, make_return, tmp_path):
    path = make_return()
    workbook = load_workbook(path)
    workbook["Return"]["C20"].value = 0.45
    workbook["Return"]["C20"].number_format = "0%"
    workbook.save(path)

    report = load(path)

    assert report.accepted and report.warnings == []
    assert _stored(engine)["e3_satisfaction_pct"] == 45


# --- warnings ---------------------------------------------------------------------------------

def test_warning__no_answer_contradicts_count(load, make_return):
    report = load(make_return(values={"a1_competency_institutionalised": "no", "c11_agencies_leadership": 5}))
    assert report.accepted
    assert _texts(report.warnings) == [
        "Return!C8: a1_competency_institutionalised is no but a11_agencies_competency is 320: "
        "check which answer is right",
        "Return!C12: c1_leadership_institutionalised is no but c11_agencies_leadership is 5: "
        "check which answer is right",
    ]


def test_warning__percentage_moved_more_than_30_points(tmp_path, load, valid_values, valid_items):
    load(fill_return(write_return_template(tmp_path / "t2017.xlsx", COUNTRY, 2017), tmp_path / "r2017.xlsx",
                     {**valid_values, "a11_agencies_competency": 100}, valid_items))
    report = load(fill_return(write_return_template(tmp_path / "t2018.xlsx", COUNTRY, 2018),
                              tmp_path / "r2018.xlsx", {**valid_values, "a11_agencies_competency": 400},
                              valid_items))

    assert report.accepted
    assert _texts(report.warnings) == [
        "Return!C8: A.1.1 is 62.5 %, +46.9 points against the 2017 return (15.6 %): please check"]


def test_warning__other_ams_is_not_compared(tmp_path, load, valid_values, valid_items):
    load(fill_return(write_return_template(tmp_path / "t.xlsx", "KHM", 2017), tmp_path / "khm.xlsx",
                     {**valid_values, "a11_agencies_competency": 10}, valid_items))
    report = load(fill_return(write_return_template(tmp_path / "b.xlsx", COUNTRY, 2018), tmp_path / "brn.xlsx",
                              valid_values, valid_items))
    assert report.accepted and report.warnings == []


# --- errors -----------------------------------------------------------------------------------

def test_e3_survey_required_beside_satisfaction(load, make_return):
    report = load(make_return(values={"e3_survey": None}))
    assert _texts(report.errors) == ["Return!C21: e3_survey is missing: name the third-party survey (and its "
                                     "year) behind e3_satisfaction_pct"]


def test_country_changed_to_non_ams_is_rejected(load, make_return, tmp_path):
    path = make_return()
    workbook = load_workbook(path)
    workbook["Return"]["C2"].value = "CHN"
    workbook.save(path)

    report = load(path)

    assert not report.accepted
    assert str(report.errors[0]).startswith("Return!C2: country is CHN, not an AMS")


@pytest.mark.parametrize("cell, typed, message", [
    ("C2", "KHM", "Return!C2: country is KHM, but this template was made for BRN (Instructions!B4): use the "
                  "template made for KHM, or put BRN back"),
    ("C3", 2019, "Return!C3: year is 2019, but this template was made for 2018 (Instructions!B5): use the "
                 "template made for 2019, or put 2018 back"),
])
def test_country_or_year_typed_over_is_rejected(load, make_return, dump, cell, typed, message):
    path = make_return()
    workbook = load_workbook(path)
    workbook["Return"][cell].value = typed
    workbook.save(path)
    before = dump()

    report = load(path)

    assert _texts(report.errors) == [message]
    assert dump() == before


def test_unknown_and_duplicated_codes(load, make_return):
    path = make_return()
    workbook = load_workbook(path)
    sheet = workbook["Return"]
    sheet["A30"], sheet["C30"] = "z9_made_up", 1
    sheet["A31"], sheet["C31"] = "agencies_total", 5
    workbook.save(path)

    report = load(path)

    assert _texts(report.errors) == [
        "Return!A30: unknown field code 'z9_made_up': do not change the codes; use a template made by the "
        "secretariat",
        "Return!A31: field code agencies_total appears twice (also in A6): keep one row per field",
    ]


def test_list_header_must_match_codes(load, make_return):
    path = make_return()
    workbook = load_workbook(path)
    workbook["Policies"]["B1"].value = "tier"
    workbook.save(path)

    report = load(path)

    assert _texts(report.errors) == [
        "Policies!B1: unknown column 'tier': the header row must be title | level | year_started",
        "Policies!B1: column 'level' is missing from the header row",
    ]


def test_hidden_data_sheet_is_an_error_and_never_read(load, make_return, dump):
    path = make_return()
    workbook = load_workbook(path)
    workbook["Policies"].sheet_state = "hidden"
    workbook.save(path)
    before = dump()

    report = load(path)

    assert not report.accepted and dump() == before
    assert _texts(report.errors) == ["Policies: the sheet is hidden, so it was not read: unhide it (right-click a "
                                     "sheet tab > Unhide) and upload again"]


def test_extra_hidden_sheet_is_a_warning(engine, load, make_return):
    path = make_return()
    workbook = load_workbook(path)
    notes = workbook.create_sheet("Notes")
    notes["C8"] = 999
    notes.sheet_state = "veryHidden"
    workbook.save(path)

    report = load(path)

    assert report.accepted
    assert _texts(report.warnings) == ["Notes: hidden sheet ignored: its content was not read"]
    assert _stored(engine)["a11_agencies_competency"] == 320


def test_formula_without_cached_value_names_the_cell(load, make_return):
    report = load(make_return(values={"a11_agencies_competency": "=C6/2"}))

    assert not report.accepted
    assert _texts(report.errors) == [
        "Return!C8: a11_agencies_competency: formula has no calculated value: open the file in Excel or "
        "LibreOffice, save it, and upload again"]


def test_list_row_errors_name_their_cells(load, make_return):
    report = load(make_return(items={"arc_projects": [
        {"title": None, "participants": 10, "evaluations": 12, "satisfied": 1, "start_date": "2018-13-01"}]}))

    assert _texts(report.errors) == [
        "ARC projects!A2: title is required for every row that lists an item",
        "ARC projects!B2: start_date is '2018-13-01', not a date: type it as a date or as YYYY-MM-DD",
        "ARC projects!E2: evaluations is 12, more than participants (10)",
    ]


def test_not_a_template_is_rejected(load, tmp_path):
    from openpyxl import Workbook
    path = tmp_path / "plain.xlsx"
    Workbook().save(path)

    report = load(path)

    assert not report.accepted and report.kind is None
    assert str(report.errors[0]).startswith("file: this workbook is not an ACCSM template")


@pytest.mark.parametrize("cell, value, expected", [
    ("B2", "budget", "Instructions!B2: template_kind is 'budget': this software reads return, targets"),
    ("B3", "7", "Instructions!B3: template_version is '7', which this software cannot read"),
])
def test_unknown_kind_or_version_is_rejected(load, make_return, cell, value, expected):
    path = make_return()
    workbook = load_workbook(path)
    workbook["Instructions"][cell].value = value
    workbook.save(path)

    report = load(path)

    assert not report.accepted
    assert str(report.errors[0]).startswith(expected)


def test_unreadable_file_is_rejected_with_its_reason(load, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"just some text")

    report = load(path)

    assert not report.accepted
    assert str(report.errors[0]).startswith("file: the file is not a spreadsheet")


def test_a_store_failure_becomes_a_message_about_the_store(make_return, tmp_path):
    from importers.load import load_file
    no_schema = create_engine(f"sqlite:///{tmp_path}/empty.db")  # no tables: reading the store fails
    path = make_return()

    report = load_file(no_schema, path.read_bytes(), "return.xlsx", "tester")

    assert not report.accepted
    assert report.store_error == report.errors[0].text
    assert report.errors[0].text.startswith(f"The database {tmp_path}/empty.db does not hold the ACCSM tables")
    assert "SQL" not in report.errors[0].text
