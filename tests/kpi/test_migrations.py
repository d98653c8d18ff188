"""Alembic migrations: step by step from 0001, no row lost, append-only audit log, duplicate current returns
repaired (SQLite and PostgreSQL), schema = metadata."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, insert, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.schema import CreateIndex

from kpi import schema
from kpi.db import alembic_config, make_engine, seed_reference_data, upgrade_schema
from kpi.store import append_audit, set_target, utc_now

TABLES = {"member_state", "arc_theme", "plan_period", "indicator", "workplan_programme", "submission",
          "return_value", "policy", "arc_project", "reform_measure", "evaluation_response", "target_entry",
          "audit_log"}
REVISIONS = ["0001", "0002", "0003", "0004", "0005", "0006", "0007"]
CURRENT_INDEX = "uq_submission_current_key"


@pytest.fixture
def bare_engine(tmp_path):
    """An engine on an empty SQLite file (no migration applied yet)."""
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    yield engine
    engine.dispose()


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def triggers(engine) -> set[str]:
    with engine.connect() as connection:
        return {r[0] for r in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}


def sqlite_index_sql(engine, name: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"),
                                  {"name": name}).scalar()


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables if t.name in present}


def test_migrations__revisions_in_order_and_head():
    scripts = ScriptDirectory.from_config(alembic_config())
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == REVISIONS
    assert scripts.get_current_head() == REVISIONS[-1]


def test_migrations__empty_database_step_by_step(bare_engine):
    assert current_revision(bare_engine) is None
    assert inspect(bare_engine).get_table_names() == []

    upgrade_schema(bare_engine, "0001")
    assert current_revision(bare_engine) == "0001"
    assert set(inspect(bare_engine).get_table_names()) == TABLES | {"alembic_version"}
    assert triggers(bare_engine) == set()

    upgrade_schema(bare_engine, "0002")
    assert current_revision(bare_engine) == "0002"
    assert set(inspect(bare_engine).get_table_names()) == TABLES | {"alembic_version"}
    assert triggers(bare_engine) == {"audit_log_no_update", "audit_log_no_delete"}
    assert sqlite_index_sql(bare_engine, CURRENT_INDEX) is None

    upgrade_schema(bare_engine, "0003")
    assert current_revision(bare_engine) == "0003"
    assert sqlite_index_sql(bare_engine, CURRENT_INDEX) is not None
    assert "som_edition" not in inspect(bare_engine).get_table_names()

    upgrade_schema(bare_engine, "0004")
    assert current_revision(bare_engine) == "0004"
    assert "som_edition" in inspect(bare_engine).get_table_names()
    assert {"status_set_at", "status_set_by"} <= {c["name"] for c in inspect(bare_engine).get_columns(
        "workplan_programme")}
    assert "app_user" not in inspect(bare_engine).get_table_names()

    upgrade_schema(bare_engine, "0005")
    assert current_revision(bare_engine) == "0005"
    assert "app_user" in inspect(bare_engine).get_table_names()

    upgrade_schema(bare_engine, "head")  # idempotent at head
    assert current_revision(bare_engine) == REVISIONS[-1]


def test_migrations__rows_at_0001_survive_upgrade_to_head(bare_engine, add_return):
    upgrade_schema(bare_engine, "0001")
    with bare_engine.begin() as connection:
        seed_reference_data(connection)
        add_return(connection, "BRN", 2014, {"agencies_total": 40, "a11_agencies_competency": 20},
                   {"policies": [{"title": "P", "level": "national", "year_started": 2014}],
                    "arc_projects": [{"title": "A", "participants": 10, "evaluations": 5, "satisfied": 4}],
                    "reform_measures": [{"title": "M", "aim": "efficiency", "year_started": 2014}]})
        # As the store of revision 0001 set it (set_target now asks kpi.access, whose table comes in 0005).
        connection.execute(insert(schema.target_entry).values(
            plan_code="2016-2020", indicator_code="A.1.1", scope="BRN", baseline=50.0, target=90.0, note="entered",
            set_by="tester", set_at=utc_now(), is_demo=False))
        append_audit(connection, "tester", "note", "test", "k")
    before = row_counts(bare_engine)
    assert all(before[t] > 0 for t in ("member_state", "submission", "return_value", "policy", "arc_project",
                                       "reform_measure", "target_entry", "audit_log", "indicator"))
    with bare_engine.connect() as connection:
        target_before = connection.execute(select(schema.target_entry)).all()

    upgrade_schema(bare_engine, "head")

    assert current_revision(bare_engine) == REVISIONS[-1]
    after = row_counts(bare_engine)
    assert {name: count for name, count in after.items() if name in before} == before
    assert after["som_edition"] == 0
    with bare_engine.connect() as connection:
        assert connection.execute(select(schema.target_entry)).all() == target_before


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET user_name = 'someone else'",
    "DELETE FROM audit_log",
])
def test_audit_log__append_only(engine, statement):
    with engine.begin() as connection:
        append_audit(connection, "tester", "note", "test", "k")
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT user_name FROM audit_log ORDER BY id DESC")).first()[0] == "tester"


def test_audit_log__inserts_still_allowed(engine):
    with engine.begin() as connection:
        before = connection.execute(select(func.count()).select_from(schema.audit_log)).scalar_one()
        append_audit(connection, "tester", "note", "test", "k")
        assert connection.execute(select(func.count()).select_from(schema.audit_log)).scalar_one() == before + 1


def test_audit_log__writes_through_the_store_are_logged(engine):
    with engine.begin() as connection:
        set_target(connection, "2016-2020", "E.3", "BRN", None, 80.0, None, "alice")
        log = connection.execute(select(schema.audit_log).where(schema.audit_log.c.entity == "target")).all()
    assert [(r.user_name, r.action, r.entity_key) for r in log] == [("alice", "set", "2016-2020/E.3/BRN")]


# SQLite cannot reflect the expression-based index, so Alembic skips it here (the next test checks it).
@pytest.mark.filterwarnings(f"ignore:autogenerate skipping metadata-specified expression-based index '{CURRENT_INDEX}'")
def test_schema_at_head_matches_metadata(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []


def test_schema_at_head__current_index_on_sqlite_is_the_one_in_metadata(sqlite_engine):
    index = next(i for i in schema.submission.indexes if i.name == CURRENT_INDEX)
    expected = str(CreateIndex(index).compile(dialect=sqlite_engine.dialect))
    assert " ".join(sqlite_index_sql(sqlite_engine, CURRENT_INDEX).split()) == " ".join(expected.split())


def test_schema_at_head_matches_metadata__postgresql(postgres_url):
    # PostgreSQL reflects expression-based and partial indexes, so this compares the index too.
    from tests.postgres import fresh_database
    with fresh_database(postgres_url) as url:
        engine = make_engine(url)
        try:
            upgrade_schema(engine)
            with engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
                indexes = {i["name"] for i in inspect(connection).get_indexes("submission")}
        finally:
            engine.dispose()
    assert differences == []
    assert CURRENT_INDEX in indexes


@pytest.mark.parametrize(("pragma", "expected"), [
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 10_000),
    ("synchronous", 2),  # FULL
])
def test_sqlite_connection_pragmas(sqlite_engine, pragma, expected):
    with sqlite_engine.connect() as connection:
        value = connection.execute(text(f"PRAGMA {pragma}")).scalar()
    assert (value.lower() if isinstance(value, str) else value) == expected


def test_sqlite_busy_timeout_is_positive(sqlite_engine):
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() > 0


def test_sqlite_foreign_keys_enforced(engine):
    with pytest.raises(DBAPIError):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO arc_theme (iso3, theme, as_of, source) "
                                    "VALUES ('XXX', 'Theme', '2016', 'test')"))


# --- 0003: one current submission per key -------------------------------------------------------

def _submission(**values) -> dict:
    return {"kind": "return", "file_name": "f.xlsx", "sha256": "0" * 64, "content_digest": "0" * 64,
            "template_version": "1", "country": "BRN", "year": 2018, "subject": None, "submitted_by": "tester",
            "submitted_at": utc_now(), "status": "current", "supersedes_id": None, "is_demo": False,
            "warnings": "[]", **values}


def test_migration_0003__duplicate_current_returns_are_repaired_not_lost(empty_database_url, add_return):
    engine = make_engine(empty_database_url)
    try:
        _check_repair(engine, add_return)
    finally:
        engine.dispose()


def _check_repair(engine, add_return):
    upgrade_schema(engine, "0002")
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
    s = schema.submission.c
    with engine.begin() as connection:
        seed_reference_data(connection)
        # BRN 2018: one return, then two loaded at the same moment, each superseding the first (the bug).
        first = add_return(connection, "BRN", 2018, {"agencies_total": 40})
        racer_a = add_return(connection, "BRN", 2018, {"agencies_total": 41})
        racer_b = add_return(connection, "BRN", 2018, {"agencies_total": 42})
        connection.execute(update(schema.submission).where(s.id == racer_a).values(status="current"))
        connection.execute(update(schema.submission).where(s.id == racer_b).values(supersedes_id=first))
        # KHM 2018: two current, the lower id loaded later (another process's clock): submitted_at decides.
        khm_late = connection.execute(insert(schema.submission).values(
            _submission(country="KHM", submitted_at=at + dt.timedelta(seconds=1)))).inserted_primary_key[0]
        khm_early = connection.execute(insert(schema.submission).values(
            _submission(country="KHM", submitted_at=at))).inserted_primary_key[0]
        # LAO 2018, evaluations of one project: the same instant, so the higher id decides.
        lao = [connection.execute(insert(schema.submission).values(_submission(
            kind="evaluations", country="LAO", subject="Leadership Workshop", submitted_at=at))).inserted_primary_key[0]
            for _ in range(3)]
        # Targets files are each current by design, and an untouched single current return stays as it is.
        targets = [connection.execute(insert(schema.submission).values(_submission(
            kind="targets", country=None, year=None))).inserted_primary_key[0] for _ in range(2)]
        single = add_return(connection, "VNM", 2018, {"agencies_total": 50})
    before = row_counts(engine)
    with engine.connect() as connection:
        values_before = connection.execute(select(schema.return_value).order_by(schema.return_value.c.id)).all()

    upgrade_schema(engine, "head")

    with engine.connect() as connection:
        rows = {r.id: r for r in connection.execute(select(schema.submission))}
        values_after = connection.execute(select(schema.return_value).order_by(schema.return_value.c.id)).all()
        repairs = connection.execute(select(schema.audit_log).where(schema.audit_log.c.action == "repair")
                                     .order_by(schema.audit_log.c.id)).all()
    after = {name: count for name, count in row_counts(engine).items() if name in before}
    assert after == {**before, "audit_log": before["audit_log"] + 3}  # no row lost
    assert values_after == values_before
    status = {i: r.status for i, r in rows.items()}
    supersedes = {i: r.supersedes_id for i, r in rows.items()}
    # BRN: the newest stays current; the history is one chain, as loading them one after the other leaves it.
    assert (status[first], status[racer_a], status[racer_b]) == ("superseded", "superseded", "current")
    assert (supersedes[first], supersedes[racer_a], supersedes[racer_b]) == (None, first, racer_a)
    assert (status[khm_late], status[khm_early]) == ("current", "superseded")
    assert supersedes[khm_late] == khm_early
    assert [status[i] for i in lao] == ["superseded", "superseded", "current"]
    assert [supersedes[i] for i in lao] == [None, lao[0], lao[1]]
    assert [status[i] for i in targets] == ["current", "current"] and status[single] == "current"
    assert [(r.user_name, r.entity, int(r.entity_key), json.loads(r.detail)["superseded"]) for r in repairs] == [
        ("migration 0003", "evaluations", lao[2], lao[:2]),
        ("migration 0003", "return", racer_b, [racer_a]),
        ("migration 0003", "return", khm_late, [khm_early]),
    ]
    with pytest.raises(IntegrityError):  # and from now on the database refuses a second current return
        with engine.begin() as connection:
            connection.execute(insert(schema.submission).values(_submission()))


def test_head_revision__read_from_the_files_matches_alembic():
    from alembic.script import ScriptDirectory
    from kpi.db import head_revision
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_open_store__an_up_to_date_store_is_only_read_so_a_writer_does_not_block_it(tmp_path):
    import sqlite3
    from kpi.db import open_store
    url = f"sqlite:///{tmp_path}/store.db"
    open_store(url).dispose()  # migrated and seeded
    writer = sqlite3.connect(tmp_path / "store.db", isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        engine = open_store(url)  # would wait for the busy timeout, then fail, if it took the write lock
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(schema.member_state)).scalar() >= 10
        engine.dispose()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
