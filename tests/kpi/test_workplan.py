"""The work plan as the secretariat follows it: the 41 programmes as printed, statuses by workbook with their
history, filters, counts per priority area and the timeline."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from importers.load import load_file
from importers.workplan import fill_workplan, write_workplan_template
from kpi import workplan
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK
from kpi.config import DATA_DIR

PLAN = "2016-2020"
CSV = DATA_DIR / "workplan_2016_2020.csv"


def _load(engine, path, user="secretariat"):
    report = load_file(engine, path.read_bytes(), path.name, user)
    assert report.accepted, [str(m) for m in report.errors]
    return report


@pytest.fixture
def programmes(engine):
    with engine.connect() as connection:
        return workplan.read_programmes(connection, PLAN)


def test_programmes__all_41_with_the_documents_facts_as_printed(programmes):
    with CSV.open(newline="", encoding="utf-8") as handle:
        printed = list(csv.DictReader(handle))
    assert len(printed) == 41 and list(programmes["no"]) == list(range(1, 42))
    for row, stored in zip(printed, programmes.to_dict("records")):
        for column, text in row.items():
            value = stored[column]
            assert ("" if pd.isna(value) else str(value)) == text, (row["no"], column)


def test_programmes__known_oddities_of_the_source_are_kept(programmes):
    by_no = programmes.set_index("no")
    assert by_no.at[28, "budget"] == "Indonesia"
    assert by_no.at[40, "timeline"] == "2017 2017 2018" and by_no.at[40, "years"] == [2017, 2018]
    assert by_no.at[8, "years"] == [] and by_no.at[8, "timeline"] == "TBD"
    assert by_no.at[36, "coordinators_list"] == ["PHL", "SGP", "THA"]
    assert set(programmes["status_label"]) == {workplan.NOT_SET}  # nothing recorded is not "planned"


@pytest.mark.parametrize(("filters", "expected"), [
    (dict(areas=["D"]), [13, 28]),
    (dict(coordinators=["SGP"]), [3, 4, 5, 6, 35, 36]),
    (dict(areas=["C"], coordinators=["THA"]), [18, 22, 23]),
    (dict(themes=["6"]), [39, 40]),
    (dict(themes=["5"], areas=["E"]), [33]),
    (dict(), list(range(1, 42))),
])
def test_filter_programmes__hand_picked_from_the_work_plan(programmes, filters, expected):
    assert list(workplan.filter_programmes(programmes, **filters)["no"]) == expected


def test_count_by_area__a_programme_counts_in_each_area_it_serves(programmes):
    counts = workplan.count_by_area(programmes, FRAMEWORK).set_index("area")
    assert counts.at["D", "programmes"] == 2  # 13 and 28
    assert counts.at["A", "programmes"] == 20
    assert counts.at["A", workplan.NOT_SET] == 20 and counts.at["A", "completed"] == 0


def test_status_update_by_workbook__shows_with_date_who_and_history(engine, tmp_path):
    template = write_workplan_template(tmp_path / "wp.xlsx")
    before = dt.datetime.now(dt.timezone.utc)
    _load(engine, fill_workplan(template, tmp_path / "a.xlsx", {13: ("ongoing", "concept note sent"),
                                                                  28: ("planned", None)}), user="alice")
    _load(engine, fill_workplan(template, tmp_path / "b.xlsx", {13: ("completed", "held in Manila"),
                                                                  28: ("planned", None)}), user="bob")

    with engine.connect() as connection:
        programmes = workplan.read_programmes(connection, PLAN).set_index("no")
        history = workplan.read_status_history(connection, PLAN)

    assert programmes.at[13, "status_label"] == "completed" and programmes.at[13, "status_note"] == "held in Manila"
    assert programmes.at[13, "status_set_by"] == "bob"
    set_at = pd.Timestamp(programmes.at[13, "status_set_at"])
    assert (set_at.tz_localize("UTC") if set_at.tzinfo is None else set_at) >= before
    assert programmes.at[28, "status_set_by"] == "alice"  # the second file left 28 as it was
    assert programmes.at[1, "status_label"] == workplan.NOT_SET
    rows = history[["no", "by", "old_status", "new_status", "old_note", "new_note"]].values.tolist()
    assert [[None if pd.isna(v) else v for v in row] for row in rows] == [
        [13, "bob", "ongoing", "completed", "concept note sent", "held in Manila"],
        [28, "alice", None, "planned", None, None],
        [13, "alice", None, "ongoing", None, "concept note sent"],
    ]
    counts = workplan.count_by_area(programmes.reset_index(), FRAMEWORK).set_index("area")
    assert counts.at["D", "completed"] == 1 and counts.at["D", "planned"] == 1


def test_status_update__a_rejected_workbook_changes_nothing(engine, tmp_path):
    path = fill_workplan(write_workplan_template(tmp_path / "wp.xlsx"), tmp_path / "a.xlsx",
                         {13: ("ongoing", None), 14: ("finished", None)})
    report = load_file(engine, path.read_bytes(), path.name, "alice")
    assert not report.accepted
    assert [str(m) for m in report.errors] == [
        "Work plan!P15: status is 'finished': choose one of planned, ongoing, completed, postponed, cancelled"]
    with engine.connect() as connection:
        assert set(workplan.read_programmes(connection, PLAN)["status_label"]) == {workplan.NOT_SET}
        assert workplan.read_status_history(connection, PLAN).empty


def test_timeline_figure__a_marker_per_planned_year_in_its_status(programmes):
    programmes = programmes.copy()
    programmes.loc[programmes["no"] == 3, "status_label"] = "ongoing"
    fig = workplan.timeline_figure(programmes, None)
    traces = {t.name: t for t in fig.data}
    ongoing = traces["ongoing"]
    assert list(ongoing.x) == ["2016", "2017", "2018", "2019", "2020"]
    assert len(set(ongoing.y)) == 1 and ongoing.y[0].startswith("3. Leaders in Governance Programme")
    assert list(traces["completed"].x) == [None]  # in the legend although no programme has it
    undated = next(t for t in fig.data if t.mode == "text")
    assert [y.split(".")[0] for y in undated.y] == ["8", "13", "39"]
    markers = sum(len([x for x in t.x if x]) for t in fig.data if t.mode == "markers")
    assert markers == sum(len(y) for y in programmes["years"])


def test_timeline_figure__titles_from_the_store_are_not_markup(programmes):
    programmes = programmes.head(1).assign(title="<b>bold</b> $x$ %{y}")
    fig = workplan.timeline_figure(programmes, None)
    label = next(t.y[0] for t in fig.data if t.mode == "markers" and len(t.y) and t.y[0])
    assert "<b>" not in label and "&lt;b&gt;" in label and "$" not in label and "%{" not in label
