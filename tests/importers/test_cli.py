"""The importers' command line, run as users run it: python -m importers in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from importers.templates import fill_return
from kpi import schema
from kpi.db import open_store

ROOT = Path(__file__).resolve().parents[2]

TEN_MISTAKES = {
    "email": "not-an-email",
    "a1_competency_institutionalised": "maybe",
    "a11_agencies_competency": 812,
    "b11_agencies_capacity": 12.5,
    "c11_agencies_leadership": -3,
    "e21_policy_processes": 10,
    "e21_processes_engaged": 15,
    "e3_satisfaction_pct": 150,
    "b2_policies_count": 3,
}


def _run(*args: str, db: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "importers", *args] + (["--db", db] if db else [])
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_help():
    result = _run("--help")
    assert result.returncode == 0 and "template" in result.stdout and "load" in result.stdout
    assert _run("load", "--help").returncode == 0


def test_usage_errors_exit_2(tmp_path):
    assert _run("template", "return", "-o", str(tmp_path / "x.xlsx")).returncode == 2
    assert _run("template", "return", "--country", "CHN", "--year", "2018", "-o", str(tmp_path / "x.xlsx")).returncode == 2
    assert _run("frobnicate").returncode == 2


def test_template_then_load(tmp_path, valid_values, valid_items):
    template = tmp_path / "brn.xlsx"
    db = f"sqlite:///{tmp_path}/cli.db"
    assert _run("template", "return", "--country", "BRN", "--year", "2018", "-o", str(template)).returncode == 0
    filled = fill_return(template, tmp_path / "filled.xlsx", valid_values, valid_items)

    first = _run("load", str(filled), db=db)
    second = _run("load", str(filled), "--user", "secretariat", db=db)

    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith(f"accepted: {filled} (return BRN 2018 stored as submission 1;")
    assert second.returncode == 0
    assert second.stdout.startswith(f"unchanged: {filled} (already loaded as submission 1 on ")


def test_blank_targets_template_changes_nothing(tmp_path):
    targets, db = tmp_path / "targets.xlsx", f"sqlite:///{tmp_path}/cli.db"
    assert _run("template", "targets", "-o", str(targets), db=db).returncode == 0
    result = _run("load", str(targets), "--dry-run", db=db)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(f"unchanged: {targets} (every figure already matches the stored targets")


def test_targets_template_is_prefilled_from_the_database(tmp_path, targets_template):
    from importers.templates import fill_targets
    db = f"sqlite:///{tmp_path}/cli.db"
    edited = fill_targets(targets_template, tmp_path / "edited.xlsx",
                          [{"indicator": "E.3", "scope": "ASEAN", "target": 75, "note": "SOM decision"}])
    assert _run("load", str(edited), db=db).returncode == 0
    downloaded = tmp_path / "downloaded.xlsx"
    assert _run("template", "targets", "-o", str(downloaded), db=db).returncode == 0

    result = _run("load", str(downloaded), "--dry-run", db=db)

    assert result.stdout.startswith(f"unchanged: {downloaded}"), result.stdout


def test_ten_mistakes_give_ten_messages_on_ten_cells_and_store_nothing(tmp_path, make_return, valid_items):
    path = make_return("ten_mistakes.xlsx", values=TEN_MISTAKES, items={
        "policies": [*valid_items["policies"][:1], {"title": "Regional Plan", "level": "federal"}],
        "arc_projects": [{**valid_items["arc_projects"][0], "satisfied": 25}],
    })
    good = make_return("good.xlsx")
    db = f"sqlite:///{tmp_path}/cli.db"

    result = _run("load", str(path), str(good), db=db)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"rejected: {path} (10 errors)"
    errors = lines[1:11]
    assert len({line.split(": ")[0] for line in errors}) == 10
    assert lines[11].startswith(f"accepted: {good} (")
    with open_store(db).connect() as connection:
        stored = connection.execute(select(schema.submission.c.file_name)).scalars().all()
    assert stored == [str(good)]
    print(result.stdout)


def test_missing_file_is_rejected(tmp_path):
    result = _run("load", str(tmp_path / "nowhere.xlsx"), db=f"sqlite:///{tmp_path}/cli.db")
    assert result.returncode == 1
    assert result.stdout.startswith(f"rejected: {tmp_path / 'nowhere.xlsx'} (cannot read the file")
