"""Progress against baseline and target, and the status label, exactly as spec/progress.md defines them."""

from __future__ import annotations

import math
from dataclasses import dataclass

NO_DATA = "no data"
NO_TARGET = "no target"
NO_BASELINE = "no baseline"
INCOMPLETE_DATA = "incomplete data"
BEFORE_BASELINE = "before baseline"
BASELINE_YEAR = "baseline year"
ACHIEVED = "achieved"
ON_TRACK = "on track"
ACCELERATION_NEEDED = "acceleration needed"
LIMITED_PROGRESS = "limited progress"
DETERIORATION = "deterioration"
NOT_ACHIEVED = "not achieved"

STATUSES = (NO_DATA, NO_TARGET, NO_BASELINE, INCOMPLETE_DATA, BEFORE_BASELINE, BASELINE_YEAR,
            ACHIEVED, NOT_ACHIEVED, ON_TRACK, ACCELERATION_NEEDED, LIMITED_PROGRESS, DETERIORATION)
JUDGED_STATUSES = (ACHIEVED, ON_TRACK, ACCELERATION_NEEDED, LIMITED_PROGRESS, DETERIORATION, NOT_ACHIEVED)

ON_TRACK_PACE = 0.95
ACCELERATION_PACE = 0.6

GREEN, AMBER, RED, GREY = "#1a7f37", "#b7791f", "#c53030", "#8a8f98"
STATUS_COLOURS = {
    ACHIEVED: GREEN, ON_TRACK: GREEN, ACCELERATION_NEEDED: AMBER, LIMITED_PROGRESS: RED, DETERIORATION: RED,
    NOT_ACHIEVED: RED,
    NO_DATA: GREY, NO_TARGET: GREY, NO_BASELINE: GREY, INCOMPLETE_DATA: GREY, BEFORE_BASELINE: GREY,
    BASELINE_YEAR: GREY,
}


@dataclass(frozen=True)
class Assessment:
    """Progress figures for one (indicator, scope, year); None where a figure does not apply."""

    status: str
    change: float | None = None  # v - b
    progress: float | None = None  # share of the distance covered, 1 at the target
    expected: float | None = None  # value due on the straight path in this year
    pace: float | None = None  # progress made / progress due by this year
    projected: float | None = None  # projected target-year value at the current growth rate


def is_missing(value) -> bool:
    """Return True for no value: None, NaN, and pandas' NA and NaT. The one definition of *missing*; a blank is
    never 0, so nothing else may stand for it."""
    if value is None:
        return True
    if isinstance(value, (str, bytes, bool, int)):
        return False
    try:
        return bool(value != value)  # NaN, NaT (and numpy's) are the only scalars unequal to themselves
    except TypeError:  # pandas.NA: its comparisons are NA, whose truth is undefined
        return type(value).__name__ == "NAType"


def share_of_distance(value: float, baseline: float, target: float) -> float | None:
    """Return (v − b) / (x_T − b), or None when the target is at or below the baseline (nothing to gain)."""
    if target <= baseline:
        return None
    return (value - baseline) / (target - baseline)


def expected_value(year: int, baseline: float, target: float, baseline_year: int, target_year: int) -> float:
    """Return the value due in `year` on the straight path from baseline to target (the target once reached)."""
    if year >= target_year:
        return target
    return baseline + (target - baseline) * (year - baseline_year) / (target_year - baseline_year)


def pace_ratio(value: float, year: int, baseline: float, target: float, baseline_year: int,
               target_year: int) -> float | None:
    """Return (v − b) / (expected(t) − b) for t after the baseline year, else None (also when nothing is due)."""
    if year <= baseline_year:
        return None
    due = expected_value(year, baseline, target, baseline_year, target_year) - baseline
    if due == 0:
        return None
    return (value - baseline) / due


def projected_value(value: float, year: int, baseline: float, baseline_year: int, target_year: int,
                    lower: float = 0.0, upper: float | None = None) -> float | None:
    """Return v·(v/b)^((T−t)/(t−t_b)) capped to [lower, upper], for b > 0 and t_b < t < T; else None."""
    if not (baseline > 0 and baseline_year < year < target_year) or value < 0:
        return None
    try:
        projected = value * (value / baseline) ** ((target_year - year) / (year - baseline_year))
    except OverflowError:  # growth from a near-zero baseline: beyond any cap
        projected = math.inf
    projected = max(lower, projected)
    return min(upper, projected) if upper is not None else projected


def status_from_pace(pace: float) -> str:
    """Return the status label for a pace ratio (Open SDG thresholds)."""
    if pace >= ON_TRACK_PACE:
        return ON_TRACK
    if pace >= ACCELERATION_PACE:
        return ACCELERATION_NEEDED
    if pace >= 0:
        return LIMITED_PROGRESS
    return DETERIORATION


def assess(value: float | None, year: int, baseline: float | None, target: float | None,
           baseline_year: int, target_year: int, incomplete: bool = False,
           lower: float = 0.0, upper: float | None = None) -> Assessment:
    """Return the status and progress figures for one value, applying progress.md's rules in order.

    `incomplete` says the value is a regional count or sum whose coverage is below all AMS.
    `lower`/`upper` are the indicator's possible range, used to cap the projection.
    """
    if is_missing(value):
        return Assessment(NO_DATA)
    has_baseline = not is_missing(baseline)
    has_target = not is_missing(target)
    change = value - baseline if has_baseline else None
    judged = has_baseline and not incomplete and year > baseline_year
    projected = (projected_value(value, year, baseline, baseline_year, target_year, lower, upper)
                 if judged else None)
    if not has_target:
        return Assessment(NO_TARGET, change=change, projected=projected)
    if not has_baseline:
        # From the target year on only the target counts, so no baseline is needed to judge (issue 9); before
        # it the pace needs one. progress.md lists "no baseline" first; this is the one exception to its order.
        if not incomplete and year >= target_year:
            return Assessment(ACHIEVED if value >= target else NOT_ACHIEVED)
        return Assessment(NO_BASELINE)
    if incomplete:
        return Assessment(INCOMPLETE_DATA, change=change)
    if year < baseline_year:
        return Assessment(BEFORE_BASELINE, change=change)
    progress = share_of_distance(value, baseline, target)
    if year == baseline_year:
        return Assessment(BASELINE_YEAR, change=change, progress=progress)
    expected = expected_value(year, baseline, target, baseline_year, target_year)
    pace = pace_ratio(value, year, baseline, target, baseline_year, target_year)
    figures = dict(change=change, progress=progress, expected=expected, pace=pace, projected=projected)
    if value >= target:
        return Assessment(ACHIEVED, **figures)
    if year >= target_year:  # at the end of the plan only the target counts, not the pace
        return Assessment(NOT_ACHIEVED, **figures)
    if target <= baseline:
        return Assessment(DETERIORATION, **figures)
    return Assessment(status_from_pace(pace), **figures)


STATUS_LEGEND = ("Green: achieved or on track · amber: acceleration needed · red: limited progress, deterioration "
                 "or not achieved · grey: not judged (no data, no target, no baseline, incomplete data, "
                 "baseline year).")


def explain_status_rules(baseline_year: int, target_year: int) -> list[str]:
    """Return the status rules in plain words, one paragraph each: the one text every page and the pack show."""
    return [
        f"Progress is the share of the distance from the {baseline_year} baseline to the {target_year} target "
        "that has been covered: 0 % at the baseline, 100 % at the target. It is left blank where the target is "
        "at or below the baseline, because there is no distance to cover.",
        f"The status compares the progress made with the progress due by the year shown, on a straight path "
        f"from the baseline in {baseline_year} to the target in {target_year} (its pace): on track at 95 % of "
        "what is due or more, acceleration needed from 60 %, limited progress from 0 %, deterioration below 0 % "
        "(moving away from the target). A value at or above its target is achieved, whatever the year.",
        f"From {target_year} on, only the target counts: a value below its target is not achieved, however "
        "close it came, and one at or above it is achieved, with or without a baseline.",
        "The progress bar (distance covered) and the status (pace) can therefore differ: 40 % of the distance "
        "covered a third of the way through the plan is on track (a third was due), while 90 % covered in the "
        "target year is not achieved.",
        "Not judged: a regional count or sum that does not cover every Member State of the year (a missing "
        "return makes it a lower bound) reads incomplete data; a scope with no target or no value says so, and so does one with no "
        f"baseline before {target_year}. Yes/no answers of one Member State are shown as yes or no; the status belongs to the "
        "regional count.",
        STATUS_LEGEND,
    ]
