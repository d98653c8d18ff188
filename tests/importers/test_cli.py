"""The importers' command line, run as users run it: python -m importers in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from importers.templates import fill_return
from kpi import schema
from kpi.db import open_store
from tests.store_failures import assert_one_sentence, dump, make_store, run_cli, write_lock_held

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


def test_template_then_load(tmp_path, new_store_url, valid_values, valid_items):
    template = tmp_path / "brn.xlsx"
    db = new_store_url("cli")
    assert _run("template", "return", "--country", "BRN", "--year", "2018", "-o", str(template)).returncode == 0
    filled = fill_return(template, tmp_path / "filled.xlsx", valid_values, valid_items)

    first = _run("load", str(filled), db=db)
    second = _run("load", str(filled), "--user", "demo", db=db)  # another secretariat user (seeded, 0005)

    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith(f"accepted: {filled} (return BRN 2018 stored as submission 1;")
    assert second.returncode == 0
    assert second.stdout.startswith(f"unchanged: {filled} (already loaded as submission 1 on ")


def test_blank_targets_template_changes_nothing(tmp_path, new_store_url):
    targets, db = tmp_path / "targets.xlsx", new_store_url("cli")
    assert _run("template", "targets", "-o", str(targets), db=db).returncode == 0
    result = _run("load", str(targets), "--dry-run", db=db)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(f"unchanged: {targets} (every figure already matches the stored targets")


def test_targets_template_is_prefilled_from_the_database(tmp_path, new_store_url, targets_template):
    from importers.templates import fill_targets
    db = new_store_url("cli")
    edited = fill_targets(targets_template, tmp_path / "edited.xlsx",
                          [{"indicator": "E.3", "scope": "ASEAN", "target": 75, "note": "SOM decision"}])
    assert _run("load", str(edited), db=db).returncode == 0
    downloaded = tmp_path / "downloaded.xlsx"
    assert _run("template", "targets", "-o", str(downloaded), db=db).returncode == 0

    result = _run("load", str(downloaded), "--dry-run", db=db)

    assert result.stdout.startswith(f"unchanged: {downloaded}"), result.stdout


def test_ten_mistakes_give_ten_messages_on_ten_cells_and_store_nothing(tmp_path, new_store_url, make_return,
                                                                        valid_items):
    path = make_return("ten_mistakes.xlsx", values=TEN_MISTAKES, items={
        "policies": [*valid_items["policies"][:1], {"title": "Regional Plan", "level": "federal"}],
        "arc_projects": [{**valid_items["arc_projects"][0], "satisfied": 25}],
    })
    good = make_return("good.xlsx")
    db = new_store_url("cli")

    result = _run("load", str(path), str(good), db=db)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"rejected: {path} (10 errors)"
    errors = lines[1:11]
    assert len({line.split(": ")[0] for line in errors}) == 10
    assert lines[11].startswith(f"accepted: {good} (")
    with open_store(db).connect() as connection:
        stored = connection.execute(select(schema.submission.c.file_name)).scalars().all()
    assert stored == [good.name]  # the file's own name; the folder it was loaded from is not stored
    print(result.stdout)


def test_missing_file_is_rejected(tmp_path, new_store_url):
    result = _run("load", str(tmp_path / "nowhere.xlsx"), db=new_store_url("cli"))
    assert result.returncode == 1
    assert result.stdout.startswith(f"rejected: {tmp_path / 'nowhere.xlsx'} (cannot read the file")


# A failure of the store is said in one sentence about the store (kpi.store_errors), never as the file's fault,
# never with a traceback or SQL: exit 2 for a database URL that cannot be used, 3 for a store that cannot be used.

def test_load__a_database_url_that_cannot_be_used_is_a_usage_error(make_return):
    result = run_cli("importers", "load", str(make_return()), "--db", "notadialect://x")

    assert result.returncode == 2
    assert_one_sentence(result, 'The database URL "notadialect://x" cannot be used')
    assert result.stdout == ""


def test_load__a_database_that_cannot_be_created_says_so(tmp_path, make_return):
    (tmp_path / "a_file").write_text("not a folder")

    result = run_cli("importers", "load", str(make_return()), "--db", f"sqlite:///{tmp_path}/a_file/accsm.db")

    assert result.returncode == 3
    assert_one_sentence(result, f"The database {tmp_path}/a_file/accsm.db cannot be opened (part of its path is a "
                                "file, not a folder); nothing was stored.")


def test_load__into_a_read_only_database_stores_nothing_and_blames_the_store(tmp_path, make_return):
    path = make_return()
    make_store(tmp_path / "accsm.db")
    before = dump(tmp_path / "accsm.db")

    # SQLite's own read-only mode (root ignores file permissions); the relative path is the working folder's.
    result = run_cli("importers", "load", str(path), "--db", "sqlite:///file:accsm.db?mode=ro&uri=true", cwd=tmp_path)

    assert result.returncode == 3
    assert result.stdout == f"not stored: {path} (a problem with the database, not with the file)\n"
    assert_one_sentence(result, "The database accsm.db is read-only, so nothing was stored. Ask for write access")
    assert dump(tmp_path / "accsm.db") == before


def test_load__into_a_full_database_stores_nothing_and_stops(tmp_path, make_return):
    # A return listing many policies: the database must grow to hold it (a small one fits in its free space).
    policies = [{"title": f"National civil service policy number {n} on competency", "level": "national",
                 "year_started": 2016} for n in range(150)]
    first = make_return("first.xlsx", values={"b2_policies_count": 150}, items={"policies": policies})
    second = make_return("second.xlsx")
    url = make_store(tmp_path / "accsm.db")
    before = dump(tmp_path / "accsm.db")

    result = run_cli("importers", "load", str(first), str(second), "--db", url, hooks=("disk_full",))

    assert result.returncode == 3
    assert result.stdout.splitlines() == [
        f"not stored: {first} (a problem with the database, not with the file)",
        f"not loaded: {second} (stopped after the database failed)"]
    assert_one_sentence(result, f"The disk holding the database {tmp_path}/accsm.db is full, so nothing was stored. "
                                "Free some space on it")
    assert dump(tmp_path / "accsm.db") == before


def test_load__into_a_locked_database_stores_nothing_and_says_wait(tmp_path, make_return):
    path = make_return()
    url = make_store(tmp_path / "accsm.db")
    before = dump(tmp_path / "accsm.db")

    with write_lock_held(tmp_path / "accsm.db"):
        result = run_cli("importers", "load", str(path), "--db", url, hooks=("busy_300ms",))

    assert result.returncode == 3
    assert_one_sentence(result, f"The database {tmp_path}/accsm.db is locked by another program that is writing to "
                                "it; nothing was stored. Wait a minute and try again, or close the other program.")
    assert dump(tmp_path / "accsm.db") == before
    assert _run("load", str(path), db=url).returncode == 0, "once the other program is done, the file loads"


def test_load__interrupted_says_so(tmp_path, make_return):
    result = run_cli("importers", "load", str(make_return()), "--db", make_store(tmp_path / "accsm.db"),
                     hooks=("interrupt",))

    assert result.returncode == 130
    assert result.stderr.strip() == "interrupted; nothing more was stored"
    assert "Traceback" not in result.stdout + result.stderr


def test_template__from_a_database_that_cannot_be_opened_says_so(tmp_path):
    junk = tmp_path / "accsm.db"
    junk.write_bytes(b"this is not a database" * 100)

    result = _run("template", "targets", "-o", str(tmp_path / "targets.xlsx"), db=f"sqlite:///{junk}")

    assert result.returncode == 3
    assert_one_sentence(result, f"The database {junk} cannot be opened (the file is not a database)")
    assert not (tmp_path / "targets.xlsx").exists()


def test_help_names_the_exit_codes():
    result = _run("--help")
    assert "3 the database could not be used" in " ".join(result.stdout.split())
