"""Shared test settings and fixtures: a fresh store per test; no test may touch the developer's data/accsm.db."""

import pytest

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


@pytest.fixture
def engine(tmp_path):
    """A fresh SQLite file in tmp_path, migrated to head and seeded with the reference data, with the test users."""
    engine = open_store(f"sqlite:///{tmp_path}/store.db")
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
