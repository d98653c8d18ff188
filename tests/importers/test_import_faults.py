"""Faults during an import, on SQLite and PostgreSQL, with the real command line in real processes.

Two processes loading different returns at once both succeed: the second starts its write while the first is
inside its transaction, waits for it and stores its own. A process killed (SIGKILL, nothing of Python runs)
while it writes a return's values, or just before it commits, leaves the store exactly as it was; one killed
right after its load has returned leaves the file stored in full. Either way the store opens, checks intact and
takes the same file again. The tests stop a process where they mean to by hooks in that process (HOOKS), which
write a marker file there and wait; the test waits for the marker, not for a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from importers.templates import fill_return, write_return_template
from kpi import schema
from kpi.db import open_store
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES
from tests.known_users import add_test_users

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2018
STEP_TIMEOUT_S = 180  # a cold start of the CLI on a loaded 2-core machine takes seconds, not minutes

# argv: point, marker file, release file (may be "-"), then the module and its arguments.
HOOKS = r"""
import os, runpy, sys, time
from pathlib import Path
point, marker, release = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

def stop_here():
    marker.write_text(str(os.getpid()))
    while release == "-" or not Path(release).exists():  # until killed, or released by the test
        time.sleep(0.02)

from sqlalchemy import event
from sqlalchemy.engine import Engine
seen = {"values": False, "writing": False}

@event.listens_for(Engine, "before_cursor_execute")
def _statement(conn, cursor, statement, parameters, context, executemany):
    sql = statement.lstrip().upper()
    if point == "writing_values" and sql.startswith("INSERT INTO RETURN_VALUE"):
        stop_here()
    if sql.startswith("INSERT INTO RETURN_VALUE"):
        seen["values"] = True
    if point == "starting_write" and not seen["writing"] and (
            sql.startswith("BEGIN IMMEDIATE") or "PG_ADVISORY_XACT_LOCK" in sql):
        seen["writing"] = True
        marker.write_text(str(os.getpid()))  # and go on: the write lock is asked for next

@event.listens_for(Engine, "commit")
def _commit(conn):  # before the database is asked to commit
    if point == "committing" and seen["values"]:
        stop_here()

if point == "loaded":
    import importers.load
    load_file = importers.load.load_file
    def _load_then_stop(*args, **kwargs):
        report = load_file(*args, **kwargs)
        stop_here()
        return report
    importers.load.load_file = _load_then_stop

module = sys.argv[4]
sys.argv = [module, *sys.argv[5:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


@pytest.fixture
def store_url(empty_database_url):
    engine = open_store(empty_database_url)
    add_test_users(engine)
    engine.dispose()
    return empty_database_url


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> dict[str, Path]:
    """A valid 2018 return of BRN and of KHM."""
    folder = tmp_path_factory.mktemp("faults")
    return {country: fill_return(write_return_template(folder / f"template_{country}.xlsx", country, YEAR),
                                 folder / f"{country}_{YEAR}.xlsx", VALID_VALUES, VALID_ITEMS)
            for country in ("BRN", "KHM")}


def _start_load(path: Path, url: str, point: str, marker: Path, release: Path | None = None) -> subprocess.Popen:
    command = [sys.executable, "-c", HOOKS, point, str(marker), str(release) if release else "-",
               "importers", "load", str(path), "--db", url, "--user", "tester"]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(marker: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the load ended ({process.returncode}) before reaching its stop:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the load did not reach its stop within {STEP_TIMEOUT_S} s")
        time.sleep(0.02)  # polling for the marker, a state, not a guess at a duration


def _finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=STEP_TIMEOUT_S)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _snapshot(url: str) -> str:
    """A digest of every row of every table, and the database's own integrity check on SQLite."""
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            rows = {t.name: sorted(repr(tuple(r)) for r in connection.execute(select(t)))
                    for t in schema.metadata.sorted_tables}
    finally:
        engine.dispose()
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _current_returns(url: str) -> dict[str, int]:
    """{AMS: how many values its current 2018 return holds}."""
    engine = open_store(url)
    s, v = schema.submission.c, schema.return_value.c
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(s.country, func.count(v.id)).join(schema.return_value, v.submission_id == s.id)
                .where(s.kind == "return", s.status == "current", s.year == YEAR).group_by(s.country)).all()
    finally:
        engine.dispose()
    return dict(rows)


def _expected_value_count(path: Path, tmp_path: Path) -> int:
    """How many values the same file gives when loaded in a store of its own, undisturbed."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    engine = open_store(url)
    add_test_users(engine)
    engine.dispose()
    result = subprocess.run([sys.executable, "-m", "importers", "load", str(path), "--db", url, "--user", "tester"],
                            cwd=ROOT, capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    assert result.returncode == 0, result.stdout + result.stderr
    return _current_returns(url)["BRN"]


@pytest.mark.slow
def test_two_processes_loading_different_returns_at_once_both_succeed(store_url, returns, tmp_path):
    first_inside, second_writing, release = tmp_path / "first", tmp_path / "second", tmp_path / "release"
    first = _start_load(returns["BRN"], store_url, "writing_values", first_inside, release)
    _wait_for(first_inside, first)  # BRN's load holds the write lock, inside its transaction
    second = _start_load(returns["KHM"], store_url, "starting_write", second_writing)
    try:
        _wait_for(second_writing, second)  # KHM's load asks for the write lock while BRN's holds it
        release.write_text("go")
        results = [_finish(first), _finish(second)]
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "stored" in result.stdout, result.stdout
    counts = _current_returns(store_url)
    assert set(counts) == {"BRN", "KHM"} and counts["BRN"] == counts["KHM"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("point", ["writing_values", "committing"])
def test_a_load_killed_before_it_commits_leaves_the_store_as_it_was(store_url, returns, tmp_path, point):
    before = _snapshot(store_url)
    marker = tmp_path / "inside"
    process = _start_load(returns["BRN"], store_url, point, marker)
    _wait_for(marker, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=STEP_TIMEOUT_S)
    assert process.returncode == -signal.SIGKILL

    assert _snapshot(store_url) == before  # nothing of the file, not even its submission row or audit line
    again = subprocess.run([sys.executable, "-m", "importers", "load", str(returns["BRN"]), "--db", store_url,
                            "--user", "tester"], cwd=ROOT, capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    assert again.returncode == 0 and "stored" in again.stdout, again.stdout + again.stderr
    assert _current_returns(store_url) == {"BRN": _expected_value_count(returns["BRN"], tmp_path)}


@pytest.mark.slow
def test_a_load_killed_right_after_it_returned_leaves_the_file_stored_in_full(store_url, returns, tmp_path):
    marker = tmp_path / "loaded"
    process = _start_load(returns["BRN"], store_url, "loaded", marker)
    _wait_for(marker, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=STEP_TIMEOUT_S)

    _snapshot(store_url)  # opens and checks intact
    assert _current_returns(store_url) == {"BRN": _expected_value_count(returns["BRN"], tmp_path)}
    again = subprocess.run([sys.executable, "-m", "importers", "load", str(returns["BRN"]), "--db", store_url,
                            "--user", "tester"], cwd=ROOT, capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    assert again.returncode == 0 and "unchanged" in again.stdout, again.stdout + again.stderr
