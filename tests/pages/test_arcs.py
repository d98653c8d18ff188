"""ARCs and participant evaluations: a project's D.1.1 from 50 participant rows, by hand; its distribution per Annex 1
item and the Annex 2 rating; the source of each project's figure; the warning for too few evaluations; the page."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import assert_clean, figures, texts
from fixture_store import build_fixture_store

from importers.evaluations import fill_evaluations, write_evaluations_template
from importers.load import load_file
from kpi import evaluation_summary as ev
from kpi import store
from kpi.db import open_store
from kpi.engine import compute_report
from kpi.fields import ANNEX1_ITEMS
from kpi.store import CellValue, ReturnContent, SubmissionInfo
from kpi.users import add_user, apply_change

PAGE = "pages/arcs.py"
WORKSHOP = "Examination and Testing Workshop"
SEMINAR = "Assessment Centre Seminar"
ITEMS = [i.code for i in ANNEX1_ITEMS]


def _participants() -> list[dict]:
    """50 forms: 30 rate every item 4 (mean 4, satisfied); 10 rate 2 (not); 5 rate items 1-10 at 3 and 11-20 at 2
    (mean 2.5, not); 5 rate items 1-19 at 3 and leave item 20 blank (mean 3: satisfied, the boundary).
    Satisfied: 30 + 5 = 35 of 50. Annex 2: the first 30 give 5, the others 3 (mean (150 + 60) / 50 = 4.2)."""
    rows = []
    for n in range(30):
        rows.append({"participant": f"P{n + 1:02d}", **{c: 4 for c in ITEMS}, "a2_overall": 5})
    for n in range(30, 40):
        rows.append({"participant": f"P{n + 1:02d}", **{c: 2 for c in ITEMS}, "a2_overall": 3})
    for n in range(40, 45):
        rows.append({"participant": f"P{n + 1:02d}", **{c: 3 if i < 10 else 2 for i, c in enumerate(ITEMS)},
                     "a2_overall": 3})
    for n in range(45, 50):
        rows.append({"participant": f"P{n + 1:02d}", **{c: 3 for c in ITEMS[:19]}, "a2_overall": 3})
    return rows


def _store_phl_return(engine) -> None:
    """PHL 2019 lists two projects: the workshop (its return says 40 evaluations, 20 satisfied; the 50 forms
    replace that) and the seminar (10 evaluations, 9 satisfied: summary counts, fewer than 20)."""
    values = {"country": "PHL", "year": 2019, "agencies_total": 50, "d2_projects_count": 2}
    projects = [
        {"title": WORKSHOP, "start_date": dt.date(2019, 5, 6), "end_date": dt.date(2019, 5, 8), "participants": 55,
         "evaluations": 40, "satisfied": 20},
        {"title": SEMINAR, "start_date": dt.date(2019, 9, 2), "end_date": dt.date(2019, 9, 3), "participants": 12,
         "evaluations": 10, "satisfied": 9},
    ]
    content = ReturnContent("PHL", 2019, {k: CellValue(v, "Return", f"C{n}") for n, (k, v) in
                                           enumerate(values.items(), start=2)},
                            {"arc_projects": [{**p, "sheet": "ARC projects", "row": n}
                                              for n, p in enumerate(projects, start=2)]})
    digest = hashlib.sha256(b"PHL-2019-arcs").hexdigest()
    with engine.begin() as connection:
        store.store_return(connection, content, SubmissionInfo(
            kind="return", file_name="PHL_2019.xlsx", sha256=digest, content_digest=digest, template_version="1",
            user="tester", country="PHL", year=2019))


def _load_forms(engine, tmp_path: Path) -> None:
    template = write_evaluations_template(tmp_path / "eval.xlsx", "PHL", 2019, WORKSHOP)
    path = fill_evaluations(template, tmp_path / "eval_filled.xlsx", _participants())
    apply_change(engine, add_user, "arc-phl", "ARC of PHL", "focal_point", "PHL", by="local")
    report = load_file(engine, path.read_bytes(), path.name, "arc-phl")
    assert report.accepted, [str(m) for m in report.errors]


@pytest.fixture
def arc_store(tmp_path, new_store_url, monkeypatch):
    url = new_store_url("arcs")
    engine = build_fixture_store(url)
    _store_phl_return(engine)
    _load_forms(engine, tmp_path)
    monkeypatch.setenv("ACCSM_DATABASE_URL", url)
    monkeypatch.setenv("ACCSM_USER", "tester")
    yield engine
    engine.dispose()


@pytest.fixture
def inputs(arc_store):
    with arc_store.connect() as connection:
        return ev.read_arc_inputs(connection)


def test_summary__50_participant_rows_replace_the_returns_counts(inputs):
    summary = ev.summarise_projects(inputs["projects"], inputs["evaluations"], "PHL", 2019).set_index("title")
    workshop, seminar = summary.loc[WORKSHOP], summary.loc[SEMINAR]
    assert (workshop["source"], workshop["responses"], workshop["evaluations"], workshop["satisfied"]) == \
        (ev.PARTICIPANT_ROWS, 50, 50, 35)
    assert workshop["satisfied_pct"] == pytest.approx(70.0)
    assert workshop["a2_mean"] == pytest.approx(4.2) and not workshop["too_few"]
    assert (seminar["source"], seminar["evaluations"], seminar["satisfied"], seminar["too_few"]) == \
        (ev.SUMMARY_COUNTS, 10, 9, True)
    # Pooled over both: (35 + 9) / (50 + 10) = 44 / 60.
    assert ev.pooled_satisfaction(summary.reset_index()) == pytest.approx(100 * 44 / 60)


def test_summary__the_engines_d11_is_the_same_hand_computed_figure(arc_store):
    with arc_store.connect() as connection:
        report = compute_report(connection, year=2019, scope="PHL")
    d11 = report[report["indicator"] == "D.1.1"].iloc[0]
    assert d11["value"] == pytest.approx(100 * 44 / 60)
    assert d11["details"] == {"satisfied": 44.0, "evaluations": 60.0}


def test_item_distribution__counts_per_rating_hand_computed(inputs):
    responses = ev.responses_of(inputs["evaluations"], "PHL", 2019, WORKSHOP)
    distribution = ev.item_distribution(responses).set_index("item")
    assert distribution.loc["a1_01", [1, 2, 3, 4, 5]].tolist() == [0, 10, 10, 30, 0]
    assert distribution.loc["a1_11", [1, 2, 3, 4, 5]].tolist() == [0, 15, 5, 30, 0]
    assert distribution.loc["a1_20", [1, 2, 3, 4, 5, "answered"]].tolist() == [0, 15, 0, 30, 0, 45]
    assert distribution.at["a1_20", "mean"] == pytest.approx((30 * 4 + 15 * 2) / 45)
    assert ev.overall_distribution(responses) == {1: 0, 2: 0, 3: 20, 4: 0, 5: 30}


def test_threshold__is_stated_with_its_reason():
    text = ev.explain_threshold()
    assert "fewer than 20 evaluations" in text and "5 percentage points" in text and "±22 points" in text
    assert ev.margin_of_error_pts(20) == pytest.approx(21.91, abs=0.01)


def test_overview__theme_in_force_and_sources_per_arc(inputs):
    names = {"PHL": "Philippines", "BRN": "Brunei Darussalam"}
    overview = ev.arcs_overview(inputs, ["PHL", "BRN"], names, 2019).set_index("iso3")
    # The May 2017 list (003) is the latest dated before 2019; it differs from the April list (001) for PHL.
    assert overview.at["PHL", "theme in force"] == "Assessment and Organization Development"
    assert overview.at["PHL", "projects listed"] == 2 and overview.at["PHL", "participants"] == 67
    assert overview.at["PHL", "from participant rows"] == 1 and overview.at["PHL", "from summary counts"] == 1
    assert overview.at["BRN", "projects listed"] == 0 and pd.isna(overview.at["BRN", "D.1.1 satisfied %"])
    assert ev.arcs_overview(inputs, ["PHL"], names, 2016).iloc[0]["theme source"] == "no theme recorded"


def test_figures__workbook_text_is_not_markup():
    summary = pd.DataFrame([{"title": "<b>x</b> $1$", "satisfied_pct": 50.0, "evaluations": 4,
                             "source": ev.SUMMARY_COUNTS, "too_few": True}])
    fig = ev.project_satisfaction_figure(summary, "<i>n</i>", 2019, None)
    assert "<b>" not in fig.data[0].y[0] and "<i>" not in fig.layout.title.text and "$" not in fig.data[0].y[0]


def test_arc_page__shows_the_projects_sources_and_the_distribution(arc_store, open_page):
    at = open_page(PAGE, year="2019", country="PHL")
    assert_clean(at)
    assert at.title[0].value == "ASEAN Resource Centres, 2019"
    shown = texts(at)
    assert "Theme in force in 2019: **Assessment and Organization Development** (003 themes as of May 2017" in shown
    assert "D.1.1 for Philippines 2019: 73.3 % satisfied, pooled over 2 project(s)" in shown
    assert "Only 10 evaluations for this project: fewer than 20" in shown
    assert "50 evaluations counted in D.1.1 (participant rows); 50 participant form(s) loaded." in shown
    projects = next(e.value for e in at.dataframe if "D.1.1 source" in e.value.columns).set_index("Project")
    assert projects["D.1.1 source"].to_dict() == {WORKSHOP: ev.PARTICIPANT_ROWS, SEMINAR: ev.SUMMARY_COUNTS}
    assert projects.at[WORKSHOP, "Satisfied %"] == 70.0
    specs = {f["layout"]["title"]["text"]: f for f in figures(at)}
    items = specs[f"Annex 1 ratings per item: {WORKSHOP}"]
    good = next(t for t in items["data"] if t["name"] == "4 Highly satisfactory")
    assert good["text"][0] == "30" and good["x"][0] == pytest.approx(60.0)
    overall = specs[f"Annex 2 overall rating: {WORKSHOP}"]["data"][0]
    assert overall["y"] == [0, 0, 20, 0, 30]


def test_arcs_page__renders_on_an_empty_database(tmp_path, new_store_url, monkeypatch, open_page):
    monkeypatch.setenv("ACCSM_DATABASE_URL", new_store_url("empty"))
    at = open_page("pages/arcs.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_arc_page__workbook_text_is_shown_as_written_never_as_markup(tmp_path, new_store_url, monkeypatch, open_page):
    hostile = "**Bold** <script>alert(1)</script> [link](http://example.org) :red[x] $x$"
    url = new_store_url("hostile")
    engine = build_fixture_store(url)
    content = ReturnContent("PHL", 2019, {"country": CellValue("PHL", "Return", "C2"),
                                          "year": CellValue(2019, "Return", "C3"),
                                          "arc_theme": CellValue(hostile, "Return", "C4")},
                            {"arc_projects": [{"title": hostile, "participants": 5, "evaluations": 5, "satisfied": 4,
                                               "sheet": "ARC projects", "row": 2}]})
    digest = hashlib.sha256(b"hostile").hexdigest()
    with engine.begin() as connection:
        store.store_return(connection, content, SubmissionInfo(
            kind="return", file_name="x.xlsx", sha256=digest, content_digest=digest, template_version="1",
            user="tester", country="PHL", year=2019))
    engine.dispose()
    monkeypatch.setenv("ACCSM_DATABASE_URL", url)

    at = open_page(PAGE, year="2019", country="PHL")

    assert_clean(at)
    from conftest import shown
    assert [shown(s.value) for s in at.subheader if hostile in shown(s.value)] == [hostile]
    assert f"Theme in force in 2019: **{hostile}** (country return, as of 2019)" in texts(at)
    assert ev.explain_threshold() in texts(at)
    bars = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("Satisfied participants"))
    assert "<script>" not in bars["data"][0]["y"][0] and "&lt;script&gt;" in bars["data"][0]["y"][0]


def test_arc_page__under_the_2026_2030_plan(database_url, open_page):
    at = open_page(PAGE, plan="2026-2030", year="2026")
    assert_clean(at)
    assert at.title[0].value == "ASEAN Resource Centres, 2026"
