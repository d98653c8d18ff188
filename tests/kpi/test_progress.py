"""progress.md, formula by formula and rule by rule, against hand-computed cases (t_b = 2014, T = 2020)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kpi.progress import (
    ACCELERATION_PACE,
    ON_TRACK_PACE,
    STATUS_COLOURS,
    STATUSES,
    assess,
    expected_value,
    pace_ratio,
    projected_value,
    share_of_distance,
    status_from_pace,
)

TB, T = 2014, 2020

LABELS = {"no data", "no target", "no baseline", "incomplete data", "before baseline", "baseline year",
          "achieved", "not achieved", "on track", "acceleration needed", "limited progress", "deterioration"}


# --- 1. share of the distance covered: (v − b) / (x_T − b) --------------------------------------

@pytest.mark.parametrize(("value", "baseline", "target", "expected"), [
    (20, 20, 80, 0.0),  # at the baseline
    (80, 20, 80, 1.0),  # at the target
    (50, 20, 80, (50 - 20) / (80 - 20)),  # half way: 30 of 60
    (35, 20, 80, (35 - 20) / (80 - 20)),  # 15 of 60 = 0.25
    (10, 20, 80, (10 - 20) / (80 - 20)),  # moved away: -10/60
    (90, 20, 80, (90 - 20) / (80 - 20)),  # beyond the target: 70/60
])
def test_share_of_distance__hand_cases(value, baseline, target, expected):
    assert share_of_distance(value, baseline, target) == pytest.approx(expected)


@pytest.mark.parametrize(("value", "baseline", "target"), [
    (45, 50, 40),  # target below baseline: -5/-10 would read "50 %" of a distance there is nothing to gain
    (30, 50, 40),  # already past the target: -20/-10 would read "200 %"
    (50, 50, 50),  # target at the baseline: 0/0
    (12, 50, 50),
])
def test_share_of_distance__blank_when_the_target_is_at_or_below_the_baseline(value, baseline, target):
    assert share_of_distance(value, baseline, target) is None


def test_share_of_distance__negative_when_moving_away():
    assert share_of_distance(10, 20, 80) < 0


# --- 2. expected value on the straight path ------------------------------------------------------

@pytest.mark.parametrize(("year", "expected"), [
    (2014, 20.0),  # t = t_b: b
    (2015, 20 + 60 * 1 / 6),  # 30
    (2016, 20 + 60 * 2 / 6),  # 40
    (2017, 20 + 60 * 3 / 6),  # 50
    (2019, 20 + 60 * 5 / 6),  # 70
    (2020, 80.0),  # t = T: x_T
    (2021, 80.0),  # t > T: x_T
    (2025, 80.0),  # t > T: x_T
])
def test_expected_value__straight_path_then_target(year, expected):
    assert expected_value(year, 20, 80, TB, T) == pytest.approx(expected)


def test_expected_value__target_below_baseline_path_goes_down():
    # b = 50, x_T = 40: 50 + (40 − 50)·3/6 = 45 in 2017
    assert expected_value(2017, 50, 40, TB, T) == pytest.approx(50 + (40 - 50) * 3 / 6)


# --- 3. pace ratio: (v − b) / (expected(t) − b) for t > t_b ------------------------------------

@pytest.mark.parametrize(("value", "year", "expected"), [
    (50, 2017, (50 - 20) / (50 - 20)),  # exactly on the path: 1
    (35, 2017, (35 - 20) / (50 - 20)),  # 15 of the 30 due: 0.5
    (65, 2017, (65 - 20) / (50 - 20)),  # ahead: 1.5
    (10, 2017, (10 - 20) / (50 - 20)),  # moved away: -1/3
    (30, 2015, (30 - 20) / (30 - 20)),  # 2015: expected 30, on the path
    (72, 2020, (72 - 20) / (80 - 20)),  # t = T: expected is x_T, 52/60
    (72, 2023, (72 - 20) / (80 - 20)),  # t > T: expected stays x_T, 52/60
])
def test_pace__hand_cases(value, year, expected):
    assert pace_ratio(value, year, 20, 80, TB, T) == pytest.approx(expected)


@pytest.mark.parametrize("year", [2014, 2013, 2010])
def test_pace__none_at_or_before_baseline_year(year):
    assert pace_ratio(50, year, 20, 80, TB, T) is None


# --- status rules, in the table's order ---------------------------------------------------------

def test_status__no_data():
    result = assess(None, 2017, 20, 80, TB, T)
    assert result.status == "no data"
    assert (result.change, result.progress, result.expected, result.pace, result.projected) == (None,) * 5


def test_status__no_data__nan_is_no_value():
    assert assess(float("nan"), 2017, 20, 80, TB, T).status == "no data"


def test_status__no_data_before_every_other_rule():
    # no value, no target, no baseline, incomplete, before baseline: "no data" comes first
    assert assess(None, 2010, None, None, TB, T, incomplete=True).status == "no data"


def test_status__no_target__change_still_shown():
    result = assess(50, 2017, 20, None, TB, T)
    assert result.status == "no target"
    assert result.change == pytest.approx(50 - 20)  # v − b = 30


def test_status__no_target_before_no_baseline():
    result = assess(50, 2017, None, None, TB, T)
    assert result.status == "no target"
    assert result.change is None


def test_status__no_target_before_incomplete():
    assert assess(5, 2017, 3, None, TB, T, incomplete=True).status == "no target"


def test_status__no_baseline():
    result = assess(50, 2017, None, 80, TB, T)
    assert result.status == "no baseline"
    assert result.change is None and result.progress is None and result.pace is None


@pytest.mark.parametrize(("value", "year", "expected"), [
    (75.6, 2020, "not achieved"),  # LAO D.1.1 in the demo: 75.6 % against 85 %, no 2014 value
    (85, 2020, "achieved"),
    (90, 2021, "achieved"),
    (84.9, 2021, "not achieved"),
    (90, 2019, "no baseline"),  # before the target year the pace needs a baseline
])
def test_status__no_baseline_from_the_target_year_only_the_target_counts(value, year, expected):
    result = assess(value, year, None, 85, TB, T)
    assert result.status == expected
    assert result.change is None and result.progress is None and result.pace is None


def test_status__no_baseline_and_incomplete_in_the_target_year_is_not_judged():
    assert assess(5, 2020, None, 8, TB, T, incomplete=True).status == "no baseline"


def test_status__no_baseline_before_incomplete():
    assert assess(5, 2017, None, 8, TB, T, incomplete=True).status == "no baseline"


def test_status__incomplete_data__not_judged():
    result = assess(5, 2017, 3, 8, TB, T, incomplete=True)
    assert result.status == "incomplete data"
    assert result.pace is None  # not judged


def test_status__incomplete_before_before_baseline():
    assert assess(5, 2012, 3, 8, TB, T, incomplete=True).status == "incomplete data"


@pytest.mark.parametrize("year", [2013, 2010])
def test_status__before_baseline(year):
    result = assess(50, year, 20, 80, TB, T)
    assert result.status == "before baseline"
    assert result.pace is None


def test_status__before_baseline__even_above_target():
    assert assess(95, 2013, 20, 80, TB, T).status == "before baseline"


def test_status__baseline_year():
    result = assess(20, 2014, 20, 80, TB, T)
    assert result.status == "baseline year"
    assert result.change == pytest.approx(0)  # v − b = 20 − 20
    assert result.progress == pytest.approx(0)  # 0 at the baseline
    assert result.pace is None  # pace is defined for t > t_b only


def test_status__baseline_year__even_above_target():
    # an entered baseline can differ from the 2014 value; t = t_b still decides first
    result = assess(90, 2014, 20, 80, TB, T)
    assert result.status == "baseline year"
    assert result.change == pytest.approx(90 - 20)


@pytest.mark.parametrize(("value", "year"), [
    (80, 2017),  # v = x_T
    (85, 2016),  # v > x_T
    (80, 2020),  # at the target year
    (81, 2022),  # after the target year
])
def test_status__achieved(value, year):
    assert assess(value, year, 20, 80, TB, T).status == "achieved"


@pytest.mark.parametrize(("value", "year", "pace", "status"), [
    # b = 20, x_T = 80: expected(2017) = 50, 30 due
    (50, 2017, 30 / 30, "on track"),
    (48.5, 2017, 28.5 / 30, "on track"),  # pace exactly 0.95
    (48.4, 2017, 28.4 / 30, "acceleration needed"),  # pace 0.9467
    (38, 2017, 18 / 30, "acceleration needed"),  # pace exactly 0.6
    (37.9, 2017, 17.9 / 30, "limited progress"),  # pace 0.5967
    (20, 2017, 0 / 30, "limited progress"),  # pace exactly 0
    (19.9, 2017, -0.1 / 30, "deterioration"),  # pace just below 0
    (10, 2017, -10 / 30, "deterioration"),
    # t = T: expected = x_T = 100, b = 0, so pace = v / 100; but at the end of the plan only the target counts
    (95, 2020, 95 / 100, "not achieved"),  # pace 0.95 would have been "on track"
    (94, 2020, 94 / 100, "not achieved"),
    (60, 2020, 60 / 100, "not achieved"),
    (59, 2020, 59 / 100, "not achieved"),
])
def test_status__pace_thresholds(value, year, pace, status):
    baseline, target = (20, 80) if year == 2017 else (0, 100)
    result = assess(value, year, baseline, target, TB, T)
    assert result.pace == pytest.approx(pace)
    assert result.status == status


@pytest.mark.parametrize(("pace", "status"), [
    (1.5, "on track"),
    (0.95, "on track"),
    (0.9499999, "acceleration needed"),
    (0.6, "acceleration needed"),
    (0.5999999, "limited progress"),
    (0.0, "limited progress"),
    (-1e-9, "deterioration"),
    (-2.0, "deterioration"),
])
def test_status_from_pace__thresholds(pace, status):
    assert status_from_pace(pace) == status


def test_assess__figures_of_a_judged_year():
    # b = 20, x_T = 80, v = 35 in 2017
    result = assess(35, 2017, 20, 80, TB, T, upper=100)
    assert result.change == pytest.approx(35 - 20)  # 15
    assert result.progress == pytest.approx((35 - 20) / (80 - 20))  # 0.25
    assert result.expected == pytest.approx(20 + 60 * 3 / 6)  # 50
    assert result.pace == pytest.approx((35 - 20) / (50 - 20))  # 0.5
    assert result.status == "limited progress"
    assert result.projected == pytest.approx(35 * (35 / 20) ** ((2020 - 2017) / (2017 - 2014)))  # 61.25


def test_assess__after_target_year_expected_is_target():
    result = assess(70, 2022, 20, 80, TB, T)
    assert result.expected == pytest.approx(80)
    assert result.pace == pytest.approx((70 - 20) / (80 - 20))  # 50/60 = 0.833
    assert result.status == "not achieved"  # t > T and v < x_T
    assert result.projected is None  # t > T


@pytest.mark.parametrize(("value", "year", "status"), [
    # b = 20, x_T = 75 (the case: 74.8 % against a 75 % target in the target year)
    (74.8, 2020, "not achieved"),  # pace (74.8-20)/(75-20) = 0.996 would read "on track"
    (74.8, 2019, "on track"),  # a year before: expected(2019) = 20 + 55·5/6 = 65.83, pace 1.09
    (75, 2020, "achieved"),  # v = x_T
    (75.1, 2021, "achieved"),
    (20, 2021, "not achieved"),  # after the target year, still below
    (10, 2020, "not achieved"),  # moved away: "not achieved", not "deterioration", at the end of the plan
])
def test_status__from_the_target_year_only_the_target_counts(value, year, status):
    result = assess(value, year, 20, 75, TB, T)
    assert result.status == status
    assert result.progress == pytest.approx((value - 20) / (75 - 20))  # the distance covered is still shown


# --- edge case: target at or below the baseline ---------------------------------------------------

@pytest.mark.parametrize(("value", "baseline", "target", "status"), [
    (45, 50, 40, "achieved"),  # v ≥ x_T although v fell
    (40, 50, 40, "achieved"),  # v = x_T
    (55, 50, 40, "achieved"),  # v ≥ x_T
    (35, 50, 40, "deterioration"),  # v < x_T
    (50, 50, 50, "achieved"),  # target = baseline, v = x_T
    (60, 50, 50, "achieved"),
    (49, 50, 50, "deterioration"),  # target = baseline, v < x_T
])
def test_status__target_at_or_below_baseline(value, baseline, target, status):
    result = assess(value, 2017, baseline, target, TB, T)
    assert result.status == status
    assert result.progress is None  # nothing to gain: no share of a distance, never "-78.6 %"


@pytest.mark.parametrize(("value", "year", "status"), [
    (35, 2020, "not achieved"),  # b = 50, x_T = 40: below the target in the target year
    (35, 2023, "not achieved"),
    (40, 2020, "achieved"),
    (35, 2019, "deterioration"),  # before the target year
])
def test_status__target_below_baseline_at_the_end_of_the_plan(value, year, status):
    result = assess(value, year, 50, 40, TB, T)
    assert result.status == status
    assert result.progress is None


def test_progress__blank_in_the_baseline_year_when_the_target_is_below_the_baseline():
    result = assess(50, TB, 50, 40, TB, T)
    assert result.status == "baseline year" and result.progress is None


def test_status__target_equal_to_baseline__no_division_by_zero():
    result = assess(49, 2017, 50, 50, TB, T)
    assert result.progress is None and result.pace is None
    assert result.change == pytest.approx(-1)


# --- secondary figure: projected value at the target year ----------------------------------------

@pytest.mark.parametrize(("value", "baseline", "year", "upper", "expected"), [
    (40, 20, 2017, None, 40 * (40 / 20) ** ((2020 - 2017) / (2017 - 2014))),  # 40·2^1 = 80
    (30, 20, 2016, 100, 30 * (30 / 20) ** ((2020 - 2016) / (2016 - 2014))),  # 30·1.5^2 = 67.5
    (60, 40, 2019, 100, 60 * (60 / 40) ** ((2020 - 2019) / (2019 - 2014))),  # 60·1.5^0.2
    (10, 20, 2017, 100, 10 * (10 / 20) ** 1),  # falling: 10·0.5 = 5
    (40, 20, 2016, 100, 100.0),  # 40·2^2 = 160, capped at 100 (percentage)
    (6, 4, 2017, 10, 6 * (6 / 4) ** 1),  # count of AMS: 9, under the cap
    (6, 4, 2016, 10, 10.0),  # count of AMS: 6·1.5^2 = 13.5, capped at 10
    (0, 20, 2017, 100, 0.0),  # nothing left: 0, the lower bound
])
def test_projected__hand_cases(value, baseline, year, upper, expected):
    assert projected_value(value, year, baseline, TB, T, 0.0, upper) == pytest.approx(expected)


def test_projected__lower_cap():
    # 1·(1/10)^5 = 1e-5, raised to the range's lower bound
    assert projected_value(1, 2015, 10, TB, T, lower=0.0) == pytest.approx(1e-5)
    assert projected_value(1, 2015, 10, TB, T, lower=2.0) == pytest.approx(2.0)


@pytest.mark.parametrize(("baseline", "year"), [
    (0, 2017),  # b = 0: no growth rate
    (20, 2014),  # t = t_b
    (20, 2013),  # t < t_b
    (20, 2020),  # t = T
    (20, 2022),  # t > T
])
def test_projected__only_for_positive_baseline_between_baseline_and_target_year(baseline, year):
    assert projected_value(40, year, baseline, TB, T, 0.0, 100.0) is None


def test_assess__projection_capped_through_assess():
    # percentage: 40·(40/20)^2 = 160 → 100; count of AMS: 6·1.5^2 = 13.5 → 10
    assert assess(40, 2016, 20, 90, TB, T, upper=100).projected == pytest.approx(100)
    assert assess(6, 2016, 4, 10, TB, T, upper=10).projected == pytest.approx(10)


@pytest.mark.parametrize("upper", [100.0, None])
def test_assess__extreme_growth_does_not_crash(upper):
    # v/b = 1e306 raised to (2020 − 2015)/(2015 − 2014) = 5 overflows a float; the status must still come out
    # (projected capped at the range's upper bound, or unbounded) instead of OverflowError.
    result = assess(1e6, 2015, 1e-300, 2e6, TB, T, upper=upper)
    assert result.status in LABELS
    if upper is not None:
        assert result.projected == pytest.approx(upper)


def test_assess__projection_shown_without_target():
    result = assess(40, 2017, 20, None, TB, T, upper=100)
    assert result.status == "no target"
    assert result.projected == pytest.approx(40 * (40 / 20) ** 1)  # 80


# --- colours ---------------------------------------------------------------------------------------

def test_colours__grey_statuses_are_never_red():
    red = STATUS_COLOURS["deterioration"]
    assert STATUS_COLOURS["limited progress"] == red
    assert STATUS_COLOURS["achieved"] == STATUS_COLOURS["on track"]
    assert STATUS_COLOURS["acceleration needed"] not in (red, STATUS_COLOURS["achieved"])
    grey = {STATUS_COLOURS[s] for s in ("no data", "no target", "no baseline", "incomplete data",
                                         "before baseline", "baseline year")}
    assert len(grey) == 1 and red not in grey and STATUS_COLOURS["achieved"] not in grey


def test_statuses__exactly_the_labels_of_the_table():
    assert set(STATUSES) == LABELS
    assert set(STATUS_COLOURS) == LABELS


# --- properties ------------------------------------------------------------------------------------

# Figures of the kind the indicators produce (percentages, counts, sums): at most three decimals, so a
# positive baseline is at least 0.001. (Absurd ratios are pinned separately: test_assess__extreme_growth...)
figures = st.one_of(st.integers(-100_000, 100_000).map(float),
                    st.floats(-100_000, 100_000, allow_nan=False).map(lambda x: round(x, 3)))
plan_years = st.tuples(st.integers(1990, 2040), st.integers(1, 30))  # (t_b, T − t_b)


@given(baseline=figures, target=figures)
def test_property__progress_is_0_at_baseline_and_1_at_target(baseline, target):
    assume(target - baseline > 1e-6)
    assert share_of_distance(baseline, baseline, target) == pytest.approx(0.0, abs=1e-9)
    assert share_of_distance(target, baseline, target) == pytest.approx(1.0)


@given(baseline=figures, target=figures, years=plan_years)
def test_property__expected_is_baseline_at_tb_and_target_at_T(baseline, target, years):
    tb, span = years
    assert expected_value(tb, baseline, target, tb, tb + span) == pytest.approx(baseline)
    assert expected_value(tb + span, baseline, target, tb, tb + span) == pytest.approx(target)
    assert expected_value(tb + span + 3, baseline, target, tb, tb + span) == target


@given(value=st.one_of(st.none(), figures), baseline=st.one_of(st.none(), figures),
       target=st.one_of(st.none(), figures), year=st.integers(1990, 2060), years=plan_years,
       incomplete=st.booleans())
def test_property__status_is_always_a_label(value, baseline, target, year, years, incomplete):
    tb, span = years
    assert assess(value, year, baseline, target, tb, tb + span, incomplete=incomplete).status in LABELS


@given(baseline=figures, target=figures, excess=st.floats(0, 1e5), years=plan_years, after=st.integers(1, 40))
def test_property__value_at_or_above_target_is_achieved(baseline, target, excess, years, after):
    tb, span = years
    value = target + excess
    assume(value >= target)
    assert assess(value, tb + after, baseline, target, tb, tb + span).status == "achieved"


@given(baseline=st.floats(0.01, 100), value=st.floats(0, 100), year=st.integers(2015, 2019))
def test_property__projection_within_range(baseline, value, year):
    projected = projected_value(value, year, baseline, TB, T, 0.0, 100.0)
    assert projected is not None and 0.0 <= projected <= 100.0
    assert not math.isnan(projected)


def test_projected__shown_without_a_target():
    # The projection needs only a baseline (progress.md's rule names b > 0 and t_b < t < T).
    result = assess(35, 2017, 20, None, TB, T, upper=100)
    assert result.status == "no target"
    assert result.projected == pytest.approx(35 * (35 / 20) ** ((2020 - 2017) / (2017 - 2014)))  # 61.25


def test_projected__not_shown_for_incomplete_data():
    # A count over fewer than all AMS is a lower bound: extrapolating it would judge it after all.
    result = assess(6, 2017, 4, 10, TB, T, incomplete=True, upper=10)
    assert result.status == "incomplete data"
    assert result.projected is None


def test_status_rules_text__says_the_thresholds_and_the_end_of_plan_rule():
    from kpi.progress import explain_status_rules
    text = " ".join(explain_status_rules(2014, 2020))
    for phrase in ("95 %", "60 %", "not achieved", "From 2020 on", "baseline in 2014", "incomplete data",
                   "left blank where the target is at or below the baseline"):
        assert phrase in text
    assert f"{int(ON_TRACK_PACE * 100)} %" in text and f"{int(ACCELERATION_PACE * 100)} %" in text
