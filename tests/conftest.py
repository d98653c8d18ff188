"""Session-wide test settings: no test may touch the developer's own data/accsm.db."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_default_database(tmp_path_factory):
    # A test that forgets --db or its own URL lands in a throwaway database, not data/accsm.db.
    patch = pytest.MonkeyPatch()
    patch.setenv("ACCSM_DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('default-db') / 'accsm.db'}")
    patch.setenv("ACCSM_USER", "pytest")
    yield
    patch.undo()
