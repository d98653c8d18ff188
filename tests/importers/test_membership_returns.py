"""Dated membership at the importer: Timor-Leste reports from 2026 (data/member_states.csv), not before."""

import subprocess
import sys
from pathlib import Path

import openpyxl

from importers.templates import write_return_template
from kpi.engine import compute_report
from kpi.plans import plan_for_year
from importers.templates import fill_return
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES

ROOT = Path(__file__).resolve().parents[2]


def _importers(*args):
    return subprocess.run([sys.executable, "-m", "importers", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def _typed_over(template: Path, out: Path, old: str, new: str) -> Path:
    """The country typed over in every sheet, as a mistake (or a forger) would."""
    workbook = openpyxl.load_workbook(template)
    for sheet in workbook.worksheets:
        sheet.protection.sheet = False
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    workbook.save(out)
    return out


def test_template_for_timor_leste_before_2026_is_refused(tmp_path, new_store_url):
    result = _importers("template", "return", "--country", "TLS", "--year", "2018", "-o", str(tmp_path / "t.xlsx"),
                        "--db", new_store_url("store"))
    assert result.returncode == 2
    assert "TLS reports from 2026" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_a_tls_return_for_2018_is_refused_naming_the_cell(tmp_path, engine, load, dump):
    template = write_return_template(tmp_path / "brn.xlsx", "BRN", 2018)
    filled = fill_return(template, tmp_path / "filled.xlsx", VALID_VALUES, VALID_ITEMS)
    forged = _typed_over(filled, tmp_path / "return_TLS_2018.xlsx", "BRN", "TLS")
    before = dump()
    report = load(forged)
    assert not report.accepted
    assert any(m.sheet == "Return" and m.cell == "C2" and "TLS reports from 2026" in m.text for m in report.errors)
    assert dump() == before
    result = _importers("load", str(forged), "--db", str(engine.url))
    assert result.returncode == 1 and "Return!C2: country is TLS: TLS reports from 2026" in result.stdout


def test_a_tls_template_for_2026_loads_and_is_counted_of_11(tmp_path, engine, load):
    out = tmp_path / "return_TLS_2026.xlsx"
    result = _importers("--db", str(engine.url), "template", "return", "--country", "TLS", "--year", "2026",
                        "--plan", "2026-2030", "-o", str(out))
    assert result.returncode == 0, result.stderr
    filled = fill_return(out, tmp_path / "filled_TLS_2026.xlsx", {**VALID_VALUES, "country": "TLS", "year": 2026},
                         VALID_ITEMS)
    report = load(filled)
    assert report.accepted, [str(m) for m in report.errors]
    with engine.connect() as connection:
        rows = compute_report(connection, plan_for_year(2026), year=2026)
    asean = rows[(rows.indicator == "A.1") & (rows.scope == "ASEAN")].iloc[0]
    assert asean["coverage"] == 1  # one answer ...
    assert "TLS" in set(rows["scope"]) and len(set(rows["scope"]) - {"ASEAN"}) == 11  # ... of 11 members
    assert asean["status"] in ("incomplete data", "no baseline", "no target")
