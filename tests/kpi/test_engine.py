"""The KPI table end to end: baselines, targets, status, filters, and every indicator declared and computed."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.catalogue import WORK_PLAN_2016_2020
from kpi.engine import compute_report
from kpi.store import set_target

AMS = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
PLAN = WORK_PLAN_2016_2020.code
ALL_CODES = ("A.1", "A.1.1", "B.1", "B.1.1", "B.2", "C.1", "C.1.1", "C.2", "C.2.1", "D.1", "D.1.1", "D.2",
             "D.2.1", "E.1", "E.2", "E.2.1", "E.3")
COLUMNS = ["indicator", "scope", "year", "value", "coverage", "baseline", "baseline_source", "target",
           "target_source", "change", "progress", "expected", "pace", "status", "projected", "unit", "details"]


def blank(value) -> bool:
    return value is None or bool(pd.isna(value))


def target(connection, code, scope, target=None, baseline=None):
    set_target(connection, PLAN, code, scope, baseline, target, None, "tester")


def complete_return():
    """A return that reports every field and list: agencies 40, yes everywhere, two of each list."""
    values = {
        "focal_point": "Focal point", "email": "fp@example.org", "agencies_total": 40,
        "a1_competency_institutionalised": "yes", "a11_agencies_competency": 30,
        "b1_capacity_policies": "yes", "b11_agencies_capacity": 20,
        "c1_leadership_institutionalised": "yes", "c11_agencies_leadership": 10,
        "c2_succession_institutionalised": "no", "c21_agencies_succession": 4,
        "d1_arc_enhanced": "yes", "arc_theme": "Theme",
        "e2_engagement_measures": "yes", "e21_policy_processes": 8, "e21_processes_engaged": 2,
        "e3_satisfaction_pct": 70, "e3_survey": "Survey 2016",
        "b2_policies_count": 2, "d2_projects_count": 2, "e1_measures_count": 2,
    }
    items = {
        "policies": [{"title": "P1", "level": "national", "year_started": 2015},
                     {"title": "P2", "level": "sub-national", "year_started": 2016}],
        "arc_projects": [{"title": "A", "participants": 25, "evaluations": 20, "satisfied": 15},
                         {"title": "B", "participants": 15, "evaluations": 10, "satisfied": 9}],
        "reform_measures": [{"title": "M1", "aim": "efficiency", "year_started": 2015},
                            {"title": "M2", "aim": "accountability", "year_started": 2016}],
    }
    return values, items


# --- shape of the table ----------------------------------------------------------------------------

def test_report__columns(connection, add_return):
    add_return(connection, "BRN", 2016, {"a1_competency_institutionalised": "yes"})
    assert list(compute_report(connection).columns) == COLUMNS


def test_report__one_row_per_indicator_scope_year_from_baseline_year(connection, add_return):
    add_return(connection, "BRN", 2016, {"a1_competency_institutionalised": "yes"})
    report = compute_report(connection)
    assert not report.duplicated(["indicator", "scope", "year"]).any()
    assert sorted(set(report["year"])) == [2014, 2015, 2016]  # the baseline year to the last year with data
    assert len(report) == 17 * 11 * 3  # 17 indicators × (ASEAN + 10 AMS) × 3 years
    assert set(report["scope"]) == {"ASEAN", *AMS}


def test_report__empty_store_has_no_rows(connection):
    assert len(compute_report(connection)) == 0


# --- filters -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("year", "scope", "rows"), [
    (2016, None, 17 * 11),
    (None, "BRN", 17 * 3),
    (2016, "BRN", 17),
    (2016, "ASEAN", 17),
    (2030, None, 0),
])
def test_report__year_and_scope_filters(connection, add_return, year, scope, rows):
    add_return(connection, "BRN", 2014, {"a1_competency_institutionalised": "no"})
    add_return(connection, "BRN", 2016, {"a1_competency_institutionalised": "yes"})
    report = compute_report(connection, year=year, scope=scope)
    assert len(report) == rows
    if year is not None and rows:
        assert set(report["year"]) == {year}
    if scope is not None:
        assert set(report["scope"]) == {scope}


def test_report__filtered_row_equals_unfiltered_row(connection, add_return):
    add_return(connection, "BRN", 2014, {"agencies_total": 40, "a11_agencies_competency": 20})
    add_return(connection, "BRN", 2016, {"agencies_total": 40, "a11_agencies_competency": 30})
    target(connection, "A.1.1", "BRN", 90)
    full = compute_report(connection)
    one = compute_report(connection, year=2016, scope="BRN")
    a = full[(full.indicator == "A.1.1") & (full.scope == "BRN") & (full.year == 2016)].iloc[0]
    b = one[one.indicator == "A.1.1"].iloc[0]
    assert (a.value, a.baseline, a.target, a.status, a.pace) == (b.value, b.baseline, b.target, b.status, b.pace)


# --- baselines ---------------------------------------------------------------------------------------

def test_baseline__computed_from_2014(connection, add_return, report_row):
    add_return(connection, "BRN", 2014, {"agencies_total": 40, "a11_agencies_competency": 20})
    add_return(connection, "BRN", 2016, {"agencies_total": 40, "a11_agencies_competency": 30})
    row = report_row(connection, "A.1.1", "BRN", 2016)
    assert row.baseline == pytest.approx(100 * 20 / 40)  # 50
    assert row.baseline_source == "computed"
    assert row.change == pytest.approx(75 - 50)


def test_baseline__none_without_2014_data(connection, add_return, report_row):
    add_return(connection, "BRN", 2016, {"agencies_total": 40, "a11_agencies_competency": 30})
    target(connection, "A.1.1", "BRN", 90)
    row = report_row(connection, "A.1.1", "BRN", 2016)
    assert blank(row.baseline) and blank(row.baseline_source)
    assert row.status == "no baseline"


def test_baseline__entered_wins_and_is_marked(connection, add_return, report_row):
    add_return(connection, "BRN", 2014, {"agencies_total": 40, "a11_agencies_competency": 20})
    add_return(connection, "BRN", 2016, {"agencies_total": 40, "a11_agencies_competency": 30})
    target(connection, "A.1.1", "BRN", 90, baseline=60)
    row = report_row(connection, "A.1.1", "BRN", 2016)
    assert row.baseline == 60 and row.baseline_source == "entered"
    assert row.change == pytest.approx(75 - 60)  # 15
    assert row.progress == pytest.approx((75 - 60) / (90 - 60))  # 0.5
    assert row.expected == pytest.approx(60 + (90 - 60) * 2 / 6)  # 70
    assert row.pace == pytest.approx((75 - 60) / (70 - 60))  # 1.5
    assert row.status == "on track"
    # the entered baseline is the baseline of the projection: 75·(75/60)^(4/2) = 117.2, capped at 100
    assert row.projected == pytest.approx(100)


def test_baseline__entered_without_2014_return(connection, add_return, report_row):
    add_return(connection, "BRN", 2017, {"e3_satisfaction_pct": 66, "e3_survey": "S"})
    target(connection, "E.3", "BRN", 80, baseline=60)
    row = report_row(connection, "E.3", "BRN", 2017)
    assert row.baseline == 60 and row.baseline_source == "entered"
    assert row.expected == pytest.approx(60 + 20 * 3 / 6)  # 70
    assert row.pace == pytest.approx((66 - 60) / (70 - 60))  # 0.6
    assert row.status == "acceleration needed"
    assert row.projected == pytest.approx(66 * (66 / 60) ** ((2020 - 2017) / (2017 - 2014)))  # 72.6


def test_baseline__entered_applies_only_to_its_own_scope(connection, add_return, report_row):
    for country in ("BRN", "KHM"):
        add_return(connection, country, 2014, {"e3_satisfaction_pct": 50, "e3_survey": "S"})
        add_return(connection, country, 2016, {"e3_satisfaction_pct": 60, "e3_survey": "S"})
    target(connection, "E.3", "BRN", 90, baseline=40)
    target(connection, "E.3", "ASEAN", 90, baseline=30)
    target(connection, "E.3", "AMS", 90, baseline=20)  # the every-AMS row's baseline is not KHM's
    assert report_row(connection, "E.3", "BRN", 2016).baseline == 40
    khm = report_row(connection, "E.3", "KHM", 2016)
    assert khm.baseline == 50 and khm.baseline_source == "computed"
    assert report_row(connection, "E.3", "ASEAN", 2016).baseline == 30


def test_baseline__entered_every_ams_baseline_is_not_applied(connection, add_return, report_row):
    add_return(connection, "KHM", 2016, {"e3_satisfaction_pct": 60, "e3_survey": "S"})
    target(connection, "E.3", "AMS", 90, baseline=20)
    khm = report_row(connection, "E.3", "KHM", 2016)
    assert blank(khm.baseline)
    assert khm.status == "no baseline"


@pytest.mark.parametrize(("code", "values", "items"), [
    ("A.1", {"a1_competency_institutionalised": "yes"}, None),
    ("B.2", {"b2_policies_count": 1}, {"policies": [{"title": "P", "level": "national"}]}),
    ("D.2.1", {}, {"arc_projects": [{"title": "A", "participants": 10}]}),
])
def test_baseline__asean_count_or_sum_needs_all_ten_ams(connection, add_return, report_row, code, values, items):
    for country in AMS[:9]:  # VNM sent no 2014 return
        add_return(connection, country, 2014, values, items)
    for country in AMS:
        add_return(connection, country, 2016, values, items)
    target(connection, code, "ASEAN", 1000)
    row = report_row(connection, code, "ASEAN", 2016)
    assert blank(row.baseline)
    assert row.status == "no baseline"
    assert report_row(connection, code, "ASEAN", 2014).coverage == 9


@pytest.mark.parametrize(("code", "values", "items", "baseline"), [
    ("A.1", {"a1_competency_institutionalised": "yes"}, None, 10),  # ten yes
    ("B.2", {"b2_policies_count": 1}, {"policies": [{"title": "P", "level": "national"}]}, 10),  # 10 × 1
    ("D.2.1", {}, {"arc_projects": [{"title": "A", "participants": 10}]}, 100),  # 10 × 10
])
def test_baseline__asean_count_or_sum_with_all_ten_ams(connection, add_return, report_row, code, values, items,
                                                       baseline):
    for country in AMS:
        add_return(connection, country, 2014, values, items)
    row = report_row(connection, code, "ASEAN", 2014)
    assert row.baseline == baseline and row.baseline_source == "computed"


def test_baseline__asean_count_entered_when_2014_incomplete(connection, add_return, report_row):
    for country in AMS[:9]:
        add_return(connection, country, 2014, {"a1_competency_institutionalised": "no"})
    for country in AMS:
        add_return(connection, country, 2016, {"a1_competency_institutionalised": "no" if country == "VNM" else "yes"})
    target(connection, "A.1", "ASEAN", 10, baseline=3)
    row = report_row(connection, "A.1", "ASEAN", 2016)
    assert row.baseline == 3 and row.baseline_source == "entered"
    assert row.value == 9 and row.coverage == 10
    assert row.pace == pytest.approx((9 - 3) / (3 + 7 * 2 / 6 - 3))  # 6 / 2.33 = 2.57
    assert row.status == "on track"


def test_baseline__asean_mean_computed_at_any_coverage(connection, add_return, report_row):
    add_return(connection, "BRN", 2014, {"e3_satisfaction_pct": 50, "e3_survey": "S"})
    add_return(connection, "KHM", 2014, {"e3_satisfaction_pct": 70, "e3_survey": "S"})
    add_return(connection, "BRN", 2017, {"e3_satisfaction_pct": 62, "e3_survey": "S"})
    target(connection, "E.3", "ASEAN", 80)
    row = report_row(connection, "E.3", "ASEAN", 2017)
    assert row.baseline == pytest.approx((50 + 70) / 2) and row.baseline_source == "computed"  # 60
    assert row.coverage == 1
    assert row.pace == pytest.approx((62 - 60) / (70 - 60))  # expected(2017) = 70: pace 0.2
    assert row.status == "limited progress"


# --- targets -----------------------------------------------------------------------------------------

def test_target__asean(connection, add_return, report_row):
    add_return(connection, "BRN", 2016, {"e3_satisfaction_pct": 60, "e3_survey": "S"})
    target(connection, "E.3", "ASEAN", 85)
    row = report_row(connection, "E.3", "ASEAN", 2016)
    assert row.target == 85 and row.target_source == "own"
    assert blank(report_row(connection, "E.3", "BRN", 2016).target)  # an ASEAN target is not an AMS's


def test_target__own_ams(connection, add_return, report_row):
    add_return(connection, "BRN", 2016, {"e3_satisfaction_pct": 60, "e3_survey": "S"})
    target(connection, "E.3", "BRN", 75)
    row = report_row(connection, "E.3", "BRN", 2016)
    assert row.target == 75 and row.target_source == "own"
    assert blank(report_row(connection, "E.3", "KHM", 2016).target)


def test_target__every_ams_row_applies_where_no_own_target(connection, add_return, report_row):
    for country in ("BRN", "KHM", "IDN"):
        add_return(connection, country, 2016, {"e3_satisfaction_pct": 60, "e3_survey": "S"})
    target(connection, "E.3", "AMS", 80)
    target(connection, "E.3", "BRN", 75)  # own target wins
    target(connection, "E.3", "IDN", None, baseline=50)  # own row without target: every-AMS applies
    brn, khm, idn = (report_row(connection, "E.3", s, 2016) for s in ("BRN", "KHM", "IDN"))
    assert (brn.target, brn.target_source) == (75, "own")
    assert (khm.target, khm.target_source) == (80, "every AMS")
    assert (idn.target, idn.target_source) == (80, "every AMS")
    assert blank(report_row(connection, "E.3", "ASEAN", 2016).target)  # "AMS" is not ASEAN


def test_target__cleared_by_a_blank(connection, add_return, report_row):
    add_return(connection, "BRN", 2016, {"e3_satisfaction_pct": 60, "e3_survey": "S"})
    target(connection, "E.3", "BRN", 75)
    target(connection, "E.3", "BRN", None)
    row = report_row(connection, "E.3", "BRN", 2016)
    assert blank(row.target) and row.status == "no target"


def test_target__not_applied_to_yes_no_rows(connection, add_return, report_row):
    add_return(connection, "BRN", 2016, {"a1_competency_institutionalised": "yes"})
    target(connection, "A.1", "AMS", 1)
    target(connection, "A.1", "BRN", 1)
    row = report_row(connection, "A.1", "BRN", 2016)
    assert row.value == 1
    assert row.status in ("", None)
    assert blank(row.progress)


# --- status end to end -------------------------------------------------------------------------------

def _e3(connection, add_return, country, year, pct):
    add_return(connection, country, year, {"e3_satisfaction_pct": pct, "e3_survey": "S"})


@pytest.mark.parametrize(("value", "status"), [
    (80, "achieved"),  # v = x_T
    (50, "on track"),  # expected(2017) = 20 + 60·3/6 = 50: pace 1
    (48.5, "on track"),  # pace 28.5/30 = 0.95
    (38, "acceleration needed"),  # pace 18/30 = 0.6
    (37, "limited progress"),  # pace 17/30 = 0.567
    (20, "limited progress"),  # pace 0
    (15, "deterioration"),  # pace -5/30
])
def test_status__end_to_end_for_an_ams(connection, add_return, report_row, value, status):
    _e3(connection, add_return, "BRN", 2014, 20)
    _e3(connection, add_return, "BRN", 2017, value)
    target(connection, "E.3", "BRN", 80)
    row = report_row(connection, "E.3", "BRN", 2017)
    assert row.status == status
    assert row.progress == pytest.approx((value - 20) / (80 - 20))
    assert row.expected == pytest.approx(50)
    assert row.pace == pytest.approx((value - 20) / (50 - 20))


def test_status__baseline_year(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 20)
    target(connection, "E.3", "BRN", 80)
    row = report_row(connection, "E.3", "BRN", 2014)
    assert row.status == "baseline year"
    assert row.progress == pytest.approx(0)


def test_status__before_baseline(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2012, 10)
    _e3(connection, add_return, "BRN", 2014, 20)
    target(connection, "E.3", "BRN", 80)
    assert report_row(connection, "E.3", "BRN", 2012).status == "before baseline"


def test_status__no_data_for_a_missing_year(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 20)
    _e3(connection, add_return, "BRN", 2017, 40)
    target(connection, "E.3", "BRN", 80)
    row = report_row(connection, "E.3", "BRN", 2016)
    assert blank(row.value) and row.status == "no data"


def test_status__no_target_shows_change(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 20)
    _e3(connection, add_return, "BRN", 2017, 35)
    row = report_row(connection, "E.3", "BRN", 2017)
    assert row.status == "no target"
    assert row.change == pytest.approx(35 - 20)


def test_status__incomplete_data_for_asean_count(connection, add_return, report_row):
    for country in AMS:
        add_return(connection, country, 2014, {"a1_competency_institutionalised": "no"})
    for country in AMS[:9]:  # VNM has not returned for 2017 yet
        add_return(connection, country, 2017, {"a1_competency_institutionalised": "yes"})
    target(connection, "A.1", "ASEAN", 10)
    row = report_row(connection, "A.1", "ASEAN", 2017)
    assert row.value == 9 and row.coverage == 9  # still shown, with its coverage
    assert row.baseline == 0
    assert row.status == "incomplete data"


def test_status__asean_mean_judged_below_full_coverage(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 20)
    _e3(connection, add_return, "BRN", 2017, 50)
    target(connection, "E.3", "ASEAN", 80)
    row = report_row(connection, "E.3", "ASEAN", 2017)
    assert row.coverage == 1 and row.status == "on track"  # pace (50 − 20) / (50 − 20) = 1


def test_status__asean_count_projection_capped_at_ten(connection, add_return, report_row):
    for n, country in enumerate(AMS):
        add_return(connection, country, 2014, {"a1_competency_institutionalised": "yes" if n < 4 else "no"})
        add_return(connection, country, 2016, {"a1_competency_institutionalised": "yes" if n < 6 else "no"})
    target(connection, "A.1", "ASEAN", 10)
    row = report_row(connection, "A.1", "ASEAN", 2016)
    assert (row.value, row.baseline, row.coverage) == (6, 4, 10)
    assert row.expected == pytest.approx(4 + (10 - 4) * 2 / 6)  # 6
    assert row.pace == pytest.approx(1.0) and row.status == "on track"
    assert row.projected == pytest.approx(10)  # 6·(6/4)^(4/2) = 13.5, capped at 10 AMS


def test_status__percentage_projection_capped_at_100(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 40)
    _e3(connection, add_return, "BRN", 2016, 80)
    target(connection, "E.3", "BRN", 90)
    assert report_row(connection, "E.3", "BRN", 2016).projected == pytest.approx(100)  # 80·2^2 = 320


def test_status__projection_uncapped_within_range(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 40)
    _e3(connection, add_return, "BRN", 2017, 50)
    target(connection, "E.3", "BRN", 90)
    row = report_row(connection, "E.3", "BRN", 2017)
    assert row.projected == pytest.approx(50 * (50 / 40) ** ((2020 - 2017) / (2017 - 2014)))  # 62.5


def test_status__list_count_projection_is_not_capped(connection, add_return, report_row):
    rows = [{"title": f"P{i}", "level": "national"} for i in range(6)]
    add_return(connection, "BRN", 2014, {}, {"policies": rows[:2]})
    add_return(connection, "BRN", 2016, {}, {"policies": rows})
    target(connection, "B.2", "BRN", 100)
    assert report_row(connection, "B.2", "BRN", 2016).projected == pytest.approx(6 * (6 / 2) ** 2)  # 54


# --- every indicator declared and computed -------------------------------------------------------------

def test_catalogue__declares_the_17_indicators():
    assert WORK_PLAN_2016_2020.codes == ALL_CODES
    assert (WORK_PLAN_2016_2020.baseline_year, WORK_PLAN_2016_2020.target_year) == (2014, 2020)


def test_report__every_indicator_computed_for_complete_data(connection, add_return):
    values, items = complete_return()
    for country in AMS:
        add_return(connection, country, 2016, values, items)
    report = compute_report(connection, year=2016)
    assert tuple(dict.fromkeys(report["indicator"])) == ALL_CODES
    for row in report.itertuples(index=False):
        assert not blank(row.value), (row.indicator, row.scope)
    asean = {r.indicator: r for r in report[report.scope == "ASEAN"].itertuples(index=False)}
    assert all(r.coverage == 10 for r in asean.values())
    expected = {
        "A.1": 10, "B.1": 10, "C.1": 10, "C.2": 0, "D.1": 10, "E.2": 10,  # counts of yes
        "A.1.1": 100 * 30 / 40, "B.1.1": 100 * 20 / 40, "C.1.1": 100 * 10 / 40, "C.2.1": 100 * 4 / 40,
        "B.2": 10 * 2, "D.2": 10 * 2, "E.1": 10 * 2,  # two of each list per AMS
        "D.1.1": 100 * (15 + 9) / (20 + 10),  # 80
        "D.2.1": 10 * (25 + 15),  # 400
        "E.2.1": 100 * 2 / 8,  # 25
        "E.3": 70,
    }
    assert {code: asean[code].value for code in ALL_CODES} == pytest.approx(expected)
    assert asean["D.2.1"].details["mean_per_project"] == pytest.approx(400 / 20)
    assert asean["A.1.1"].details["number"] == 10 * 30


def test_status__after_target_year_expected_is_target(connection, add_return, report_row):
    _e3(connection, add_return, "BRN", 2014, 20)
    _e3(connection, add_return, "BRN", 2021, 70)
    target(connection, "E.3", "BRN", 80)
    row = report_row(connection, "E.3", "BRN", 2021)
    assert row.expected == pytest.approx(80)  # t > T: x_T
    assert row.pace == pytest.approx((70 - 20) / (80 - 20))  # 50/60 = 0.83
    assert row.status == "not achieved"  # t ≥ T and v < x_T: the pace no longer counts
    assert blank(row.projected)  # only for t_b < t < T


def test_report__scopes_are_asean_and_the_ten_ams_not_plus_three(connection, add_return):
    add_return(connection, "BRN", 2016, {"a1_competency_institutionalised": "yes"})
    scopes = list(dict.fromkeys(compute_report(connection, year=2016)["scope"]))
    assert scopes == ["ASEAN", *AMS]  # ASEAN's order; CHN, JPN, KOR do not report KPIs
