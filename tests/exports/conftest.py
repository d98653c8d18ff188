"""Fixtures for the export tests: seeded stores (demo and not) shared per module, and the test-output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.exports.fixture_store import build_fixture_store

TEST_OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture(scope="module")
def demo_engine(new_shared_store_url):
    """The seeded store with every return and target marked as demo data."""
    engine = build_fixture_store(new_shared_store_url("demo"), is_demo=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def plain_engine(new_shared_store_url):
    """The same seeded store, not marked as demo."""
    engine = build_fixture_store(new_shared_store_url("plain"), is_demo=False)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def test_output() -> Path:
    """The gitignored folder where rendered slides and charts are kept for people to look at."""
    TEST_OUTPUT.mkdir(exist_ok=True)
    return TEST_OUTPUT
