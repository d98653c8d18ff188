"""`python -m kpi returns list|confirm|query` as kpi/returns_cli.py defines it, acting as a user of the store."""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

from kpi import access, review
from kpi.db import write_transaction
from kpi.returns_cli import STATES, add_returns_parser, run_returns
from kpi.users import add_user, apply_change
from tests.kpi.conftest import store_country_return

ROOT = Path(__file__).resolve().parents[2]


def _run(engine, capsys, *argv) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="python -m kpi")
    add_returns_parser(parser.add_subparsers(dest="command", required=True))
    code = run_returns(engine, parser.parse_args(list(argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


def _listed(engine, capsys, *options) -> list[dict]:
    code, out, err = _run(engine, capsys, "returns", "list", *options)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_states_of_the_cli_are_those_of_kpi_review():
    assert STATES == review.STATES


def test_returns_cli__query_confirm_and_list_by_state(engine, capsys):
    with write_transaction(engine) as connection:
        store_country_return(connection, "BRN", 2019, {"agencies_total": 640})
        store_country_return(connection, "KHM", 2019, {"agencies_total": 100})
    code, out, _ = _run(engine, capsys, "returns", "query", "--country", "brn", "--year", "2019",
                        "--question", "Why did it fall?", "--user", "tester")
    assert code == 0 and out.startswith("BRN 2019: queried (queried by tester on ")
    code, out, _ = _run(engine, capsys, "returns", "confirm", "--country", "KHM", "--year", "2019", "--user", "tester")
    assert code == 0 and out.startswith("KHM 2019: confirmed (confirmed by tester on ")
    rows = _listed(engine, capsys, "--year", "2019")
    assert [(r["country"], r["state"]) for r in rows][:3] == [("BRN", "queried"), ("KHM", "confirmed"),
                                                              ("IDN", "missing")]
    assert rows[0]["note"] == "Why did it fall?" and len(rows) == 10
    assert [r["country"] for r in _listed(engine, capsys, "--state", "confirmed", "--state", "queried")] == [
        "BRN", "KHM"]


def test_returns_cli__a_focal_point_is_refused_and_a_locked_return_says_so(engine, capsys):
    apply_change(engine, add_user, "fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN", by="local")
    with write_transaction(engine) as connection:
        store_country_return(connection, "BRN", 2019, {"agencies_total": 640})
    code, out, err = _run(engine, capsys, "returns", "confirm", "--country", "BRN", "--year", "2019",
                          "--user", "fp-brn")
    assert (code, out) == (1, "")
    assert err.startswith("error: refused: fp-brn (focal point of BRN) may not confirm or query a return for BRN: "
                          "only the ACCSM secretariat may do this")
    assert _run(engine, capsys, "returns", "confirm", "--country", "BRN", "--year", "2019", "--user", "tester")[0] == 0
    code, _, err = _run(engine, capsys, "returns", "query", "--country", "BRN", "--year", "2019", "--question", "?",
                        "--user", "tester")
    assert code == 1 and "it cannot be queried" in err and err.endswith("; nothing was changed\n")


def test_returns_cli__runs_as_a_module(engine):
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-m", "kpi", "--db", url, "returns", "list", "--year", "2019",
                           "--state", "missing", "--format", "json", "--user", "tester"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"state": "missing"' in done.stdout and "Traceback" not in done.stderr
