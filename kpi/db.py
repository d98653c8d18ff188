"""Open the store: make the engine, bring the schema to the newest migration, load reference data."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select, text
from sqlalchemy.engine import make_url

from kpi import schema
from kpi.catalogue import FRAMEWORKS
from kpi.config import DATA_DIR, PROJECT_ROOT, resolve_database_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = PROJECT_ROOT / "migrations" / "versions"

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The key of the PostgreSQL advisory lock that write_transaction holds (any constant bigint; "ACCSM" in ASCII).
STORE_WRITE_LOCK = 0x41_43_43_53_4D
_WRITE_OPTION = "accsm_write_transaction"  # execution option marking a connection opened by write_transaction


def make_engine(url: str | None = None) -> Engine:
    """Return an engine for the URL (see kpi.config); SQLite files and their folder are created on use."""
    url = resolve_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """Open a transaction for a change decided on what it reads; commit at the end, roll back on error.

    No other write transaction runs until it ends, so what it reads (the current return for an AMS and year,
    say) stays true until it commits. SQLite: BEGIN IMMEDIATE takes the database write lock before the first
    read, waiting up to the busy timeout for another writer. PostgreSQL: a transaction-level advisory lock,
    taken first and released at commit or rollback, does the same for every write_transaction.

    engine.connect() and engine.begin() open an ordinary transaction. On SQLite that is a deferred BEGIN: its
    reads see one snapshot and never wait, but a write after another writer has committed fails with
    "database is locked" instead of acting on what it read, so changes decided on reads belong here.
    """
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # The first statement: at the default READ COMMITTED level every later statement then sees
                # what the previous holder committed (REPEATABLE READ would fix the snapshot before the wait).
                connection.execute(select(func.pg_advisory_xact_lock(STORE_WRITE_LOCK)))
            yield connection


def _begin_sqlite_transaction(connection: Connection) -> None:
    # SQLAlchemy's documented pysqlite recipe: the driver emits no BEGIN of its own (isolation_level None, set on
    # connect), so every transaction starts here, reads included: deferred, or IMMEDIATE for write_transaction.
    immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own lazy BEGIN is off (see _begin_sqlite_transaction), so these pragmas run outside any
    # transaction, as journal_mode must.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def alembic_config() -> "Config":
    """Return the Alembic configuration of this project, wherever the command runs from."""
    from alembic.config import Config  # Alembic is needed only to migrate, so most commands never import it
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (never drops data)."""
    from alembic import command
    config = alembic_config()
    # One transaction (SQLite DDL included), one migrating process at a time.
    with write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_store(url: str | None = None) -> Engine:
    """Return an engine on an up-to-date database holding the reference data and indicator catalogue.

    A database already at the newest migration with all its reference data is only read: no write lock is
    taken, so a report on a database another program is writing to does not wait for it.
    """
    engine = make_engine(url)
    with engine.connect() as connection:
        up_to_date = read_schema_revision(connection) == head_revision()
        complete = up_to_date and not _missing_reference_rows(connection)
    if not up_to_date:
        upgrade_schema(engine)
    if not complete:
        with write_transaction(engine) as connection:
            seed_reference_data(connection)
    return engine


@cache
def head_revision(versions_dir: Path = MIGRATIONS_DIR) -> str:
    """Return the newest migration's revision id, read from the migration files (the one no other follows)."""
    revisions, followed = set(), set()
    for path in versions_dir.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.MULTILINE)
        down = re.search(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.MULTILINE)
        if revision:
            revisions.add(revision[1])
        if down:
            followed.add(down[1])
    heads = revisions - followed
    if len(heads) != 1:
        raise RuntimeError(f"the migrations in {versions_dir} have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def read_schema_revision(connection: Connection) -> str | None:
    """Return the database's migration revision, or None for a database without the schema."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def seed_reference_data(connection, data_dir: Path = DATA_DIR) -> None:
    """Insert the member states, ARC themes, plan periods, indicators and work plan rows that are missing."""
    for table, rows in _missing_reference_rows(connection, data_dir):
        connection.execute(insert(table), rows)


def _missing_reference_rows(connection, data_dir: Path = DATA_DIR) -> list[tuple[object, list[dict]]]:
    """Return (table, rows) for the reference rows the database does not hold yet."""
    missing = []

    def add_missing(table, key_columns: tuple[str, ...], rows: list[dict]) -> None:
        rows = _rows_not_in(connection, table, key_columns, rows)
        if rows:
            missing.append((table, rows))

    add_missing(schema.member_state, ("iso3",), [
        {**row, "accsm_since": int(row["accsm_since"]) if row["accsm_since"] else None}
        for row in _read_csv(data_dir / "member_states.csv")
    ])
    add_missing(schema.arc_theme, ("iso3", "as_of", "source"), _read_csv(data_dir / "arcs.csv"))
    for framework in FRAMEWORKS.values():
        add_missing(schema.plan_period, ("code",), [{
            "code": framework.code, "title": framework.title,
            "start_year": framework.start_year, "end_year": framework.end_year,
            "baseline_year": framework.baseline_year, "target_year": framework.target_year,
        }])
        add_missing(schema.indicator, ("plan_code", "code"), [{
            "plan_code": framework.code, "code": i.code, "area": i.area, "wording": i.wording,
            "unit": i.unit, "kind": i.kind, "inputs": ",".join(i.inputs),
            "aggregation": i.aggregation, "definition": i.definition,
        } for i in framework.indicators])
    add_missing(schema.workplan_programme, ("plan_code", "no"), [
        {**{k: (v or None) for k, v in row.items()}, "no": int(row["no"]), "plan_code": "2016-2020"}
        for row in _read_csv(data_dir / "workplan_2016_2020.csv")
    ])
    return missing


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rows_not_in(connection, table, key_columns: tuple[str, ...], rows: list[dict]) -> list[dict]:
    if not rows:
        return []
    existing = {tuple(r) for r in connection.execute(select(*[table.c[k] for k in key_columns]))}
    return [r for r in rows if tuple(r[k] for k in key_columns) not in existing]


def count_rows(connection, table) -> int:
    """Return the number of rows in a table."""
    return connection.execute(select(func.count()).select_from(table)).scalar_one()
