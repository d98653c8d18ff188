"""SOM editions: frozen as shown, never changed (the database refuses), and what changed since, by hand."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from kpi import editions, schema, store
from kpi.db import make_engine, upgrade_schema
from kpi.editions import EditionError

SOM_DATE = dt.date(2019, 10, 15)
NAME = "22nd ACCSM SOM, 2019"


@pytest.fixture
def frozen(engine, add_return):
    """BRN 2018: 5 of 20 agencies (25 %); KHM 2018: 10 of 40 (25 %): A.1.1 ASEAN 2018 = 25 %. Frozen as NAME."""
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 5})
        add_return(connection, "KHM", 2018, {"agencies_total": 40, "a11_agencies_competency": 10})
    return editions.freeze_edition(engine, NAME, SOM_DATE, 2018, "secretariat")


def _changes(engine, edition_id):
    with engine.connect() as connection:
        return editions.changes_since(connection, edition_id)


def test_changes_since__a_later_return_shows_exactly_the_revised_values(engine, frozen, add_return):
    with engine.begin() as connection:  # BRN sends a corrected 2018 return: 10 of 20 agencies (50 %)
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 10})

    changes = _changes(engine, frozen)

    values = changes.values[["indicator", "scope", "year", "value_before", "value_after", "change", "why"]]
    assert values.values.tolist() == [
        ["A.1.1", "ASEAN", 2018, 25.0, 37.5, 12.5, "revised"],  # mean of 50 % and 25 %
        ["A.1.1", "BRN", 2018, 25.0, 50.0, 25.0, "revised"],
    ]
    assert changes.returns[["kind", "country", "year", "why"]].values.tolist() == [
        ["return", "BRN", 2018, "replaces the one in the edition"]]
    assert changes.targets.empty
    assert editions.describe_changes(changes) == "2 value(s) revised; 1 return(s) or evaluation file(s) new or replaced."


def test_changes_since__nothing_changed_says_so(engine, frozen):
    changes = _changes(engine, frozen)
    assert changes.is_empty and editions.describe_changes(changes).startswith("Nothing has changed")


def test_changes_since__a_new_return_and_a_changed_target(engine, frozen, add_return):
    with engine.begin() as connection:
        add_return(connection, "LAO", 2018, {"agencies_total": 10, "a11_agencies_competency": 7})  # 70 %
        store.set_target(connection, "2016-2020", "A.1.1", "ASEAN", None, 60.0, None, "alice")

    changes = _changes(engine, frozen)

    rows = changes.values[["indicator", "scope", "value_before", "value_after", "coverage_before",
                           "coverage_after", "why"]].values.tolist()
    assert rows[0][:2] == ["A.1.1", "ASEAN"] and rows[0][2] == 25.0
    assert rows[0][3] == pytest.approx(40.0)  # (25 + 25 + 70) / 3
    assert rows[0][4:] == [2, 3, "revised"]
    assert rows[1][:2] == ["A.1.1", "LAO"] and pd.isna(rows[1][2]) and rows[1][3] == pytest.approx(70.0)
    assert rows[1][-1] == "new value"
    assert len(rows) == 2
    assert changes.returns[["country", "why"]].values.tolist() == [["LAO", "new (none in the edition)"]]
    assert changes.targets[["indicator", "scope", "target_before", "target_after", "set_by", "why"]] \
        .fillna("none").values.tolist() == [["A.1.1", "ASEAN", "none", 60.0, "alice", "set"]]


def test_edition__keeps_what_was_shown_after_later_loads(engine, frozen, add_return):
    with engine.connect() as connection:
        before = editions.read_edition(connection, frozen)
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 10})
    with engine.connect() as connection:
        after = editions.read_edition(connection, frozen)
        listed = editions.list_editions(connection)
    assert after == before
    row = next(r for r in before["kpi_table"] if (r["indicator"], r["scope"], r["year"]) == ("A.1.1", "BRN", 2018))
    assert row["value"] == 25.0
    assert [(s["country"], s["year"]) for s in before["returns"]["submissions"]] == [("BRN", 2018), ("KHM", 2018)]
    assert {v["field_code"] for v in before["returns"]["values"]} >= {"agencies_total", "a11_agencies_competency"}
    assert listed[["name", "som_date", "year", "frozen_by", "returns"]].values.tolist() == [
        [NAME, SOM_DATE, 2018, "secretariat", 2]]


def test_compare_editions__between_two_frozen_editions(engine, frozen, add_return):
    with engine.begin() as connection:
        add_return(connection, "KHM", 2018, {"agencies_total": 40, "a11_agencies_competency": 20})  # 50 %
    later = editions.freeze_edition(engine, "23rd ACCSM SOM, 2020", dt.date(2020, 11, 2), 2018, "secretariat")
    with engine.connect() as connection:
        changes = editions.compare_editions(connection, frozen, later)
        since_later = editions.changes_since(connection, later)
    assert changes.values[["scope", "value_before", "value_after"]].values.tolist() == [
        ["ASEAN", 25.0, 37.5], ["KHM", 25.0, 50.0]]
    assert since_later.is_empty


@pytest.mark.parametrize(("name", "year", "message"), [
    ("  ", 2018, "needs a name"),
    (NAME, 2018, "exists already"),
    ("Another SOM", 2011, "no figures for 2011"),
])
def test_freeze__refused_with_a_reason_and_nothing_stored(engine, frozen, name, year, message):
    with pytest.raises(EditionError, match=message):
        editions.freeze_edition(engine, name, SOM_DATE, year, "secretariat")
    with engine.connect() as connection:
        assert len(editions.list_editions(connection)) == 1


def test_freeze__refused_when_data_moved_while_the_pack_was_built(engine, frozen):
    with pytest.raises(EditionError, match="while the pack was being built"):
        editions.freeze_edition(engine, "Other", SOM_DATE, 2018, "secretariat", pack=b"PK",
                                expected_as_of=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_freeze__refused_unless_secretariat_and_the_refusal_audited(engine, add_return, role):
    from kpi.users import add_user
    from kpi.db import write_transaction
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 5})
    with write_transaction(engine) as connection:
        add_user(connection, "someone", "Someone", role, "BRN" if role == "focal_point" else None, by="local")
    with pytest.raises(EditionError, match="'someone'|someone.*may not freeze a SOM edition"):
        editions.freeze_edition(engine, NAME, SOM_DATE, 2018, "someone")
    with engine.connect() as connection:
        assert editions.list_editions(connection).empty
        refusals = connection.execute(select(schema.audit_log).where(schema.audit_log.c.action == "refuse")).all()
    assert [(r.user_name, r.entity_key) for r in refusals] == [("someone", "freeze a SOM edition")]


def test_freeze__is_in_the_audit_log(engine, frozen):
    with engine.connect() as connection:
        audit = store.read_audit(connection, "edition")
    assert audit[["user_name", "action", "entity_key"]].values.tolist() == [["secretariat", "freeze", str(frozen)]]


@pytest.mark.parametrize("statement", [
    "UPDATE som_edition SET name = 'rewritten'",
    "UPDATE som_edition SET kpi_table = '[]'",
    "DELETE FROM som_edition",
])
def test_edition__the_database_refuses_any_change(engine, frozen, statement):
    with pytest.raises(DBAPIError, match="immutable"):
        with engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert editions.list_editions(connection)["name"].tolist() == [NAME]


def test_migration_0004__upgrades_a_0003_store_keeping_rows_and_refusing_changes(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade_schema(engine, "0003")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO plan_period (code, title, start_year, end_year, baseline_year, "
                                    "target_year) VALUES ('2016-2020', 'Plan', 2016, 2020, 2014, 2020)"))
            connection.execute(text("INSERT INTO workplan_programme (plan_code, no, plan, title, status) "
                                    "VALUES ('2016-2020', 1, 'ACCSM', 'Workshop', 'ongoing')"))
        upgrade_schema(engine, "head")
        with engine.connect() as connection:
            row = connection.execute(select(schema.workplan_programme)).one()
        assert (row.no, row.status, row.status_set_at, row.status_set_by) == (1, "ongoing", None, None)
        with engine.begin() as connection:
            connection.execute(insert(schema.som_edition).values(
                name="x", som_date=SOM_DATE, year=2018, plan_code="2016-2020", frozen_by="t",
                frozen_at=store.utc_now(), is_demo=False, kpi_table="[]", returns='{"submissions": []}',
                targets="[]", workplan="[]"))
        with pytest.raises(DBAPIError, match="immutable"):
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM som_edition"))
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="Chromium renders the pack's charts")
def test_freeze_with_pack__stores_the_briefing_pack_as_built(engine, add_return):
    with engine.begin() as connection:
        for country, number in (("BRN", 5), ("KHM", 10)):
            add_return(connection, country, 2014, {"agencies_total": 20, "a11_agencies_competency": number})
            add_return(connection, country, 2018, {"agencies_total": 20, "a11_agencies_competency": number + 2})
    edition_id = editions.freeze_with_pack(engine, NAME, SOM_DATE, 2018, "secretariat")
    with engine.connect() as connection:
        pack = connection.execute(select(schema.som_edition.c.pack_pptx, schema.som_edition.c.pack_file_name)
                                  .where(schema.som_edition.c.id == edition_id)).one()
    assert pack.pack_pptx[:2] == b"PK" and pack.pack_file_name == "accsm_som_briefing_2018_22nd_ACCSM_SOM__2019.pptx"
    from io import BytesIO

    from pptx import Presentation
    assert len(Presentation(BytesIO(pack.pack_pptx)).slides) > 5


def test_changes_since__a_new_target_changes_a_status_not_a_value(engine, frozen):
    with engine.begin() as connection:  # an entered baseline and a target for BRN: 25 % is then judged
        store.set_target(connection, "2016-2020", "A.1.1", "BRN", 20.0, 80.0, None, "alice")

    changes = _changes(engine, frozen)

    assert changes.values[["indicator", "scope", "year", "value_before", "value_after", "status_before",
                           "status_after", "why"]].values.tolist() == [
        # pace: (25 - 20) / (expected 2018 - 20) = 5 / (20 + 60 * 4 / 6 - 20) = 5 / 40 = 0.125: limited progress
        ["A.1.1", "BRN", 2018, 25.0, 25.0, "no target", "limited progress", "status changed (baseline or target)"]]
    assert editions.describe_changes(changes) == ("1 status(es) changed by a new baseline or target; "
                                                  "1 baseline(s) or target(s) changed.")


def test_filter_changes__what_a_page_about_one_scope_shows(engine, frozen, add_return):
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 10})
        store.set_target(connection, "2016-2020", "E.3", "KHM", None, 80.0, None, "alice")
    changes = _changes(engine, frozen)

    brn = editions.filter_changes(changes, scopes=["BRN"])
    khm = editions.filter_changes(changes, scopes=["KHM"], indicators=["E.3"])

    assert brn.values[["indicator", "scope"]].values.tolist() == [["A.1.1", "BRN"]]
    assert brn.returns["country"].tolist() == ["BRN"] and brn.targets.empty
    assert khm.values.empty and khm.returns.empty
    assert khm.targets[["indicator", "scope", "target_after"]].values.tolist() == [["E.3", "KHM", 80.0]]
    assert editions.filter_changes(changes, years=[2017]).values.empty
