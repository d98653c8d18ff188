"""Dated membership: coverage, the all-AMS rules and "of N" follow the members of each year (ten, then eleven)."""

import pandas as pd
import pytest
from sqlalchemy import select, update

from kpi import schema
from kpi.membership import Membership
from kpi.store import set_target
from tests.kpi.conftest import AMS

ELEVEN = (*AMS, "TLS")


def _timor_leste_from_2026(connection):
    if connection.execute(select(schema.member_state.c.iso3).where(schema.member_state.c.iso3 == "TLS")).first():
        connection.execute(update(schema.member_state).where(schema.member_state.c.iso3 == "TLS")
                           .values(accsm_since=2026))
    else:
        connection.execute(schema.member_state.insert().values(iso3="TLS", name="Timor-Leste", group="AMS",
                                                               accsm_since=2026))


def test_membership__members_of_a_year():
    membership = Membership.from_frame(pd.DataFrame({"iso3": ELEVEN, "accsm_since": [None] * 10 + [2026]}))
    assert membership.members_in(2025) == list(AMS)
    assert membership.members_in(2026) == list(ELEVEN)
    assert (membership.count_in(2025), membership.count_in(2026)) == (10, 11)
    assert membership.members_in_any([2019, 2020]) == list(AMS)
    assert not membership.is_member("TLS", 2018) and membership.is_member("TLS", 2030)


def test_regional_count__over_ten_members_in_2025_and_eleven_in_2026(connection, add_return, report_row):
    _timor_leste_from_2026(connection)
    for country in AMS:  # 2025: every one of the ten answers, 7 yes
        add_return(connection, country, 2025, {"a1_competency_institutionalised":
                                               "yes" if AMS.index(country) < 7 else "no"})
    for country in AMS:  # 2026: the same ten answer (8 yes), Timor-Leste has not yet sent a return
        add_return(connection, country, 2026, {"a1_competency_institutionalised":
                                               "yes" if AMS.index(country) < 8 else "no"})
    y2025 = report_row(connection, "A.1", "ASEAN", 2025)
    y2026 = report_row(connection, "A.1", "ASEAN", 2026)
    assert (y2025.value, y2025.coverage) == (7, 10)
    assert (y2026.value, y2026.coverage) == (8, 10)
    # 10 answers of 11 members in 2026: a lower bound, so not judged (progress.md), even with a target
    set_target(connection, "2026-2030", "A.1", "ASEAN", 5, 11, None, "tester")
    assert report_row(connection, "A.1", "ASEAN", 2026).status == "incomplete data"
    assert report_row(connection, "A.1", "ASEAN", 2025).status != "incomplete data"


def test_regional_count__complete_in_2026_when_all_eleven_answer(connection, add_return, report_row):
    _timor_leste_from_2026(connection)
    for country in ELEVEN:
        add_return(connection, country, 2026, {"a1_competency_institutionalised": "yes"})
    row = report_row(connection, "A.1", "ASEAN", 2026)
    assert (row.value, row.coverage) == (11, 11)


def test_a_non_member_year_has_no_row_and_its_return_counts_nowhere(connection, add_return):
    from kpi.engine import compute_report
    _timor_leste_from_2026(connection)
    add_return(connection, "BRN", 2018, {"a1_competency_institutionalised": "yes"})
    add_return(connection, "TLS", 2018, {"a1_competency_institutionalised": "yes"})  # stored before the rule
    report = compute_report(connection, year=2018)
    assert "TLS" not in set(report["scope"])
    asean = report[(report["indicator"] == "A.1") & (report["scope"] == "ASEAN")].iloc[0]
    assert (asean["value"], asean["coverage"]) == (1, 1)


def test_baseline_of_a_count__needs_every_member_of_the_baseline_year(connection, add_return, report_row):
    # 2016-2020: baseline year 2014, ten members then; Timor-Leste joining later does not withdraw it.
    _timor_leste_from_2026(connection)
    for country in AMS:
        add_return(connection, country, 2014, {"a1_competency_institutionalised": "yes"})
    assert report_row(connection, "A.1", "ASEAN", 2014).baseline == 10
