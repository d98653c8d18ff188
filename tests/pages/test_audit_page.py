"""The audit trail page: every line, filtered by who, action, entity and dates; values as text; CSV export."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import assert_clean, shown, texts

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
    at.multiselect(key="url_who").select("hostile").run()
    assert_clean(at)
    assert set(_trail(at)["who"]) == {"hostile"}
    at.multiselect(key="url_who").unselect("hostile")
    at.multiselect(key="url_entity").select("target").run()
    trail = _trail(at)
    assert set(trail["entity"]) == {"target"} and len(trail) > 0
    at.multiselect(key="url_action").select("refuse").run()
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


def test_audit_page__the_filters_are_kept_in_the_link(trail_url, open_page):
    at = open_page(PAGE)
    at.multiselect(key="url_who").select("hostile").run()
    at.multiselect(key="url_action").select("refuse").run()
    assert (at.query_params["who"], at.query_params["action"]) == ("hostile", "refuse")
    today = dt.datetime.now(dt.timezone.utc).date()
    at.date_input(key="audit_dates").set_value((today, today)).run()
    link = {name: at.query_params[name] for name in ("who", "action", "from", "to") if name in at.query_params}
    assert link.get("to", today.isoformat()) == today.isoformat()

    shared = open_page(PAGE, **link)  # the link alone, in a new session, shows the same lines
    assert_clean(shared)
    trail = _trail(shared)
    assert set(trail["who"]) == {"hostile"} and set(trail["action"]) == {"refuse"}
    assert shared.multiselect(key="url_who").value == ["hostile"]


def test_audit_page__a_link_with_a_date_outside_the_trail_is_brought_inside(trail_url, open_page):
    at = open_page(PAGE, **{"from": "1999-01-01", "to": "not-a-date"})
    assert_clean(at)
    assert len(_trail(at)) >= 2  # from the first line on: every line


def test_audit_page__a_long_trail_grows_a_page_at_a_time_and_the_download_holds_every_line(trail_url, open_page):
    engine = open_store(trail_url)
    with engine.begin() as connection:
        connection.execute(insert(schema.audit_log), [
            {"at": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=n), "user_name": "bulk",
             "action": "set", "entity": "target", "entity_key": f"k{n}", "detail": "{}"} for n in range(120)])
    engine.dispose()
    at = open_page(PAGE)
    assert len(_trail(at)) == 50
    caption = next(shown(c.value) for c in at.caption if "line(s), newest first" in shown(c.value))
    total = int(caption.split(" ")[0])
    assert total > 120 and "the newest 50 shown" in caption
    at.button(key="audit_more").click().run()
    assert len(_trail(at)) == 100
    while any(b.key == "audit_more" for b in at.button):
        at.button(key="audit_more").click().run()
    assert len(_trail(at)) == total


def test_audit_page__a_selected_line_shows_its_whole_detail_as_text(trail_url, open_page):
    at = open_page(PAGE)
    at.session_state["audit_trail"] = {"selection": {"rows": [1], "columns": [], "cells": []}}  # the added user
    at.run()
    assert_clean(at)
    shown_json = [str(j.value) for j in at.json]
    assert shown_json and HOSTILE in shown_json[0]  # the whole detail, the hostile name as a JSON string
    assert "<img" not in texts(at)
