"""Versioned workbook layouts (data/layouts.toml): the newest matches the declarations, every released one loads."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from importers import evaluations, layout, versions, workplan
from importers.templates import fill_return, fill_targets, write_return_template, write_targets_template
from kpi.catalogue import FRAMEWORKS
from kpi.engine import compute_report
from kpi.fields import EVALUATION_FIELDS, LIST_SHEETS, RETURN_FIELDS, TARGET_FIELDS
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES

RETURN_VERSIONS = [v.version for v in versions.released("return")]
TARGETS_VERSIONS = [v.version for v in versions.released("targets")]


def test_every_kind_has_released_layouts_in_release_order():
    layouts = versions.read_layouts()
    assert set(layouts) == set(layout.WORKBOOK_KINDS)
    for kind, released in layouts.items():
        dates = [v.released for v in released]
        assert dates == sorted(dates) and all(isinstance(d, dt.date) for d in dates), kind
        assert len({v.version for v in released}) == len(released), kind


def test_the_newest_layout_of_each_kind_is_what_the_code_declares():
    # Adding a field or identity row without a new entry in data/layouts.toml fails here.
    newest = {kind: versions.latest(kind) for kind in layout.WORKBOOK_KINDS}
    assert newest["return"].fields == tuple(f.code for f in RETURN_FIELDS)
    assert newest["return"].lists == {s.code: tuple(c.code for c in s.columns) for s in LIST_SHEETS}
    assert newest["return"].identity_rows == layout.RETURN_IDENTITY_ROWS
    assert newest["targets"].columns == tuple(f.code for f in TARGET_FIELDS)
    assert newest["targets"].identity_rows == layout.TARGETS_IDENTITY_ROWS
    assert newest["evaluations"].columns == tuple(f.code for f in EVALUATION_FIELDS)
    assert newest["evaluations"].identity_rows == evaluations.IDENTITY_ROWS
    assert newest["workplan"].columns == tuple(f.code for f in workplan.WORKPLAN_FIELDS)
    assert newest["workplan"].identity_rows == workplan.IDENTITY_ROWS


def test_a_malformed_layouts_file_is_refused_naming_the_key(tmp_path, monkeypatch):
    bad = tmp_path / "layouts.toml"
    bad.write_text('[[return]]\nversion = "1"\nreleased = 2026-11-23\nchange = "x"\nidentity = []\n'
                   '[[return]]\nversion = "1"\nreleased = 2026-12-01\nchange = "y"\nidentity = []\n')
    monkeypatch.setattr(versions, "LAYOUTS_FILE", bad)
    versions.read_layouts.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"layouts.toml: return\[1\].version: version 1 is declared twice"):
            versions.read_layouts()
    finally:
        versions.read_layouts.cache_clear()


@pytest.mark.parametrize("version", RETURN_VERSIONS)
def test_a_return_of_every_released_version_loads_and_feeds_the_kpis(tmp_path, engine, load, version):
    template = write_return_template(tmp_path / f"template_v{version}.xlsx", "BRN", 2018, version=version)
    assert openpyxl.load_workbook(template)["Instructions"]["B3"].value == version
    asked = versions.find("return", version).fields
    filled = fill_return(template, tmp_path / f"return_v{version}.xlsx",
                         {code: value for code, value in VALID_VALUES.items() if code in asked}, VALID_ITEMS)
    report = load(filled)
    assert report.accepted, [str(m) for m in report.errors]
    with engine.connect() as connection:
        kpis = compute_report(connection, FRAMEWORKS["2016-2020"], year=2018, scope="BRN")
    assert kpis["value"].notna().any()


@pytest.mark.parametrize("version", TARGETS_VERSIONS)
def test_a_targets_workbook_of_every_released_version_loads(tmp_path, engine, load, version):
    template = write_targets_template(tmp_path / f"targets_v{version}.xlsx", FRAMEWORKS["2016-2020"],
                                      version=version)
    assert openpyxl.load_workbook(template)["Instructions"]["B3"].value == version
    report = load(fill_targets(template, tmp_path / "filled.xlsx", [{"indicator": "E.3", "scope": "BRN",
                                                                     "target": 80}]))
    assert report.accepted, [str(m) for m in report.errors]


def test_an_unreleased_version_is_refused_naming_the_cell_and_the_versions_read(tmp_path, engine, load, dump):
    before = dump()
    template = write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS["2016-2020"])
    workbook = openpyxl.load_workbook(template)
    workbook["Instructions"]["B3"] = "9"
    workbook.save(template)
    report = load(template)
    assert not report.accepted and dump() == before
    assert [str(m) for m in report.errors] == [
        f"Instructions!B3: template_version is '9', which this software cannot read (it reads targets version "
        f"{', '.join(TARGETS_VERSIONS)}): use a new template"]


def test_a_version_older_than_the_plan_row_cannot_be_written_for_another_plan(tmp_path):
    with pytest.raises(ValueError, match="targets version 1 is for the 2016-2020 plan only"):
        write_targets_template(tmp_path / "t.xlsx", FRAMEWORKS["2026-2030"], version="1")


def test_returns_of_version_1_and_2_with_the_same_answers_give_the_same_kpis(tmp_path, engine, load):
    # Version 2 only adds the plan row: the same answers in either version must be the same figures.
    for version, year in (("1", 2018), ("2", 2019)):
        template = write_return_template(tmp_path / f"t{version}.xlsx", "BRN", year, version=version)
        values = {**VALID_VALUES, "year": year}
        report = load(fill_return(template, tmp_path / f"r{version}.xlsx", values, VALID_ITEMS))
        assert report.accepted, [str(m) for m in report.errors]
    with engine.connect() as connection:
        by_year = {year: compute_report(connection, FRAMEWORKS["2016-2020"], year=year, scope="BRN")
                   .set_index("indicator")[["value", "coverage"]] for year in (2018, 2019)}
    assert by_year[2018]["value"].notna().sum() >= 10
    assert by_year[2018].equals(by_year[2019])


def test_a_version_2_return_names_the_plan_of_its_year(tmp_path):
    for year, plan in ((2018, "2016-2020"), (2026, "2026-2030")):
        template = write_return_template(tmp_path / f"t{year}.xlsx", "BRN", year)
        instructions = openpyxl.load_workbook(template)["Instructions"]
        assert (instructions["A6"].value, instructions["B6"].value) == ("plan", plan)


@pytest.mark.parametrize(("plan", "message"), [
    ("2026-2030", "plan is 2026-2030, but 2018 is a reporting year of the 2016-2020 plan: use the template made "
                  "for this return, or put 2016-2020 back"),
    ("2021-2025", "plan is '2021-2025': use one of 2016-2020, 2026-2030 (or the template made for this return)"),
    (None, "plan is blank: Work plan (period) the figures or programmes belong to, e.g. 2016-2020"),
])
def test_a_return_whose_plan_row_contradicts_its_year_is_refused_naming_the_cell(tmp_path, engine, load, dump,
                                                                                  plan, message):
    before = dump()
    template = write_return_template(tmp_path / "t.xlsx", "BRN", 2018)
    filled = fill_return(template, tmp_path / "r.xlsx", VALID_VALUES, VALID_ITEMS)
    workbook = openpyxl.load_workbook(filled)
    workbook["Instructions"]["B6"] = plan
    workbook.save(filled)
    report = load(filled)
    assert not report.accepted and dump() == before
    assert [str(m) for m in report.errors] == [f"Instructions!B6: {message}"]
