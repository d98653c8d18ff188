"""indicators.md: each indicator's value per AMS and for ASEAN, with coverage, against hand-computed cases."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from kpi.engine import compute_report
from kpi.fields import ANNEX1_ITEMS
from kpi.indicators import resolve_list_count
from kpi.store import SubmissionInfo, store_evaluations

YEAR = 2016


def report_by_key(connection, year=YEAR):
    """{(indicator, scope): row} of the report for one year."""
    report = compute_report(connection, year=year)
    return {(r.indicator, r.scope): r for r in report.itertuples(index=False)}


def blank(value) -> bool:
    return value is None or bool(pd.isna(value))


def policies(*levels):
    return [{"title": f"Policy {n}", "level": level, "year_started": 2015} for n, level in enumerate(levels)]


def measures(*aims):
    return [{"title": f"Measure {n}", "aim": aim, "year_started": 2015} for n, aim in enumerate(aims)]


def project(title, participants=None, evaluations=None, satisfied=None):
    return {"title": title, "participants": participants, "evaluations": evaluations, "satisfied": satisfied}


def add_evaluations(connection, country, year, title, ratings: list[list[int]]):
    """Store an Annex 1 evaluations file for one project: one list of 20 ratings per participant."""
    rows = [{"participant": str(n), **{item.code: r for item, r in zip(ANNEX1_ITEMS, answers)}, "a2_overall": 4,
             "sheet": "Evaluations", "row": n + 1} for n, answers in enumerate(ratings, start=1)]
    digest = hashlib.sha256(f"{country}{year}{title}{ratings}".encode()).hexdigest()
    store_evaluations(connection, rows, SubmissionInfo(
        kind="evaluations", file_name=f"{title}.xlsx", sha256=digest, content_digest=digest,
        template_version="test", user="tester", country=country, year=year, subject=title))


# --- yes-count indicators -----------------------------------------------------------------------

YES_COUNTS = [
    ("A.1", "a1_competency_institutionalised"),
    ("B.1", "b1_capacity_policies"),
    ("C.1", "c1_leadership_institutionalised"),
    ("C.2", "c2_succession_institutionalised"),
    ("D.1", "d1_arc_enhanced"),
    ("E.2", "e2_engagement_measures"),
]


@pytest.mark.parametrize(("code", "field"), YES_COUNTS)
def test_yes_count__count_of_yes_with_answered_as_coverage(connection, add_return, code, field):
    add_return(connection, "BRN", YEAR, {field: "yes"})
    add_return(connection, "KHM", YEAR, {field: "no"})
    add_return(connection, "IDN", YEAR, {field: "yes"})
    add_return(connection, "LAO", YEAR, {"focal_point": "Someone"})  # returned, but left the answer blank
    # MYS..VNM sent no return
    rows = report_by_key(connection)
    assert rows[(code, "ASEAN")].value == 2  # BRN and IDN said yes
    assert rows[(code, "ASEAN")].coverage == 3  # BRN, KHM, IDN answered yes or no
    assert rows[(code, "BRN")].value == 1
    assert rows[(code, "KHM")].value == 0
    assert blank(rows[(code, "LAO")].value)
    assert blank(rows[(code, "MYS")].value)


@pytest.mark.parametrize(("code", "field"), YES_COUNTS)
def test_yes_count__ams_rows_have_no_status_and_no_coverage(connection, add_return, code, field):
    add_return(connection, "BRN", YEAR, {field: "yes"})
    add_return(connection, "KHM", YEAR, {field: "no"})
    rows = report_by_key(connection)
    for scope in ("BRN", "KHM", "LAO"):
        assert rows[(code, scope)].status in ("", None)
        assert blank(rows[(code, scope)].coverage)
    assert rows[(code, "ASEAN")].status != ""


def test_yes_count__all_no_is_zero_not_no_data(connection, add_return):
    add_return(connection, "BRN", YEAR, {"a1_competency_institutionalised": "no"})
    row = report_by_key(connection)[("A.1", "ASEAN")]
    assert row.value == 0 and row.coverage == 1


# --- agency shares: mean of AMS percentages ----------------------------------------------------------

AGENCY_SHARES = [
    ("A.1.1", "a11_agencies_competency"),
    ("B.1.1", "b11_agencies_capacity"),
    ("C.1.1", "c11_agencies_leadership"),
    ("C.2.1", "c21_agencies_succession"),
]


@pytest.mark.parametrize(("code", "field"), AGENCY_SHARES)
def test_agency_share__mean_of_ams_percentages_not_pooled(connection, add_return, code, field):
    add_return(connection, "BRN", YEAR, {"agencies_total": 40, field: 30})
    add_return(connection, "KHM", YEAR, {"agencies_total": 100, field: 10})
    rows = report_by_key(connection)
    assert rows[(code, "BRN")].value == pytest.approx(100 * 30 / 40)  # 75
    assert rows[(code, "KHM")].value == pytest.approx(100 * 10 / 100)  # 10
    asean = rows[(code, "ASEAN")]
    assert asean.value == pytest.approx((100 * 30 / 40 + 100 * 10 / 100) / 2)  # (75 + 10) / 2 = 42.5
    assert asean.value != pytest.approx(100 * (30 + 10) / (40 + 100))  # not pooled: 28.6
    assert asean.coverage == 2


@pytest.mark.parametrize(("code", "field"), AGENCY_SHARES)
def test_agency_share__sum_of_numbers_as_secondary(connection, add_return, code, field):
    add_return(connection, "BRN", YEAR, {"agencies_total": 40, field: 30})
    add_return(connection, "KHM", YEAR, {"agencies_total": 100, field: 10})
    rows = report_by_key(connection)
    assert rows[(code, "BRN")].details["number"] == 30
    assert rows[(code, "ASEAN")].details["number"] == 30 + 10


@pytest.mark.parametrize(("code", "field"), AGENCY_SHARES)
@pytest.mark.parametrize("denominator", [{"agencies_total": 0}, {}], ids=["zero", "blank"])
def test_agency_share__zero_or_blank_denominator_is_no_data(connection, add_return, code, field, denominator):
    add_return(connection, "BRN", YEAR, {field: 5, **denominator})
    add_return(connection, "KHM", YEAR, {"agencies_total": 50, field: 20})
    rows = report_by_key(connection)
    assert blank(rows[(code, "BRN")].value)
    assert rows[(code, "ASEAN")].value == pytest.approx(100 * 20 / 50)  # KHM alone: 40
    assert rows[(code, "ASEAN")].coverage == 1


def test_agency_share__zero_agencies_implementing_is_zero(connection, add_return):
    add_return(connection, "BRN", YEAR, {"agencies_total": 40, "a11_agencies_competency": 0})
    rows = report_by_key(connection)
    assert rows[("A.1.1", "BRN")].value == 0
    assert rows[("A.1.1", "ASEAN")].value == 0 and rows[("A.1.1", "ASEAN")].coverage == 1


# --- lists: the declared-total table ----------------------------------------------------------------

@pytest.mark.parametrize(("declared", "rows", "expected"), [
    (None, 0, None),  # blank, none: not reported
    (None, 3, 3),  # blank, n rows: n
    (2, 0, 2),  # k, none: k (with a warning)
    (0, 0, 0),  # zero said as zero
    (3, 3, 3),  # k, k rows: k
    (2, 3, None),  # k, n ≠ k: a contradiction, never a figure
])
def test_resolve_list_count__declared_total_table(declared, rows, expected):
    assert resolve_list_count(declared, rows) == expected


LISTS = [
    ("B.2", "policies", "b2_policies_count", lambda n: policies(*["national"] * n)),
    ("D.2", "arc_projects", "d2_projects_count", lambda n: [project(f"P{i}", 10, 5, 4) for i in range(n)]),
    ("E.1", "reform_measures", "e1_measures_count", lambda n: measures(*["efficiency"] * n)),
]


@pytest.mark.parametrize(("code", "list_code", "declared", "make"), LISTS)
def test_list_count__all_rows_of_the_table(connection, add_return, code, list_code, declared, make):
    add_return(connection, "BRN", YEAR, {}, {list_code: make(3)})  # blank, 3 rows: 3
    add_return(connection, "KHM", YEAR, {declared: 2})  # 2, none: 2
    add_return(connection, "IDN", YEAR, {declared: 0})  # 0: 0
    add_return(connection, "LAO", YEAR, {declared: 4}, {list_code: make(4)})  # 4, 4 rows: 4
    add_return(connection, "MYS", YEAR, {"focal_point": "Someone"})  # blank, none: not reported
    rows = report_by_key(connection)
    assert rows[(code, "BRN")].value == 3
    assert rows[(code, "KHM")].value == 2
    assert rows[(code, "IDN")].value == 0
    assert rows[(code, "LAO")].value == 4
    assert blank(rows[(code, "MYS")].value)
    assert rows[(code, "ASEAN")].value == 3 + 2 + 0 + 4
    assert rows[(code, "ASEAN")].coverage == 4  # MYS did not report; MMR..VNM sent nothing


def test_b2__split_by_level(connection, add_return):
    add_return(connection, "BRN", YEAR, {"b2_policies_count": 3}, {"policies": policies("national", "national",
                                                                                      "sub-national")})
    add_return(connection, "KHM", YEAR, {}, {"policies": policies("sub-national")})
    rows = report_by_key(connection)
    assert rows[("B.2", "BRN")].details["by_level"] == {"national": 2, "sub-national": 1}
    assert rows[("B.2", "KHM")].details["by_level"] == {"national": 0, "sub-national": 1}
    assert rows[("B.2", "ASEAN")].value == 3 + 1
    assert rows[("B.2", "ASEAN")].details["by_level"] == {"national": 2 + 0, "sub-national": 1 + 1}


def test_e1__split_by_aim(connection, add_return):
    add_return(connection, "BRN", YEAR, {}, {"reform_measures": measures("effectiveness", "responsiveness",
                                                                        "responsiveness")})
    add_return(connection, "KHM", YEAR, {"e1_measures_count": 1}, {"reform_measures": measures("accountability")})
    rows = report_by_key(connection)
    assert rows[("E.1", "BRN")].details["by_aim"] == {"effectiveness": 1, "efficiency": 0, "responsiveness": 2,
                                                      "accountability": 0}
    assert rows[("E.1", "ASEAN")].value == 3 + 1
    assert rows[("E.1", "ASEAN")].details["by_aim"] == {"effectiveness": 1, "efficiency": 0, "responsiveness": 2,
                                                        "accountability": 1}


# --- D.1.1: pooled over participants -------------------------------------------------------------------

def test_d11__pooled_over_participants_not_mean_of_arcs(connection, add_return):
    add_return(connection, "BRN", YEAR, {}, {"arc_projects": [project("A", 8, 6, 5), project("B", 4, 4, 4)]})
    add_return(connection, "KHM", YEAR, {}, {"arc_projects": [project("C", 40, 30, 1)]})
    add_return(connection, "LAO", YEAR, {}, {"arc_projects": [project("D", 12, 0, 0)]})  # no evaluations
    add_return(connection, "IDN", YEAR, {"d2_projects_count": 0})  # no project
    rows = report_by_key(connection)
    assert rows[("D.1.1", "BRN")].value == pytest.approx(100 * (5 + 4) / (6 + 4))  # 90
    assert rows[("D.1.1", "KHM")].value == pytest.approx(100 * 1 / 30)  # 3.33
    assert blank(rows[("D.1.1", "LAO")].value)  # zero evaluations: no data
    assert blank(rows[("D.1.1", "IDN")].value)
    asean = rows[("D.1.1", "ASEAN")]
    assert asean.value == pytest.approx(100 * (5 + 4 + 1) / (6 + 4 + 30))  # 10 of 40 participants = 25
    assert asean.value != pytest.approx((90 + 100 / 30) / 2)  # not the mean of ARC percentages (46.7)
    assert asean.coverage == 2  # BRN and KHM had evaluations


def test_d11__participant_evaluations_replace_project_counts(connection, add_return):
    add_return(connection, "BRN", YEAR, {}, {"arc_projects": [project("Leadership Lab", 12, 10, 2),
                                                              project("Other", 5, 4, 4)]})
    add_evaluations(connection, "BRN", YEAR, "Leadership Lab", [
        [3] * 20,  # mean 3: satisfied ("expectations have been met")
        [3] * 19 + [2],  # mean 2.95: not satisfied
        [5] * 20,  # mean 5: satisfied
        [1] * 20,  # mean 1: not satisfied
    ])
    rows = report_by_key(connection)
    # Leadership Lab: 2 of 4 evaluations (replacing 2 of 10); Other keeps its counts: 4 of 4
    assert rows[("D.1.1", "BRN")].value == pytest.approx(100 * (2 + 4) / (4 + 4))  # 75
    assert rows[("D.1.1", "ASEAN")].value == pytest.approx(100 * (2 + 4) / (4 + 4))
    assert rows[("D.1.1", "ASEAN")].coverage == 1


def test_d11__satisfied_threshold_is_mean_rating_3(connection, add_return):
    add_return(connection, "BRN", YEAR, {}, {"arc_projects": [project("Lab", 3, 3, 0)]})
    add_evaluations(connection, "BRN", YEAR, "Lab", [
        [4] * 10 + [2] * 10,  # mean (40 + 20) / 20 = 3: satisfied
        [4] * 9 + [2] * 11,  # mean (36 + 22) / 20 = 2.9: not satisfied
        [2] * 20,  # mean 2: not satisfied
    ])
    assert report_by_key(connection)[("D.1.1", "BRN")].value == pytest.approx(100 * 1 / 3)


# --- D.2.1: participants ---------------------------------------------------------------------------------

def test_d21__sum_and_mean_per_project(connection, add_return):
    add_return(connection, "BRN", YEAR, {"d2_projects_count": 2}, {"arc_projects": [project("A", 25), project("B", 15)]})
    add_return(connection, "KHM", YEAR, {}, {"arc_projects": [project("C", 30)]})
    rows = report_by_key(connection)
    assert rows[("D.2.1", "BRN")].value == 25 + 15
    assert rows[("D.2.1", "BRN")].details["mean_per_project"] == pytest.approx((25 + 15) / 2)  # 20
    asean = rows[("D.2.1", "ASEAN")]
    assert asean.value == 25 + 15 + 30
    assert asean.details["mean_per_project"] == pytest.approx((25 + 15 + 30) / 3)  # 70 over 3 projects
    assert asean.coverage == 2


def test_d21__zero_when_d2_is_zero(connection, add_return):
    add_return(connection, "BRN", YEAR, {"d2_projects_count": 0})
    rows = report_by_key(connection)
    assert rows[("D.2", "BRN")].value == 0
    assert rows[("D.2.1", "BRN")].value == 0
    assert rows[("D.2.1", "ASEAN")].value == 0 and rows[("D.2.1", "ASEAN")].coverage == 1


def test_d21__no_data_when_projects_declared_but_not_listed(connection, add_return):
    add_return(connection, "BRN", YEAR, {"d2_projects_count": 3})
    add_return(connection, "KHM", YEAR, {}, {"arc_projects": [project("C", 30)]})
    rows = report_by_key(connection)
    assert rows[("D.2", "BRN")].value == 3  # the declared total stands
    assert blank(rows[("D.2.1", "BRN")].value)
    assert rows[("D.2.1", "ASEAN")].value == 30  # KHM alone
    assert rows[("D.2.1", "ASEAN")].coverage == 1


def test_d21__not_reported_when_d2_not_reported(connection, add_return):
    add_return(connection, "BRN", YEAR, {"focal_point": "Someone"})
    assert blank(report_by_key(connection)[("D.2.1", "BRN")].value)


# --- E.2.1 and E.3 ---------------------------------------------------------------------------------------

def test_e21__share_of_processes_and_mean(connection, add_return):
    add_return(connection, "BRN", YEAR, {"e21_policy_processes": 8, "e21_processes_engaged": 2})
    add_return(connection, "KHM", YEAR, {"e21_policy_processes": 4, "e21_processes_engaged": 3})
    add_return(connection, "IDN", YEAR, {"e21_policy_processes": 0, "e21_processes_engaged": 0})
    rows = report_by_key(connection)
    assert rows[("E.2.1", "BRN")].value == pytest.approx(100 * 2 / 8)  # 25
    assert rows[("E.2.1", "KHM")].value == pytest.approx(100 * 3 / 4)  # 75
    assert blank(rows[("E.2.1", "IDN")].value)  # zero processes: no data
    assert rows[("E.2.1", "ASEAN")].value == pytest.approx((25 + 75) / 2)  # not pooled 5/12
    assert rows[("E.2.1", "ASEAN")].coverage == 2


def test_e3__mean_of_reported_rates(connection, add_return):
    add_return(connection, "BRN", YEAR, {"e3_satisfaction_pct": 70, "e3_survey": "Survey 2016"})
    add_return(connection, "KHM", YEAR, {"e3_satisfaction_pct": 80.5, "e3_survey": "Survey 2016"})
    add_return(connection, "IDN", YEAR, {"focal_point": "Someone"})
    rows = report_by_key(connection)
    assert rows[("E.3", "BRN")].value == 70
    assert blank(rows[("E.3", "IDN")].value)
    assert rows[("E.3", "ASEAN")].value == pytest.approx((70 + 80.5) / 2)  # 75.25
    assert rows[("E.3", "ASEAN")].coverage == 2


# --- rules for every indicator --------------------------------------------------------------------------

ALL_CODES = ["A.1", "A.1.1", "B.1", "B.1.1", "B.2", "C.1", "C.1.1", "C.2", "C.2.1", "D.1", "D.1.1", "D.2",
             "D.2.1", "E.1", "E.2", "E.2.1", "E.3"]


def test_missing_return__no_data_never_zero(connection, add_return):
    add_return(connection, "BRN", YEAR, {"a1_competency_institutionalised": "yes"})
    rows = report_by_key(connection)
    for code in ALL_CODES:
        assert blank(rows[(code, "KHM")].value), code  # KHM sent no return
        assert rows[(code, "KHM")].value != 0


def test_regional_coverage_zero__no_data(connection, add_return):
    add_return(connection, "BRN", YEAR, {"focal_point": "Someone"})  # a return that reports nothing
    rows = report_by_key(connection)
    for code in ALL_CODES:
        asean = rows[(code, "ASEAN")]
        assert blank(asean.value), code
        assert asean.coverage == 0 or blank(asean.coverage), code
        assert asean.status == "no data", code


def test_no_carry_forward_from_an_earlier_year(connection, add_return):
    add_return(connection, 
               "BRN", 2016, {"agencies_total": 40, "a11_agencies_competency": 30,
                             "a1_competency_institutionalised": "yes", "e3_satisfaction_pct": 70,
                             "e3_survey": "S"}, {"policies": policies("national")})
    add_return(connection, "KHM", 2017, {"a1_competency_institutionalised": "no"})
    rows = report_by_key(connection, 2017)
    for code in ("A.1", "A.1.1", "E.3", "B.2"):
        assert blank(rows[(code, "BRN")].value), code
    assert rows[("A.1", "ASEAN")].value == 0 and rows[("A.1", "ASEAN")].coverage == 1  # KHM's no only
    assert blank(rows[("A.1.1", "ASEAN")].value)
    assert report_by_key(connection, 2016)[("A.1.1", "BRN")].value == pytest.approx(75)


def test_current_return_only__a_later_return_replaces_the_earlier(connection, add_return):
    add_return(connection, "BRN", YEAR, {"agencies_total": 40, "a11_agencies_competency": 30})
    add_return(connection, "BRN", YEAR, {"agencies_total": 40, "a11_agencies_competency": 10})
    assert report_by_key(connection)[("A.1.1", "BRN")].value == pytest.approx(100 * 10 / 40)  # 25, not 75


def test_current_return_only__values_are_not_merged_with_the_superseded(connection, add_return):
    add_return(connection, "BRN", YEAR, {"agencies_total": 40, "a11_agencies_competency": 30})
    add_return(connection, "BRN", YEAR, {"agencies_total": 40})  # the new return leaves a11 blank
    assert blank(report_by_key(connection)[("A.1.1", "BRN")].value)


def test_percentages_are_unrounded(connection, add_return):
    add_return(connection, "BRN", YEAR, {"agencies_total": 3, "a11_agencies_competency": 1})
    assert report_by_key(connection)[("A.1.1", "BRN")].value == pytest.approx(100 / 3, abs=1e-12)  # 33.333…


@pytest.mark.parametrize(("code", "list_code", "declared", "make"), LISTS)
def test_list_count__contradicting_declared_total_is_never_a_figure(connection, add_return, code, list_code,
                                                                   declared, make):
    # the importer rejects such a return; should one reach the store, neither 2 nor 3 may be reported
    add_return(connection, "BRN", YEAR, {declared: 2}, {list_code: make(3)})
    assert blank(report_by_key(connection)[(code, "BRN")].value)


def test_d11__a_later_evaluations_file_supersedes_the_earlier(connection, add_return):
    add_return(connection, "BRN", YEAR, {}, {"arc_projects": [project("Lab", 10, 10, 0)]})
    add_evaluations(connection, "BRN", YEAR, "Lab", [[1] * 20, [1] * 20, [5] * 20, [1] * 20])  # 1 of 4
    add_evaluations(connection, "BRN", YEAR, "Lab", [[4] * 20, [2] * 20])  # the reloaded file: 1 of 2
    assert report_by_key(connection)[("D.1.1", "BRN")].value == pytest.approx(100 * 1 / 2)


def test_d11__evaluations_apply_only_to_their_own_year(connection, add_return):
    add_return(connection, "BRN", YEAR, {}, {"arc_projects": [project("Lab", 10, 10, 6)]})
    add_evaluations(connection, "BRN", YEAR + 1, "Lab", [[1] * 20])  # a project of the next year
    assert report_by_key(connection)[("D.1.1", "BRN")].value == pytest.approx(100 * 6 / 10)


def test_annex1__twenty_items_rated_1_to_5_satisfied_at_3():
    from kpi.fields import SATISFIED_MEAN_RATING
    assert [item.code for item in ANNEX1_ITEMS] == [f"a1_{n:02d}" for n in range(1, 21)]
    assert {(item.minimum, item.maximum) for item in ANNEX1_ITEMS} == {(1, 5)}
    assert SATISFIED_MEAN_RATING == 3
