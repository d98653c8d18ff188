"""One current return per (kind, AMS, year), on SQLite and PostgreSQL: concurrent uploads and the unique index.

Two processes are released together many times, each loading a different valid return for the same AMS and
year through the real load path: both are stored, one after the other (the write lock is taken before the
current return is read), the later superseding the earlier. The partial unique index refuses a second current
row however it is written.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from importers.load import load_file
from importers.templates import fill_return, write_return_template
from kpi import schema, store
from kpi.db import STORE_WRITE_LOCK, open_store, write_transaction
from tests.known_users import add_test_users
from kpi.store import utc_now
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES

RACE_AMS = ("BRN", "KHM", "LAO", "VNM")
YEAR = 2018
ROUNDS = 20  # the first four on an AMS with no return yet, the others superseding the one stored before
WORKERS = 2
TIMEOUT_S = 120


def race_key(round_no: int) -> str:
    return RACE_AMS[round_no % len(RACE_AMS)]


@pytest.fixture(scope="module")
def race_files(tmp_path_factory) -> list[list[Path]]:
    """For each round, one valid return per worker for the round's AMS and YEAR, all different."""
    folder = tmp_path_factory.mktemp("race")
    templates = {c: write_return_template(folder / f"template_{c}.xlsx", c, YEAR) for c in RACE_AMS}
    return [[fill_return(templates[race_key(r)], folder / f"r{r:02d}_w{w}.xlsx",
                         {**VALID_VALUES, "a11_agencies_competency": 100 + 200 * w + r}, VALID_ITEMS)
             for w in range(WORKERS)] for r in range(ROUNDS)]


@pytest.fixture
def store_url(empty_database_url):
    """A migrated, seeded store on each engine (its URL; the engine is disposed before the tests start)."""
    engine = open_store(empty_database_url)
    add_test_users(engine, [f"worker {n}" for n in range(WORKERS)])  # each worker acts as a secretariat user
    engine.dispose()
    return empty_database_url


def _race_worker(url: str, worker: int, files: list[list[str]], barrier, results) -> None:
    """In a spawned process: open the store, then for each round wait for the others and load this round's file."""
    try:
        engine = open_store(url)
        for round_no, paths in enumerate(files):
            barrier.wait(TIMEOUT_S)
            path = Path(paths[worker])
            started = time.monotonic()
            report = load_file(engine, path.read_bytes(), path.name, f"worker {worker}")
            results.put({"round": round_no, "worker": worker, "accepted": report.accepted,
                         "submission_id": report.submission_id, "duplicate_of": report.duplicate_of,
                         "errors": [str(m) for m in report.errors], "started": started,
                         "ended": time.monotonic()})
        engine.dispose()
    except BaseException:  # noqa: BLE001 - the test process reports it
        results.put({"worker": worker, "crash": traceback.format_exc()})
        barrier.abort()


def _submissions(engine, country: str) -> dict[int, object]:
    s = schema.submission.c
    with engine.connect() as connection:
        rows = connection.execute(select(schema.submission).where(s.kind == "return", s.country == country,
                                                                  s.year == YEAR)).all()
    return {r.id: r for r in rows}


def _value_counts(engine) -> dict[int, int]:
    v = schema.return_value.c
    with engine.connect() as connection:
        return dict(connection.execute(select(v.submission_id, func.count()).group_by(v.submission_id)).all())


@pytest.mark.slow
def test_concurrent_uploads_of_the_same_ams_and_year_leave_one_current(store_url, race_files):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS + 1)
    results = context.Queue()
    files = [[str(p) for p in paths] for paths in race_files]
    workers = [context.Process(target=_race_worker, args=(store_url, w, files, barrier, results), daemon=True)
               for w in range(WORKERS)]
    for process in workers:
        process.start()
    engine = open_store(store_url)
    previous_current: dict[str, int] = {}
    overlapping = 0
    try:
        for round_no in range(ROUNDS):
            barrier.wait(TIMEOUT_S)  # releases both workers at once
            reports = sorted((results.get(timeout=TIMEOUT_S) for _ in range(WORKERS)),
                             key=lambda r: r.get("worker", -1))
            crashed = [r["crash"] for r in reports if "crash" in r]
            assert not crashed, crashed[0]
            assert [r["round"] for r in reports] == [round_no] * WORKERS
            for report in reports:
                assert report["accepted"] and not report["errors"], report
                assert report["duplicate_of"] is None and report["submission_id"] is not None, report
            first, second = sorted(r["submission_id"] for r in reports)
            overlapping += max(r["started"] for r in reports) < min(r["ended"] for r in reports)

            country = race_key(round_no)
            submissions = _submissions(engine, country)
            current = [i for i, r in submissions.items() if r.status == "current"]
            assert current == [second], f"round {round_no}: current {current}, loaded {first} and {second}"
            assert submissions[second].supersedes_id == first
            assert submissions[first].status == "superseded"
            assert submissions[first].supersedes_id == previous_current.get(country)
            assert len(submissions) == 2 * (1 + round_no // len(RACE_AMS))  # the whole history is kept
            counts = _value_counts(engine)
            assert counts[first] == counts[second] > 0  # both stored in full
            previous_current[country] = second

            with engine.connect() as connection:
                values = store.read_current_values(connection)
            assert not values.duplicated(["country", "year", "field_code"]).any()  # the KPIs count it once
            assert set(values["country"]) == set(previous_current)
    finally:
        barrier.abort()  # a worker still waiting for a round (after a failure) stops at once
        for process in workers:
            process.join(timeout=TIMEOUT_S)
            if process.is_alive():
                process.terminate()
        engine.dispose()
    assert [p.exitcode for p in workers] == [0] * WORKERS
    # The processes really raced: in most rounds the second load started before the first had finished.
    assert overlapping >= ROUNDS // 2, f"only {overlapping} of {ROUNDS} rounds overlapped"


# --- a store on each engine, and submission rows written directly ------------------------------

def _row(**overrides) -> dict:
    return {"kind": "return", "file_name": "f.xlsx", "sha256": "0" * 64, "content_digest": "0" * 64,
            "template_version": "1", "country": "BRN", "year": YEAR, "subject": None, "submitted_by": "tester",
            "submitted_at": utc_now(), "status": "current", "supersedes_id": None, "is_demo": False,
            "warnings": "[]", **overrides}


@pytest.fixture
def store_engine(store_url):
    engine = open_store(store_url)
    yield engine
    engine.dispose()


# --- the lock ---------------------------------------------------------------------------------

def _another_writer_can_start(engine) -> bool:
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("SELECT count(*) FROM submission").fetchone()  # readers never wait
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        finally:
            other.close()
    with engine.connect() as other:  # another pooled connection; a lock it gets ends with its transaction
        return other.execute(select(func.pg_try_advisory_xact_lock(STORE_WRITE_LOCK))).scalar_one()


def test_write_transaction_locks_out_other_writers_from_its_start(store_engine):
    assert _another_writer_can_start(store_engine)
    with write_transaction(store_engine) as connection:
        assert not _another_writer_can_start(store_engine)  # before its first statement
        connection.execute(select(func.count()).select_from(schema.submission))
        assert not _another_writer_can_start(store_engine)
    assert _another_writer_can_start(store_engine)


def test_write_transaction_rolls_back_everything_on_error(store_engine):
    with pytest.raises(RuntimeError):
        with write_transaction(store_engine) as connection:
            connection.execute(insert(schema.submission), [_row()])
            raise RuntimeError("stop")
    with store_engine.connect() as connection:
        assert store.count_submissions(connection) == 0
    assert _another_writer_can_start(store_engine)


# --- the index --------------------------------------------------------------------------------

def test_index_refuses_a_second_current_return(store_engine):
    with write_transaction(store_engine) as connection:
        connection.execute(insert(schema.submission), [_row()])

    with pytest.raises(IntegrityError):
        with write_transaction(store_engine) as connection:
            connection.execute(insert(schema.submission), [_row(file_name="g.xlsx")])

    assert [r.file_name for r in _submissions(store_engine, "BRN").values()] == ["f.xlsx"]


def test_index_refuses_making_a_superseded_return_current_again_beside_the_current_one(store_engine):
    with write_transaction(store_engine) as connection:
        connection.execute(insert(schema.submission), [_row(status="superseded"), _row(file_name="g.xlsx")])

    with pytest.raises(IntegrityError):
        with write_transaction(store_engine) as connection:
            connection.execute(update(schema.submission).values(status="current"))

    assert sorted(r.status for r in _submissions(store_engine, "BRN").values()) == ["current", "superseded"]


@pytest.mark.parametrize(("first", "second"), [
    ({}, {"country": "KHM"}),  # another AMS
    ({}, {"year": YEAR + 1}),  # another year
    ({}, {"kind": "evaluations", "subject": "Leadership Workshop"}),  # another kind
    ({"kind": "evaluations", "subject": "Leadership Workshop"},
     {"kind": "evaluations", "subject": "Policy Clinic"}),  # another project's evaluations
    ({}, {"status": "superseded"}),  # history
    ({"kind": "targets", "country": None, "year": None}, {"kind": "targets", "country": None, "year": None}),
    ({"kind": "workplan", "country": None, "year": None}, {"kind": "workplan", "country": None, "year": None}),
], ids=["country", "year", "kind", "subject", "superseded", "targets", "workplan"])
def test_index_allows_what_is_not_a_second_current_for_the_key(store_engine, first, second):
    with write_transaction(store_engine) as connection:
        connection.execute(insert(schema.submission), [_row(**first), _row(file_name="g.xlsx", **second)])
    with store_engine.connect() as connection:
        assert store.count_submissions(connection) == 2


@pytest.mark.parametrize("null_part", ["country", "year"])
def test_index_treats_a_missing_country_or_year_as_one_value(store_engine, null_part):
    # NULLs are distinct in a unique index: the index compares COALESCE(...) so two NULL keys still collide.
    with write_transaction(store_engine) as connection:
        connection.execute(insert(schema.submission), [_row(kind="evaluations", subject="P", **{null_part: None})])
    with pytest.raises(IntegrityError):
        with write_transaction(store_engine) as connection:
            connection.execute(insert(schema.submission),
                               [_row(kind="evaluations", subject="P", file_name="g.xlsx", **{null_part: None})])
