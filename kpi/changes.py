"""Year against year: how each ASEAN value moved, and which statuses improved or worsened (no Streamlit).

Severity, best first: achieved > on track > acceleration needed > limited progress > deterioration = not achieved.
A move between two judged statuses of different severity is an improvement or a worsening. A move between a
judged status and a not-judged one (no data, no target, incomplete data, ...) is neither: the scope is "now
judged" or "no longer judged", because nothing says the situation behind it got better or worse. Deterioration
and not achieved are equally severe (both red: below the path, and below the target at the end of the plan), so
a move between them is no change of severity and is left out. The yes/no answer of one AMS behind a yes-count
indicator has no status (kpi.progress); a flip of that answer is reported as "answer changed".
"""

from __future__ import annotations

import pandas as pd

from kpi.catalogue import Framework
from kpi.progress import (ACCELERATION_NEEDED, ACHIEVED, DETERIORATION, LIMITED_PROGRESS, NO_DATA,
                          NOT_ACHIEVED, ON_TRACK, is_missing)
from kpi.membership import ASEAN

SEVERITY = {ACHIEVED: 4, ON_TRACK: 3, ACCELERATION_NEEDED: 2, LIMITED_PROGRESS: 1, DETERIORATION: 0,
            NOT_ACHIEVED: 0}  # higher is better
IMPROVED, WORSENED = "improved", "worsened"
NOW_JUDGED, NO_LONGER_JUDGED = "now judged", "no longer judged"
ANSWER_CHANGED = "answer changed"
MOVEMENTS = (WORSENED, IMPROVED, NOW_JUDGED, NO_LONGER_JUDGED, ANSWER_CHANGED)  # the order the tables list them in

CHANGE_COLUMNS = ["code", "wording", "unit", "value_before", "value_now", "change", "status_before", "status_now",
                  "movement"]
AMS_CHANGE_COLUMNS = ["scope", "code", "wording", "unit", "is_answer", "value_before", "value_now", "status_before",
                      "status_now", "movement"]
MEMBER_SUMMARY_COLUMNS = ["scope", WORSENED, IMPROVED, "other"]


def compare_statuses(before: str | None, now: str | None) -> str | None:
    """Return IMPROVED, WORSENED, NOW_JUDGED, NO_LONGER_JUDGED, or None when the severity did not move.

    A status that is not judged (anything outside SEVERITY, None and "" included) has no severity.
    """
    old, new = SEVERITY.get(before or ""), SEVERITY.get(now or "")
    if old is None and new is None:
        return None
    if old is None:
        return NOW_JUDGED
    if new is None:
        return NO_LONGER_JUDGED
    if new > old:
        return IMPROVED
    if new < old:
        return WORSENED
    return None


def value_change(before, now) -> float | None:
    """Return now - before, or None when either value is missing (a missing value is never taken as 0)."""
    if is_missing(before) or is_missing(now):
        return None
    return float(now) - float(before)


def previous_year_with_data(report: pd.DataFrame, year: int) -> int | None:
    """Return the latest year before `year` with any value in the report (None when there is none).

    A year in which nobody reported is skipped: against it every status would read "now judged".
    """
    years = [int(y) for y in report[report["value"].notna()]["year"] if y < year]
    return max(years, default=None)


def asean_changes(report: pd.DataFrame, year: int, previous_year: int, framework: Framework) -> pd.DataFrame:
    """Return one row per indicator (framework order) with the ASEAN value and status in both years.

    Columns CHANGE_COLUMNS: value_before/value_now as numbers (None when missing), change = value_now -
    value_before (None when either is missing; for a percentage it is in percentage points), status_before/
    status_now (NO_DATA without a row), movement from compare_statuses ("" for none: a frame would make None NaN).
    """
    before = _rows(report, previous_year, ASEAN)
    now = _rows(report, year, ASEAN)
    records = []
    for indicator in framework.indicators:
        old, new = before.get(indicator.code, {}), now.get(indicator.code, {})
        old_value, new_value = _value(old), _value(new)
        old_status, new_status = old.get("status") or NO_DATA, new.get("status") or NO_DATA
        records.append({
            "code": indicator.code, "wording": indicator.wording, "unit": indicator.unit,
            "value_before": old_value, "value_now": new_value, "change": value_change(old_value, new_value),
            "status_before": old_status, "status_now": new_status,
            "movement": compare_statuses(old_status, new_status) or "",
        })
    return pd.DataFrame(records, columns=CHANGE_COLUMNS)


def ams_changes(report: pd.DataFrame, year: int, previous_year: int, framework: Framework,
                countries: list[str] | None = None) -> pd.DataFrame:
    """Return one row per (AMS, indicator) whose status moved (compare_statuses) or whose yes/no answer flipped.

    Only AMS with rows in both years are compared (a new member has no previous year). `countries` limits and
    orders the AMS (default: as they appear in the report). Rows are ordered by AMS, then MOVEMENTS, then
    indicator. Columns AMS_CHANGE_COLUMNS; is_answer marks a yes/no answer (values 1 yes, 0 no).
    """
    scopes = countries if countries is not None else [s for s in dict.fromkeys(report["scope"]) if s != ASEAN]
    records = []
    for scope in scopes:
        before, now = _rows(report, previous_year, scope), _rows(report, year, scope)
        if not before or not now:
            continue
        found = []
        for position, indicator in enumerate(framework.indicators):
            old, new = before.get(indicator.code), now.get(indicator.code)
            if old is None or new is None:
                continue
            old_value, new_value = _value(old), _value(new)
            if indicator.is_yes_count:
                flipped = old_value is not None and new_value is not None and (old_value == 1) != (new_value == 1)
                movement = ANSWER_CHANGED if flipped else None
                old_status = new_status = ""
            else:
                old_status, new_status = old.get("status") or NO_DATA, new.get("status") or NO_DATA
                movement = compare_statuses(old_status, new_status)
            if movement is None:
                continue
            found.append((MOVEMENTS.index(movement), position, {
                "scope": scope, "code": indicator.code, "wording": indicator.wording, "unit": indicator.unit,
                "is_answer": indicator.is_yes_count, "value_before": old_value, "value_now": new_value,
                "status_before": old_status, "status_now": new_status, "movement": movement}))
        records += [record for _, _, record in sorted(found, key=lambda item: item[:2])]
    return pd.DataFrame(records, columns=AMS_CHANGE_COLUMNS)


def summarise_by_member(changes: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """Return one row per AMS of `countries` that has a change: the indicator codes that worsened, improved,
    and the other changes ("C.1.1 now judged", "A.1 yes → no" for an answer), each as comma-separated text."""
    records = []
    for scope in countries:
        own = changes[changes["scope"] == scope]
        if not len(own):
            continue
        by = {m: list(own[own["movement"] == m]["code"]) for m in MOVEMENTS}
        other = [f"{code} {movement}" for movement in (NOW_JUDGED, NO_LONGER_JUDGED) for code in by[movement]]
        other += [f"{r.code} {_answer(r.value_before)} → {_answer(r.value_now)}"
                  for r in own[own["movement"] == ANSWER_CHANGED].itertuples()]
        records.append({"scope": scope, WORSENED: ", ".join(by[WORSENED]), IMPROVED: ", ".join(by[IMPROVED]),
                        "other": ", ".join(other)})
    return pd.DataFrame(records, columns=MEMBER_SUMMARY_COLUMNS)


def _answer(value) -> str:
    return "yes" if value == 1 else "no"


def _rows(report: pd.DataFrame, year: int, scope: str) -> dict[str, dict]:
    rows = report[(report["year"] == year) & (report["scope"] == scope)]
    return {r["indicator"]: r for r in rows.to_dict("records")}


def _value(row: dict):
    value = row.get("value")
    return None if is_missing(value) else float(value)
