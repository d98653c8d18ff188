"""The audit trail page: every line, filtered by who, action, entity and dates; values as text; CSV export."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import assert_clean, texts

from sqlalchemy import insert

from kpi import access, schema
from kpi.db import open_store
from kpi.users import add_user, apply_change

PAGE = "pages/audit.py"
HOSTILE = "**bold** <img src=x onerror=alert(1)> [link](http://example.org)"


@pytest.fixture
def trail_url(database_url):
    """The page store (targets set by "fixture"), a user added with a hostile name, and a refused action."""
    engine = open_store(database_url)
    apply_change(engine, add_user, "hostile", HOSTILE, access.VIEWER, None, by="local")
    with pytest.raises(access.AccessRefused):
        access.check(engine, "hostile", access.LOAD_TARGETS)
    engine.dispose()
    return database_url


def _trail(at):
    return next(e.value for e in at.dataframe if "who" in e.value.columns)


def test_audit_page__shows_every_line_newest_first_with_values_as_text(trail_url, open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert at.title[0].value == "Audit trail"
    trail = _trail(at)
    assert trail[["who", "action", "entity"]].values.tolist()[:2] == [["hostile", "refuse", "access"],
                                                                      ["local", "add", "user"]]
    assert {"fixture"} <= set(trail["who"])
    assert HOSTILE in trail["detail"].iloc[1]  # in a table cell, as typed
    assert "<img" not in texts(at)  # and never in an element that renders Markdown
    assert {b.key for b in at.get("download_button")} >= {"audit_trail_csv", "audit_trail_xlsx"}


def test_audit_page__filters_by_who_action_and_entity(trail_url, open_page):
    at = open_page(PAGE)
    at.multiselect(key="audit_users").select("hostile").run()
    assert_clean(at)
    assert set(_trail(at)["who"]) == {"hostile"}
    at.multiselect(key="audit_users").unselect("hostile")
    at.multiselect(key="audit_entities").select("target").run()
    trail = _trail(at)
    assert set(trail["entity"]) == {"target"} and len(trail) > 0
    at.multiselect(key="audit_actions").select("refuse").run()
    assert "No line of the audit trail matches these filters." in texts(at)


def test_audit_page__date_range_keeps_the_lines_of_those_utc_days(trail_url, open_page):
    engine = open_store(trail_url)
    with engine.begin() as connection:  # a line from an earlier year (the log takes inserts, never changes)
        connection.execute(insert(schema.audit_log).values(
            at=dt.datetime(2019, 6, 30, 23, 59, tzinfo=dt.timezone.utc), user_name="old", action="set",
            entity="target", entity_key="2016-2020/A.1.1/ASEAN", detail="{}"))
    engine.dispose()
    at = open_page(PAGE)
    at.date_input(key="audit_dates").set_value((dt.date(2019, 6, 30), dt.date(2019, 6, 30))).run()
    assert_clean(at)
    assert _trail(at)["who"].tolist() == ["old"]
    at.date_input(key="audit_dates").set_value((dt.date(2019, 7, 1), dt.date(2019, 12, 31))).run()
    assert "No line of the audit trail matches these filters." in texts(at)
    today = dt.datetime.now(dt.timezone.utc).date()
    at.date_input(key="audit_dates").set_value((today, today)).run()
    assert "old" not in set(_trail(at)["who"]) and len(_trail(at)) >= 2
