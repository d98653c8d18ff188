"""Loading targets workbooks: round trip, blanks clear, history in the audit log, and rejected rows."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from importers.templates import fill_targets
from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK


def _targets(engine) -> dict:
    with engine.connect() as connection:
        frame = store.read_targets(connection, CURRENT_FRAMEWORK.code)
    return {(r["indicator_code"], r["scope"]): tuple(None if pd.isna(r[k]) else r[k] for k in
                                                     ("baseline", "target", "note"))
            for r in frame.to_dict("records")}


def _texts(messages) -> list[str]:
    return [str(m) for m in messages]


def test_template_has_a_row_per_indicator_and_scope(targets_template):
    sheet = load_workbook(targets_template)["Targets"]
    rows = [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2) if r[0].value]
    expected = []
    for indicator in CURRENT_FRAMEWORK.indicators:
        expected.append((indicator.code, "ASEAN"))
        if not indicator.is_yes_count:
            expected.append((indicator.code, "AMS"))
    assert rows == expected
    assert [c.value for c in sheet[1]][:5] == ["indicator", "scope", "baseline", "target", "note"]


def test_round_trip(engine, load, targets_template, tmp_path):
    path = fill_targets(targets_template, tmp_path / "t.xlsx", [
        {"indicator": "A.1", "scope": "ASEAN", "target": 10, "note": "all AMS"},
        {"indicator": "a.1.1", "scope": "ams", "target": 60},
        {"indicator": "A.1.1", "scope": "brn", "baseline": "30%", "target": 70},
        {"indicator": "E.3", "scope": "THA", "baseline": 55.5, "target": 80},
    ])

    report = load(path)

    assert report.accepted, _texts(report.errors)
    assert _targets(engine) == {
        ("A.1", "ASEAN"): (None, 10, "all AMS"),
        ("A.1.1", "AMS"): (None, 60, None),
        ("A.1.1", "BRN"): (30, 70, None),
        ("E.3", "THA"): (55.5, 80, None),
    }
    again = load(path)
    assert again.duplicate_of == report.submission_id


def test_blank_cell_clears_and_history_is_kept(engine, load, targets_template, tmp_path):
    load(fill_targets(targets_template, tmp_path / "a.xlsx", [
        {"indicator": "B.2", "scope": "ASEAN", "baseline": 12, "target": 40, "note": "first"},
        {"indicator": "D.2", "scope": "ASEAN", "target": 20},
    ]))

    report = load(fill_targets(targets_template, tmp_path / "b.xlsx", [
        {"indicator": "B.2", "scope": "ASEAN", "target": 45, "note": "first"},
    ]))

    assert report.accepted
    assert [(c.item, c.old, c.new) for c in report.changes] == [("B.2 ASEAN baseline", 12, None),
                                                                 ("B.2 ASEAN target", 40, 45)]
    assert _targets(engine) == {("B.2", "ASEAN"): (None, 45, "first"), ("D.2", "ASEAN"): (None, 20, None)}
    with engine.connect() as connection:
        audit = store.read_audit(connection, entity="target")
    history = audit[audit["entity_key"] == "2016-2020/B.2/ASEAN"]
    assert len(history) == 2 and set(history["user_name"]) == {"tester"}


def test_reloading_an_older_targets_file_applies_it_again(engine, load, targets_template, tmp_path):
    first = fill_targets(targets_template, tmp_path / "a.xlsx", [{"indicator": "E.1", "scope": "ASEAN", "target": 5}])
    load(first)
    load(fill_targets(targets_template, tmp_path / "b.xlsx", [{"indicator": "E.1", "scope": "ASEAN", "target": 9}]))

    report = load(first)

    assert report.duplicate_of is None and report.submission_id is not None
    assert _targets(engine)[("E.1", "ASEAN")] == (None, 5, None)


def test_bad_rows_are_all_reported_and_nothing_is_stored(engine, load, targets_template, tmp_path, dump):
    before = dump()
    path = fill_targets(targets_template, tmp_path / "bad.xlsx", [
        {"indicator": "Z.9", "scope": "ASEAN", "target": 1},
        {"indicator": "A.1", "scope": "BRN", "target": 1},
        {"indicator": "B.2", "scope": "ASIA", "target": 1},
        {"indicator": "B.2", "scope": "ASEAN", "target": "lots"},
        {"indicator": "E.3", "scope": "ASEAN", "target": 180},
        {"indicator": "B.2", "scope": "ASEAN", "target": 3},
        {"indicator": "B.2", "scope": "ASEAN", "target": 4},
        {"scope": "ASEAN", "target": 4},
    ])

    report = load(path)

    assert not report.accepted and dump() == before
    assert _texts(report.errors) == [
        "Targets!A2: indicator Z.9 is not in the ACCSM Work Plan 2016-2020: use one of "
        + ", ".join(CURRENT_FRAMEWORK.codes),
        "Targets!B3: A.1 counts AMS answering yes: it has a target for ASEAN only, not for a single AMS",
        "Targets!B4: scope is 'ASIA': use one of ASEAN, AMS, BRN, KHM, IDN, LAO, MYS, MMR, PHL, SGP, THA, VNM",
        "Targets!D5: target is 'lots', not a number",
        "Targets!D6: target is 180, more than the maximum 100",
        "Targets!A8: B.2 ASEAN appears twice (also in row 7): keep one row per indicator and scope",
        "Targets!A9: indicator is missing: every row needs an indicator code",
    ]


@pytest.mark.parametrize("header", ["indicator", "target"])
def test_targets_header_must_match(load, targets_template, tmp_path, header):
    workbook = load_workbook(targets_template)
    sheet = workbook["Targets"]
    column = [c.value for c in sheet[1]].index(header) + 1
    sheet.cell(1, column).value = "something"
    workbook.save(tmp_path / "h.xlsx")

    report = load(tmp_path / "h.xlsx")

    assert not report.accepted
    assert f"column {header!r} is missing from the header row" in " ".join(_texts(report.errors))


def test_baseline_on_the_every_ams_row_is_rejected(engine, load, targets_template, tmp_path):
    # progress.md: an entered baseline applies only to the scope of its own row.
    report = load(fill_targets(targets_template, tmp_path / "t.xlsx", [
        {"indicator": "C.1.1", "scope": "AMS", "baseline": 20, "target": 50},
    ]))

    assert not report.accepted
    assert _texts(report.errors) == [
        "Targets!C2: C.1.1 AMS: an entered baseline applies only to its own row's scope; "
        "enter it on each AMS's own row (ISO3 code) instead"]
    assert _targets(engine) == {}


def test_template_prefilled_with_stored_figures_loads_back_unchanged(engine, load, targets_template, tmp_path):
    from importers.templates import write_targets_template
    load(fill_targets(targets_template, tmp_path / "a.xlsx", [
        {"indicator": "B.2", "scope": "ASEAN", "baseline": 12, "target": 40, "note": "first"},
        {"indicator": "E.3", "scope": "THA", "baseline": 55.5, "target": 80},
    ]))
    before = _targets(engine)
    with engine.connect() as connection:
        stored = store.read_targets(connection, CURRENT_FRAMEWORK.code)
    prefilled = write_targets_template(tmp_path / "prefilled.xlsx", CURRENT_FRAMEWORK, stored)

    report = load(prefilled)

    assert report.accepted, _texts(report.errors)
    assert report.changes == []
    assert _targets(engine) == before


@pytest.mark.parametrize("row, message", [
    ({"indicator": "A.1", "scope": "ASEAN", "target": 12},
     "Targets!D2: A.1 ASEAN target is 12: it must be 0 to 10 (AMS)"),
    ({"indicator": "B.2", "scope": "ASEAN", "baseline": -3, "target": 40},
     "Targets!C2: B.2 ASEAN baseline is -3: it must be 0 or more (policies)"),
])
def test_figure_outside_the_indicator_range_is_rejected(engine, load, targets_template, tmp_path, row, message):
    report = load(fill_targets(targets_template, tmp_path / "t.xlsx", [row]))

    assert [str(m) for m in report.errors] == [message]
    assert _targets(engine) == {}


def test_check_figures__the_rules_the_page_editor_shares_with_the_workbook():
    from importers.targets import check_figures

    indicator = CURRENT_FRAMEWORK.indicator
    assert check_figures(indicator("C.1.1"), "AMS", baseline=20.0, target=50.0) == [
        ("baseline", "C.1.1 AMS: an entered baseline applies only to its own row's scope; enter it on each AMS's "
                     "own row (ISO3 code) instead")]
    assert check_figures(indicator("A.1"), "ASEAN", baseline=None, target=11.0) == [
        ("target", "A.1 ASEAN target is 11: it must be 0 to 10 (AMS)")]
    assert check_figures(indicator("E.3"), "THA", baseline=55.5, target=100.0) == []
