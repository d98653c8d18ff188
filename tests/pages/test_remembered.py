"""Figures and tables a page builds are kept between reruns (dashboard.memo) and built again after the data changes."""

from __future__ import annotations

from conftest import assert_clean, texts

from dashboard import data
from importers.load import load_file
from importers.templates import fill_return, write_return_template
from kpi import maps
from kpi.db import open_store
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES


def _count_calls(monkeypatch, module, name) -> list:
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, counted)
    return calls


def _load_a_khm_2018_return(database_url, tmp_path) -> None:
    """Load a return through an engine of its own, as another program on the same database would."""
    template = write_return_template(tmp_path / "t.xlsx", "KHM", 2018)
    filled = fill_return(template, tmp_path / "r.xlsx", {**VALID_VALUES, "country": "KHM", "year": 2018},
                         VALID_ITEMS)
    engine = open_store(database_url)
    try:
        assert load_file(engine, filled.read_bytes(), "r.xlsx", "tester").accepted
    finally:
        engine.dispose()


def test_a_figure_is_built_once_per_view_and_again_after_an_import(database_url, open_page, monkeypatch,
                                                                    tmp_path):
    built = _count_calls(monkeypatch, maps, "status_map_figure")
    at = open_page("pages/overview.py", year="2018")
    assert_clean(at)
    assert len(built) == 1 and "returns received **2 of 10**" in texts(at)
    at.run()
    at.run()
    assert len(built) == 1  # reruns draw the kept figure

    at.query_params["year"] = "2017"
    at.run()
    assert len(built) == 2  # another year is another figure

    _load_a_khm_2018_return(database_url, tmp_path)
    data.clear_caches()  # what every writer of the app calls after a change (dashboard/uploads.py and others)
    at.query_params["year"] = "2018"
    at.run()
    assert_clean(at)
    assert len(built) == 3 and "returns received **3 of 10**" in texts(at)


def test_a_load_by_another_program_shows_on_the_next_page_run(database_url, open_page, monkeypatch, tmp_path):
    # `python -m importers load` beside the server, or a second server on the same database: no clear_caches call
    # reaches this server, so the store's change marker (its newest audit line) is what tells it.
    built = _count_calls(monkeypatch, maps, "status_map_figure")
    at = open_page("pages/overview.py", year="2018")
    assert "returns received **2 of 10**" in texts(at)
    at.run()
    assert len(built) == 1  # nothing changed: the kept figure is drawn

    _load_a_khm_2018_return(database_url, tmp_path)
    at.run()
    assert_clean(at)
    assert len(built) == 2 and "returns received **3 of 10**" in texts(at)
    at.run()
    assert len(built) == 2
