"""`python -m kpi edition …`: freeze, list and compare SOM editions through the command line's own main()."""

from __future__ import annotations

import csv
import io

import pytest

from kpi.cli import main


def _run(engine, capsys, *argv) -> tuple[int, str, str]:
    code = main(["--db", engine.url.render_as_string(hide_password=False), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def two_returns(engine, add_return):
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 5})
        add_return(connection, "KHM", 2018, {"agencies_total": 40, "a11_agencies_competency": 10})


def test_edition_cli__freeze_list_and_compare_after_a_revision(engine, capsys, two_returns, add_return):
    code, out, _ = _run(engine, capsys, "edition", "freeze", "--name", "22nd ACCSM SOM, 2019", "--som-date",
                        "2019-10-15", "--year", "2018", "--no-pack")
    assert code == 0 and out == "frozen edition 1: 22nd ACCSM SOM, 2019\n"
    code, out, _ = _run(engine, capsys, "edition", "list")
    listed = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["id"], r["name"], r["som_date"], r["returns"]) for r in listed] == [
        ("1", "22nd ACCSM SOM, 2019", "2019-10-15", "2")]
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 10})

    code, out, err = _run(engine, capsys, "edition", "compare", "22nd ACCSM SOM, 2019")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and err.startswith("2 value(s) revised")
    assert [(r["section"], r["indicator"], r["scope"], r["value_before"], r["value_after"]) for r in rows
            if r["section"] == "value"] == [("value", "A.1.1", "ASEAN", "25.0", "37.5"),
                                            ("value", "A.1.1", "BRN", "25.0", "50.0")]
    assert [r["why"] for r in rows if r["section"] == "return"] == ["replaces the one in the edition"]


def test_edition_cli__a_taken_name_is_refused_with_exit_1(engine, capsys, two_returns):
    argv = ("edition", "freeze", "--name", "SOM", "--som-date", "2019-10-15", "--year", "2018", "--no-pack")
    assert _run(engine, capsys, *argv)[0] == 0
    code, _, err = _run(engine, capsys, *argv)
    assert code == 1 and "exists already" in err


def test_edition_cli__an_unknown_edition_is_a_usage_error(engine, capsys):
    code, _, err = _run(engine, capsys, "edition", "compare", "7")
    assert code == 2 and "no edition" in err
