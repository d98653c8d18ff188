"""Alembic migrations on SQLite: step by step from 0001, no row lost, append-only audit log, schema = metadata."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from kpi import schema
from kpi.db import alembic_config, make_engine, seed_reference_data, upgrade_schema
from kpi.store import append_audit, set_target

TABLES = {"member_state", "arc_theme", "plan_period", "indicator", "workplan_programme", "submission",
          "return_value", "policy", "arc_project", "reform_measure", "evaluation_response", "target_entry",
          "audit_log"}
REVISIONS = ["0001", "0002"]


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


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables}


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

    upgrade_schema(bare_engine, "head")  # idempotent at head
    assert current_revision(bare_engine) == "0002"


def test_migrations__rows_at_0001_survive_upgrade_to_head(bare_engine, add_return):
    upgrade_schema(bare_engine, "0001")
    with bare_engine.begin() as connection:
        seed_reference_data(connection)
        add_return(connection, "BRN", 2014, {"agencies_total": 40, "a11_agencies_competency": 20},
                   {"policies": [{"title": "P", "level": "national", "year_started": 2014}],
                    "arc_projects": [{"title": "A", "participants": 10, "evaluations": 5, "satisfied": 4}],
                    "reform_measures": [{"title": "M", "aim": "efficiency", "year_started": 2014}]})
        set_target(connection, "2016-2020", "A.1.1", "BRN", 50.0, 90.0, "entered", "tester")
        append_audit(connection, "tester", "note", "test", "k")
    before = row_counts(bare_engine)
    assert all(before[t] > 0 for t in ("member_state", "submission", "return_value", "policy", "arc_project",
                                       "reform_measure", "target_entry", "audit_log", "indicator"))
    with bare_engine.connect() as connection:
        target_before = connection.execute(select(schema.target_entry)).all()

    upgrade_schema(bare_engine, "head")

    assert current_revision(bare_engine) == "0002"
    assert row_counts(bare_engine) == before
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


def test_schema_at_head_matches_metadata(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []


@pytest.mark.parametrize(("pragma", "expected"), [
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 10_000),
    ("synchronous", 2),  # FULL
])
def test_sqlite_connection_pragmas(engine, pragma, expected):
    with engine.connect() as connection:
        value = connection.execute(text(f"PRAGMA {pragma}")).scalar()
    assert (value.lower() if isinstance(value, str) else value) == expected


def test_sqlite_busy_timeout_is_positive(engine):
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() > 0


def test_sqlite_foreign_keys_enforced(engine):
    with pytest.raises(DBAPIError):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO arc_theme (iso3, theme, as_of, source) "
                                    "VALUES ('XXX', 'Theme', '2016', 'test')"))
