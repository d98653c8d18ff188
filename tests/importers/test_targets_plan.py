"""Targets workbooks belong to a plan (the plan cell of their Instructions sheet); templates of every plan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from importers.templates import fill_targets, write_targets_template
from kpi import store
from kpi.catalogue import FRAMEWORKS

ROOT = Path(__file__).resolve().parents[2]


def _importers(*args):
    return subprocess.run([sys.executable, "-m", "importers", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def _targets_of(engine, plan: str) -> dict:
    with engine.connect() as connection:
        stored = store.read_targets(connection, plan)
    return {(r["indicator_code"], r["scope"]): r["target"] for r in stored.to_dict("records")}


def test_a_2026_2030_targets_workbook_is_stored_under_its_plan(tmp_path, engine, load):
    template = write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS["2026-2030"])
    filled = fill_targets(template, tmp_path / "filled.xlsx", [
        {"indicator": "A.1", "scope": "ASEAN", "target": 11},  # eleven members in 2026-2030
        {"indicator": "E.3", "scope": "TLS", "target": 70},
    ])
    report = load(filled)
    assert report.accepted, [str(m) for m in report.errors]
    assert _targets_of(engine, "2026-2030") == {("A.1", "ASEAN"): 11, ("E.3", "TLS"): 70}
    assert _targets_of(engine, "2016-2020") == {}


@pytest.mark.parametrize(("plan", "row", "message"), [
    ("2026-2030", {"indicator": "A.1", "scope": "ASEAN", "target": 12},
     "Targets!D2: A.1 ASEAN target is 12: it must be 0 to 11 (AMS)"),
    ("2016-2020", {"indicator": "A.1", "scope": "ASEAN", "target": 11},
     "Targets!D2: A.1 ASEAN target is 11: it must be 0 to 10 (AMS)"),
    ("2016-2020", {"indicator": "E.3", "scope": "TLS", "target": 70},
     "Targets!B2: scope is 'TLS': use one of ASEAN, AMS, BRN, KHM, IDN, LAO, MYS, MMR, PHL, SGP, THA, VNM"),
])
def test_the_plan_decides_the_members_a_target_may_name(tmp_path, engine, load, dump, plan, row, message):
    before = dump()
    template = write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS[plan])
    report = load(fill_targets(template, tmp_path / "filled.xlsx", [row]))
    assert not report.accepted and dump() == before
    assert [str(m) for m in report.errors] == [message]


def test_a_version_1_targets_workbook_has_no_plan_row_and_is_read_as_2016_2020(tmp_path, engine, load):
    template = write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS["2016-2020"], version="1")
    instructions = openpyxl.load_workbook(template)["Instructions"]
    assert (instructions["B3"].value, instructions["A4"].value) == ("1", None)
    report = load(fill_targets(template, tmp_path / "filled.xlsx", [{"indicator": "E.3", "scope": "BRN",
                                                                     "target": 80}]))
    assert report.accepted, [str(m) for m in report.errors]
    assert _targets_of(engine, "2016-2020") == {("E.3", "BRN"): 80}


def test_a_version_2_targets_workbook_without_its_plan_is_refused(tmp_path, engine, load, dump):
    before = dump()
    template = write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS["2016-2020"])
    workbook = openpyxl.load_workbook(template)
    workbook["Instructions"]["B4"] = None
    workbook.save(template)
    report = load(fill_targets(template, tmp_path / "filled.xlsx", [{"indicator": "E.3", "scope": "BRN",
                                                                     "target": 80}]))
    assert not report.accepted and dump() == before
    assert [m.cell for m in report.errors] == ["B4"]


def test_an_unknown_plan_is_refused_naming_the_cell(tmp_path, engine, load, dump):
    before = dump()
    template = write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS["2016-2020"])
    workbook = openpyxl.load_workbook(template)
    workbook["Instructions"]["B4"] = "2021-2025"
    workbook.save(template)
    report = load(fill_targets(template, tmp_path / "filled.xlsx", [{"indicator": "E.3", "scope": "BRN",
                                                                     "target": 80}]))
    assert not report.accepted and dump() == before
    assert [str(m) for m in report.errors] == [
        f"Instructions!B4: plan is '2021-2025': use one of {', '.join(FRAMEWORKS)} (or a template made by the "
        "secretariat)"]


def test_cli_template_targets_for_a_plan_prefills_that_plans_figures(tmp_path, engine):
    with engine.begin() as connection:
        store.set_target(connection, "2026-2030", "E.3", "ASEAN", None, 77.0, None, "tester")
        store.set_target(connection, "2016-2020", "E.3", "ASEAN", None, 75.0, None, "tester")
    out = tmp_path / "targets.xlsx"
    done = _importers("--db", str(engine.url), "template", "targets", "--plan", "2026-2030", "-o", str(out))
    assert done.returncode == 0, done.stderr
    workbook = openpyxl.load_workbook(out)
    assert workbook["Instructions"]["B4"].value == "2026-2030"
    rows = {(r[0], r[1]): r[3] for r in workbook["Targets"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows[("E.3", "ASEAN")] == 77


def test_cli_template_return__a_year_outside_the_plan_is_a_usage_error(tmp_path, engine):
    done = _importers("--db", str(engine.url), "template", "return", "--country", "BRN", "--year", "2018",
                      "--plan", "2026-2030", "-o", str(tmp_path / "r.xlsx"))
    assert done.returncode == 2
    assert "--year 2018 is not a reporting year of the 2026-2030 plan" in done.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_cli_template_workplan__a_plan_without_programmes_is_refused(tmp_path, engine):
    done = _importers("--db", str(engine.url), "template", "workplan", "--plan", "2026-2030",
                      "-o", str(tmp_path / "w.xlsx"))
    assert done.returncode == 1 and "the 2026-2030 plan has no programmes" in done.stderr
    done = _importers("--db", str(engine.url), "template", "workplan", "-o", str(tmp_path / "w.xlsx"))
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(tmp_path / "w.xlsx")["Instructions"]["B4"].value == "2016-2020"
