"""`export chart|table|briefing`: files written, exit 0 ok, 1 failed, 2 usage; via `python -m kpi` once wired."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from kpi.exports.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_export_parser, run_export

ROOT = Path(__file__).resolve().parents[2]
WIRED = "add_export_parser" in (ROOT / "kpi" / "cli.py").read_text(encoding="utf-8")


def run(engine, *argv) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi")
    add_export_parser(parser.add_subparsers(dest="command", required=True))
    return run_export(engine, parser.parse_args(["export", *argv]))


def test_export_chart__png_and_svg(plain_engine, tmp_path):
    assert run(plain_engine, "chart", "--indicator", "A.1.1", "-o", str(tmp_path / "t.png")) == EXIT_OK
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    assert run(plain_engine, "chart", "--kind", "ranking", "--indicator", "B.1.1", "--year", "2018",
               "-o", str(tmp_path / "r.svg")) == EXIT_OK
    assert b"B.1.1 by AMS, 2018" in (tmp_path / "r.svg").read_bytes()


@pytest.mark.parametrize("argv", [
    ["chart", "--kind", "trend"],
    ["chart", "--indicator", "Z.9"],
    ["chart", "--kind", "matrix", "--year", "1999"],
    ["briefing", "--year", "1999"],
])
def test_export__usage_errors_exit_2(plain_engine, tmp_path, capsys, argv):
    assert run(plain_engine, *argv, "-o", str(tmp_path / "out.pptx")) == EXIT_USAGE
    assert "usage error:" in capsys.readouterr().err


def test_export_table__csv_and_xlsx(plain_engine, tmp_path):
    assert run(plain_engine, "table", "--what", "kpis", "--year", "2019", "-o", str(tmp_path / "k.csv")) == EXIT_OK
    assert (tmp_path / "k.csv").read_bytes().startswith(b"\xef\xbb\xbfindicator,scope,year,value,coverage")
    assert run(plain_engine, "table", "--what", "returns", "-o", str(tmp_path / "r.xlsx")) == EXIT_OK
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"


def test_export__a_failure_exits_1_without_a_traceback(plain_engine, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on PATH: the PDF cannot be made
    code = run(plain_engine, "briefing", "-o", str(tmp_path / "b.pptx"), "--pdf", str(tmp_path / "b.pdf"))
    err = capsys.readouterr().err
    assert code == EXIT_FAILED
    assert "libreoffice-impress" in err and "Traceback" not in err


@pytest.mark.skipif(not WIRED, reason="kpi/cli.py does not call add_export_parser yet")
def test_python_m_kpi_export(plain_engine, tmp_path):
    url = str(plain_engine.url)
    done = subprocess.run([sys.executable, "-m", "kpi", "export", "--db", url, "table", "--what", "scorecard",
                           "-o", str(tmp_path / "s.xlsx")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s.xlsx").is_file()


def test_export__demo_data_is_marked_in_the_image_and_the_table(demo_engine, plain_engine, tmp_path):
    from kpi.charts import DEMO_MARKER
    for engine, marked in ((demo_engine, True), (plain_engine, False)):
        svg, csv = tmp_path / f"{marked}.svg", tmp_path / f"{marked}.csv"
        assert run(engine, "chart", "--kind", "ranking", "--indicator", "A.1.1", "--year", "2018",
                   "-o", str(svg)) == EXIT_OK
        assert run(engine, "table", "--what", "scorecard", "--year", "2018", "-o", str(csv)) == EXIT_OK
        assert (DEMO_MARKER in svg.read_text(encoding="utf-8")) is marked
        header, first = csv.read_text(encoding="utf-8-sig").splitlines()[:2]
        assert header.startswith("note,") is marked
        assert (DEMO_MARKER in first) is marked


def test_export__a_provisional_plan_is_marked_in_every_file(plain_engine, tmp_path, capsys):
    from kpi.catalogue import FRAMEWORKS
    from kpi.charts import provisional_marker
    marker = provisional_marker(FRAMEWORKS["2026-2030"])
    assert run(plain_engine, "table", "--what", "kpis", "--plan", "2026-2030", "-o", str(tmp_path / "k.csv")) == EXIT_OK
    assert "marked PROVISIONAL" in capsys.readouterr().out
    header, first = (tmp_path / "k.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.startswith("note,indicator,scope,year") and marker in first
    assert run(plain_engine, "chart", "--indicator", "A.1.1", "--plan", "2026-2030",
               "-o", str(tmp_path / "t.svg")) == EXIT_OK
    assert marker in (tmp_path / "t.svg").read_text(encoding="utf-8")
    assert run(plain_engine, "chart", "--indicator", "A.1.1", "--plan", "2016-2020",
               "-o", str(tmp_path / "old.svg")) == EXIT_OK
    assert "PROVISIONAL" not in (tmp_path / "old.svg").read_text(encoding="utf-8")


def test_export__briefing_for_a_plan_without_data_is_a_usage_error(plain_engine, tmp_path, capsys):
    assert run(plain_engine, "briefing", "--plan", "2026-2030", "-o", str(tmp_path / "b.pptx")) == EXIT_USAGE
    assert "--plan" in capsys.readouterr().err
