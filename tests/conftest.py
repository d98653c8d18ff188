"""Shared test settings and fixtures: a fresh store per test, on SQLite or PostgreSQL (--database); no test may
touch the developer's data/accsm.db."""

import contextlib
import os
import shutil

import pytest
from sqlalchemy.engine import make_url

from kpi.db import open_store
from tests.known_users import add_test_users


@pytest.fixture(autouse=True, scope="session")
def _isolated_default_database(tmp_path_factory):
    # A test that forgets --db or its own URL lands in a throwaway database, not data/accsm.db.
    patch = pytest.MonkeyPatch()
    patch.setenv("ACCSM_DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('default-db') / 'accsm.db'}")
    patch.setenv("ACCSM_USER", "local")  # the seeded secretariat of a fresh install (migration 0005)
    yield
    patch.undo()


DATABASES = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--database", choices=DATABASES, default=os.environ.get("ACCSM_TEST_DATABASE", "sqlite"),
        help="where the tests' stores live: a SQLite file per test, or a database of its own per test on a "
             "PostgreSQL server the run starts itself (default: $ACCSM_TEST_DATABASE, else sqlite)")


def pytest_report_header(config):
    return f"stores on: {config.getoption('--database')}"


@pytest.fixture(scope="session")
def database_kind(request) -> str:
    """"sqlite" or "postgresql": where this run's test stores live (--database)."""
    return request.config.getoption("--database")


@contextlib.contextmanager
def _store_urls(request, folder_factory):
    # Yields a function returning the URL of a new, empty database on this run's engine; PostgreSQL databases
    # are dropped when the context ends.
    if request.config.getoption("--database") == "postgresql":
        # Started before the first database is made, so that the server outlives every database made on it.
        request.getfixturevalue("postgres_url")
    with contextlib.ExitStack() as databases:
        def new(name: str = "store") -> str:
            if request.config.getoption("--database") == "sqlite":
                return f"sqlite:///{folder_factory() / f'{name}.db'}"
            from tests.postgres import fresh_database
            return databases.enter_context(fresh_database(request.getfixturevalue("postgres_url")))
        yield new


@pytest.fixture
def new_store_url(request, tmp_path):
    """A function giving the URL of a new, empty database on this run's engine (a file in tmp_path, or a database
    of its own on the run's PostgreSQL server), dropped after the test."""
    with _store_urls(request, lambda: tmp_path) as new:
        yield new


@pytest.fixture(scope="session")
def new_shared_store_url(request, tmp_path_factory):
    """As new_store_url, for module- and session-wide stores: kept until the end of the run."""
    with _store_urls(request, lambda: tmp_path_factory.mktemp("store")) as new:
        yield new


@pytest.fixture(scope="session")
def _seeded_store(new_shared_store_url) -> str:
    # One store migrated to head, seeded and given the test users, which each test's store is a copy of: the
    # migrations themselves are tested from an empty database in tests/kpi/test_migrations.py.
    url = new_shared_store_url("seeded")
    seeded = open_store(url)
    add_test_users(seeded)
    seeded.dispose()  # PostgreSQL copies a template only while nothing is connected to it
    return url


@pytest.fixture
def engine(request, tmp_path, _seeded_store):
    """A fresh store on this run's engine, migrated to head and seeded with the reference data, with the test
    users (a copy of one such store made once per run)."""
    with contextlib.ExitStack() as stack:
        if request.config.getoption("--database") == "sqlite":
            url = f"sqlite:///{tmp_path / 'store.db'}"
            shutil.copyfile(make_url(_seeded_store).database, tmp_path / "store.db")
        else:
            from tests.postgres import fresh_database
            url = stack.enter_context(fresh_database(request.getfixturevalue("postgres_url"),
                                                     template=make_url(_seeded_store).database))
        engine = open_store(url)
        yield engine
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """A fresh SQLite store whatever --database says, for the tests of SQLite's own settings."""
    engine = open_store(f"sqlite:///{tmp_path / 'sqlite.db'}")
    add_test_users(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a PostgreSQL server started for this test run (tests/postgres.py); skipped without
    PostgreSQL, except under CI, where that fails."""
    from tests.postgres import running_postgres
    with running_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """The URL of an empty database (no migration applied), once on each engine: a SQLite file in tmp_path,
    then a database of its own on the test run's PostgreSQL server (skipped without PostgreSQL, failed under CI)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    from tests.postgres import fresh_database
    with fresh_database(request.getfixturevalue("postgres_url")) as url:
        yield url


def pytest_configure(config):
    # SQLAlchemy cannot reflect SQLite's expression-based indexes and says so each time a test reflects the
    # submission table; the one such index (migration 0003) is checked directly in tests/kpi/test_migrations.py.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Skipped unsupported reflection of expression-based index uq_submission_current_key:"
        "sqlalchemy.exc.SAWarning")
