"""Shared test settings and fixtures: a fresh store per test; no test may touch the developer's data/accsm.db."""

import pytest

from kpi.db import open_store


@pytest.fixture(autouse=True, scope="session")
def _isolated_default_database(tmp_path_factory):
    # A test that forgets --db or its own URL lands in a throwaway database, not data/accsm.db.
    patch = pytest.MonkeyPatch()
    patch.setenv("ACCSM_DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('default-db') / 'accsm.db'}")
    patch.setenv("ACCSM_USER", "pytest")
    yield
    patch.undo()


@pytest.fixture
def engine(tmp_path):
    """A fresh SQLite file in tmp_path, migrated to head and seeded with the reference data."""
    engine = open_store(f"sqlite:///{tmp_path}/store.db")
    yield engine
    engine.dispose()
