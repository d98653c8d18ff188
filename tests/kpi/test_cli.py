"""`python -m kpi report` run as a subprocess on a SQLite file holding a few returns and targets."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kpi.store import set_target

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_COLUMNS = ["indicator", "scope", "year", "value", "coverage", "baseline", "target", "progress", "status"]


def run_kpi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpi", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def db_url(engine, add_return):
    """A store with BRN and KHM returns for 2014 and 2016 and two targets; the URL for --db."""
    with engine.begin() as connection:
        add_return(connection, "BRN", 2014, {"agencies_total": 40, "a11_agencies_competency": 20,
                                             "a1_competency_institutionalised": "no"})
        add_return(connection, "BRN", 2016, {"agencies_total": 40, "a11_agencies_competency": 30,
                                             "a1_competency_institutionalised": "yes"})
        add_return(connection, "KHM", 2016, {"agencies_total": 100, "a11_agencies_competency": 10,
                                             "a1_competency_institutionalised": "no"})
        set_target(connection, "2016-2020", "A.1.1", "BRN", None, 90, None, "tester")
    return str(engine.url)


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def by_key(rows):
    return {(r["indicator"], r["scope"], int(r["year"])): r for r in rows}


def test_cli_report_csv__one_row_per_indicator_scope_year(db_url):
    result = run_kpi("report", "--format", "csv", "--db", db_url)
    assert result.returncode == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    keys = [(r["indicator"], r["scope"], r["year"]) for r in rows]
    assert len(keys) == len(set(keys)) == 17 * 11 * 3  # 17 indicators × 11 scopes × 2014..2016


def test_cli_report_csv__figures_match_hand_computation(db_url):
    rows = by_key(csv_rows(run_kpi("report", "--format", "csv", "--db", db_url).stdout))
    brn = rows[("A.1.1", "BRN", 2016)]
    assert float(brn["value"]) == pytest.approx(100 * 30 / 40)  # 75
    assert float(brn["baseline"]) == pytest.approx(100 * 20 / 40)  # 50
    assert float(brn["target"]) == 90
    assert float(brn["progress"]) == pytest.approx((75 - 50) / (90 - 50))  # a fraction: 0.625
    assert brn["status"] == "on track"  # pace 25 / (50 + 40·2/6 − 50) = 1.875
    assert brn["coverage"] == ""  # an AMS's own row has no coverage
    asean = rows[("A.1.1", "ASEAN", 2016)]
    assert float(asean["value"]) == pytest.approx((75 + 10) / 2)  # mean of AMS percentages: 42.5
    assert asean["coverage"] == "2"
    count = rows[("A.1", "ASEAN", 2016)]
    assert (float(count["value"]), count["coverage"]) == (1, "2")  # BRN yes, KHM no
    assert count["status"] == "no target"
    assert rows[("A.1", "BRN", 2016)]["status"] == ""  # yes/no row: blank status
    assert rows[("A.1.1", "LAO", 2016)]["value"] == ""  # no data is blank, never 0
    assert rows[("A.1.1", "LAO", 2016)]["status"] == "no data"


def test_cli_report_csv__values_unrounded(engine, add_return):
    with engine.begin() as connection:
        add_return(connection, "BRN", 2016, {"agencies_total": 3, "a11_agencies_competency": 1})
    rows = by_key(csv_rows(run_kpi("report", "--db", str(engine.url)).stdout))
    assert float(rows[("A.1.1", "BRN", 2016)]["value"]) == pytest.approx(100 / 3, abs=1e-9)  # 33.333…, not 33.3


def test_cli_report_json(db_url):
    result = run_kpi("report", "--format", "json", "--db", db_url)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == 17 * 11 * 3
    assert set(REQUIRED_COLUMNS) <= set(records[0])
    rows = {(r["indicator"], r["scope"], r["year"]): r for r in records}
    brn = rows[("A.1.1", "BRN", 2016)]
    assert brn["value"] == pytest.approx(75) and brn["progress"] == pytest.approx(0.625)
    assert brn["coverage"] is None
    assert rows[("A.1.1", "ASEAN", 2016)]["coverage"] == 2
    assert rows[("A.1.1", "LAO", 2016)]["value"] is None


@pytest.mark.parametrize(("args", "keys"), [
    (("--year", "2016"), {("A.1.1", s, 2016) for s in ("ASEAN", "BRN", "KHM")}),
    (("--scope", "BRN"), {("A.1.1", "BRN", y) for y in (2014, 2015, 2016)}),
    (("--scope", "brn", "--year", "2014"), {("A.1.1", "BRN", 2014)}),
    (("--scope", "ASEAN", "--year", "2016"), {("A.1.1", "ASEAN", 2016)}),
])
def test_cli_report__filters(db_url, args, keys):
    result = run_kpi("report", *args, "--db", db_url)
    assert result.returncode == 0, result.stderr
    rows = csv_rows(result.stdout)
    selected = {(r["indicator"], r["scope"], int(r["year"])) for r in rows}
    assert keys <= selected
    years = {int(r["year"]) for r in rows}
    scopes = {r["scope"] for r in rows}
    if "--year" in args:
        assert years == {int(args[args.index("--year") + 1])}
    if "--scope" in args:
        assert scopes == {args[args.index("--scope") + 1].upper()}
    assert len(rows) == 17 * len(years) * len(scopes)


def test_cli_report__db_option_before_command(db_url):
    result = run_kpi("--db", db_url, "report", "--year", "2016", "--scope", "BRN")
    assert result.returncode == 0, result.stderr
    assert len(csv_rows(result.stdout)) == 17


@pytest.mark.parametrize("scope", ["XYZ", "AMS", "CHN"])
def test_cli_report__bad_scope_exits_2(db_url, scope):
    result = run_kpi("report", "--scope", scope, "--db", db_url)
    assert result.returncode == 2
    assert "--scope" in result.stderr


def test_cli__missing_command_exits_2(db_url):
    result = run_kpi("--db", db_url)
    assert result.returncode == 2


def test_cli__bad_year_exits_2(db_url):
    assert run_kpi("report", "--year", "twenty", "--db", db_url).returncode == 2


@pytest.mark.parametrize("args", [("--help",), ("report", "--help")])
def test_cli__help_exits_0(args):
    result = run_kpi(*args)
    assert result.returncode == 0
    assert "report" in result.stdout


def test_cli_report__plan_2026_2030_on_an_empty_database_prints_the_header(tmp_path):
    result = run_kpi("--db", f"sqlite:///{tmp_path}/empty.db", "report", "--plan", "2026-2030", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["indicator,scope,year,value,coverage,baseline,baseline_source,target,"
                                          "target_source,change,progress,expected,pace,status,projected,unit,details"]


def test_cli_report__plan_defaults_to_the_plan_of_the_year(db_url, engine, add_return):
    with engine.begin() as connection:
        add_return(connection, "BRN", 2026, {"a1_competency_institutionalised": "yes"})
    old = csv_rows(run_kpi("--db", db_url, "report", "--plan", "2016-2020").stdout)
    new = csv_rows(run_kpi("--db", db_url, "report", "--year", "2026").stdout)
    assert {r["year"] for r in old} and "2026" not in {r["year"] for r in old}  # 2026 is not a 2016-2020 year
    assert {r["year"] for r in new} == {"2026"} and len({r["scope"] for r in new}) == 12  # ASEAN and 11 AMS
    assert run_kpi("--db", db_url, "report", "--plan", "2030-2035").returncode == 2
