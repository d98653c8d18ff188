"""Fixtures for the KPI engine tests: a fresh migrated SQLite store and helpers that write through the store API."""

from __future__ import annotations

import hashlib
import itertools

import pytest

from kpi.engine import compute_report
from kpi.plans import plan_for_year
from kpi.store import CellValue, ReturnContent, SubmissionInfo, store_return

AMS = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
LIST_SHEET_NAMES = {"policies": "Policies", "arc_projects": "ARC projects", "reform_measures": "Reform measures"}
_serial = itertools.count(1)


@pytest.fixture
def connection(engine):
    """One transaction on the fresh store (committed at the end of the test)."""
    with engine.begin() as connection:
        yield connection


def store_country_return(connection, country: str, year: int, values: dict, items: dict | None = None,
               user: str = "tester") -> int:
    """Store a country return (single values by field code, list rows by list code) as the current one."""
    serial = next(_serial)
    cells = {"country": country, "year": year, **values}
    content = ReturnContent(
        country=country, year=year,
        values={code: CellValue(value, "Return", f"C{n}") for n, (code, value) in enumerate(cells.items(), start=2)},
        items={code: [{**row, "sheet": LIST_SHEET_NAMES[code], "row": n} for n, row in enumerate(rows, start=2)]
               for code, rows in (items or {}).items()},
    )
    digest = hashlib.sha256(f"{country}/{year}/{serial}".encode()).hexdigest()
    info = SubmissionInfo(kind="return", file_name=f"{country}_{year}_{serial}.xlsx", sha256=digest,
                          content_digest=digest, template_version="test", user=user, country=country, year=year)
    return store_return(connection, content, info)


def find_report_row(connection, indicator: str, scope: str, year: int):
    """Return the one report row of (indicator, scope, year), under the plan the year belongs to."""
    report = compute_report(connection, plan_for_year(year), year=year, scope=scope)
    rows = list(report[report["indicator"] == indicator].itertuples(index=False))
    assert len(rows) == 1, f"expected one row for {indicator}/{scope}/{year}, got {len(rows)}"
    return rows[0]


@pytest.fixture(name="add_return")
def add_return_fixture():
    """`add_return(connection, country, year, values, items=None, user="tester")`: see store_country_return."""
    return store_country_return


@pytest.fixture(name="report_row")
def report_row_fixture():
    """`report_row(connection, indicator, scope, year)`: see find_report_row."""
    return find_report_row
