"""Fixtures for the importer tests: a fresh SQLite store, templates, a complete valid return and a database dump."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from importers.load import load_file
from importers.templates import fill_return, write_return_template, write_targets_template

COUNTRY, YEAR = "BRN", 2018

# A complete, valid return for BRN 2018: every field answered, the lists matching their declared totals.
VALID_VALUES = {
    "focal_point": "Dr Siti Rahman",
    "email": "siti.rahman@example.gov.bn",
    "agencies_total": 640,
    "a1_competency_institutionalised": "yes",
    "a11_agencies_competency": 320,
    "b1_capacity_policies": "yes",
    "b11_agencies_capacity": 200,
    "c1_leadership_institutionalised": "no",
    "c11_agencies_leadership": 0,
    "c2_succession_institutionalised": "yes",
    "c21_agencies_succession": 64,
    "d1_arc_enhanced": "yes",
    "arc_theme": "Civil Service Leadership",
    "e2_engagement_measures": "yes",
    "e21_policy_processes": 10,
    "e21_processes_engaged": 4,
    "e3_satisfaction_pct": 72.5,
    "e3_survey": "National Service Survey 2018",
    "b2_policies_count": 2,
    "d2_projects_count": 1,
    "e1_measures_count": 1,
}
VALID_ITEMS = {
    "policies": [
        {"title": "Capacity Building Policy", "level": "national", "year_started": 2016},
        {"title": "District Training Plan", "level": "sub-national", "year_started": 2017},
    ],
    "arc_projects": [
        {"title": "Leadership Workshop", "start_date": dt.date(2018, 3, 5), "end_date": dt.date(2018, 3, 9),
         "participants": 30, "evaluations": 20, "satisfied": 18},
    ],
    "reform_measures": [
        {"title": "One-stop service counters", "aim": "efficiency", "year_started": 2017},
    ],
}


@pytest.fixture
def return_template(tmp_path) -> Path:
    return write_return_template(tmp_path / "template_BRN_2018.xlsx", COUNTRY, YEAR)


@pytest.fixture
def targets_template(tmp_path) -> Path:
    return write_targets_template(tmp_path / "targets_template.xlsx")


@pytest.fixture
def make_return(tmp_path, return_template):
    """Return a function writing a filled return: the valid one, changed by `values` and `items`."""
    def make(name: str = "return.xlsx", values: dict | None = None, items: dict | None = None,
             template: Path | None = None) -> Path:
        return fill_return(template or return_template, tmp_path / name, {**VALID_VALUES, **(values or {})},
                           {**VALID_ITEMS, **(items or {})})
    return make


@pytest.fixture
def valid_values() -> dict:
    return dict(VALID_VALUES)


@pytest.fixture
def valid_items() -> dict:
    return {code: [dict(row) for row in rows] for code, rows in VALID_ITEMS.items()}


@pytest.fixture
def load(engine):
    """Return a function loading a file from disk into the test store, as the CLI does."""
    def load_path(path: Path, **options):
        return load_file(engine, Path(path).read_bytes(), Path(path).name, "tester", **options)
    return load_path


@pytest.fixture
def dump(engine):
    """Return a function giving every row of every table, sorted: equal dumps mean equal content."""
    def dump_database() -> dict[str, list[tuple]]:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
                    for name, table in metadata.tables.items()}
    return dump_database


@pytest.fixture
def resave_with_libreoffice(tmp_path):
    """Return a function that re-saves a workbook with LibreOffice Calc as xlsx or ods and returns the new path."""
    def resave(source: Path, target_format: str) -> Path:
        out_dir = tmp_path / f"out_{target_format}"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo_profile", "--headless",
             "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
            check=True, capture_output=True, timeout=180,
        )
        converted = out_dir / f"{Path(source).stem}.{target_format}"
        assert converted.exists(), f"LibreOffice did not write {converted}"
        return converted
    return resave
