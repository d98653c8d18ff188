"""The reads of one return (filtered in SQL) give what the whole-store frames filtered by AMS and year give."""

from __future__ import annotations

import pytest

from kpi import store

POLICY = {"title": "Competency framework", "level": "national", "year_started": 2013}


@pytest.fixture
def stored(connection, add_return):
    """BRN 2014 (loaded twice: the second supersedes), BRN 2016 and KHM 2016, with a policy list."""
    add_return(connection, "BRN", 2014, {"agencies_total": 10}, {"policies": [POLICY]})
    add_return(connection, "BRN", 2014, {"agencies_total": 40, "e3_satisfaction_pct": 70.5},
               {"policies": [POLICY, {**POLICY, "title": "Leadership"}]})
    add_return(connection, "BRN", 2016, {"agencies_total": 50})
    add_return(connection, "KHM", 2016, {"agencies_total": 100}, {"policies": [POLICY]})
    return connection


@pytest.mark.parametrize("country, year", [("BRN", 2014), ("BRN", 2016), ("KHM", 2016), ("KHM", 2014)])
def test_read_values_of_return__as_the_filtered_frame(stored, country, year):
    frame = store.read_current_values(stored)
    frame = frame[(frame["country"] == country) & (frame["year"] == year)]
    expected = [(r.field_code, r.value_number, None if r.value_text != r.value_text else r.value_text)
                for r in frame.itertuples()]
    got = [(r.field_code, None if r.value_number is None else r.value_number, r.value_text)
           for r in store.read_values_of_return(stored, country, year)]
    assert [(c, None if n != n else n, t) for c, n, t in expected] == got


@pytest.mark.parametrize("country, year", [("BRN", 2014), ("KHM", 2016), ("BRN", 2016)])
def test_read_items_of_return__as_the_filtered_frame(stored, country, year):
    frame = store.read_current_items(stored, "policies")
    frame = frame[(frame["country"] == country) & (frame["year"] == year)].sort_values("row")
    expected = [(r["title"], r["level"], r["row"]) for r in frame.to_dict("records")]
    assert [(r["title"], r["level"], r["row"]) for r in store.read_items_of_return(stored, "policies", country,
                                                                                    year)] == expected


@pytest.mark.parametrize("country, up_to, latest", [("BRN", 2015, 2014), ("BRN", 2020, 2016), ("BRN", 2013, None),
                                                     ("KHM", 2016, 2016), ("LAO", 2020, None)])
def test_read_latest_return_year__latest_current_year_up_to(stored, country, up_to, latest):
    assert store.read_latest_return_year(stored, country, up_to) == latest


@pytest.mark.parametrize("country, year, has", [("BRN", 2014, True), ("BRN", 2016, True), ("KHM", 2016, True),
                                                ("KHM", 2014, False), ("BRN", 2015, False)])
def test_has_current_return__when_read_values_of_return_has_a_return_to_read(stored, country, year, has):
    assert store.has_current_return(stored, country, year) is has
    frame = store.read_current_values(stored)
    assert ((frame["country"] == country) & (frame["year"] == year)).any() == has


def test_read_change_marker__moves_with_every_change(connection, add_return):
    before = store.read_change_marker(connection) or 0  # the test store's users were added (and logged) already
    add_return(connection, "BRN", 2014, {"agencies_total": 10})
    first = store.read_change_marker(connection)
    add_return(connection, "BRN", 2014, {"agencies_total": 40})  # a new version supersedes the first
    second = store.read_change_marker(connection)
    store.set_target(connection, "2016-2020", "A.1", "ASEAN", 6, 10, None, "local")
    assert before < first < second < store.read_change_marker(connection)
