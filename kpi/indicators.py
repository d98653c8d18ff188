"""Compute each indicator's value per AMS and for ASEAN from the inputs of one year, as spec/indicators.md says."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean

import pandas as pd

from kpi import catalogue as c
from kpi.fields import ANNEX1_ITEMS, LIST_SHEETS_BY_CODE, SATISFIED_MEAN_RATING
from kpi.progress import is_missing
from kpi.membership import ASEAN



@dataclass(frozen=True)
class Value:
    """One computed value: headline figure (None = no data), coverage for ASEAN, secondary figures."""

    value: float | None
    coverage: int | None = None
    details: dict = field(default_factory=dict)


@dataclass
class YearInputs:
    """Everything the returns of one year say, per AMS that sent a return that year."""

    year: int
    values: dict[str, dict[str, object]]  # country -> field code -> value (float, or "yes"/"no"/text)
    items: dict[str, dict[str, list[dict]]]  # list code -> country -> rows
    evaluations: dict[tuple[str, str], list[dict]]  # (country, normalised project title) -> responses

    @property
    def countries(self) -> list[str]:
        return sorted(self.values)


def compute_indicator(indicator: c.Indicator, inputs: YearInputs, ams: list[str]) -> dict[str, Value]:
    """Return {scope: Value} for every AMS in `ams` and for ASEAN."""
    per_ams = {country: _COMPUTE_AMS[indicator.kind](indicator, inputs, country) for country in ams}
    per_ams = {k: v if v is not None else Value(None) for k, v in per_ams.items()}
    return {**per_ams, ASEAN: _AGGREGATE[indicator.kind](per_ams)}


# --- per AMS ----------------------------------------------------------------------------------

def _number(inputs: YearInputs, country: str, code: str) -> float | None:
    value = inputs.values.get(country, {}).get(code)
    return value if isinstance(value, (int, float)) else None


def _yes_no(indicator, inputs, country) -> Value | None:
    answer = inputs.values.get(country, {}).get(indicator.inputs[0])
    if answer not in ("yes", "no"):
        return None
    return Value(1.0 if answer == "yes" else 0.0)


def _percentage(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return 100.0 * numerator / denominator


def _share(indicator, inputs, country) -> Value | None:
    numerator_code, denominator_code = indicator.inputs
    numerator = _number(inputs, country, numerator_code)
    denominator = _number(inputs, country, denominator_code)
    details = {k: v for k, v in (("number", numerator), (denominator_code, denominator)) if v is not None}
    return Value(_percentage(numerator, denominator), details=details)


def _reported(indicator, inputs, country) -> Value | None:
    value = _number(inputs, country, indicator.inputs[0])
    survey = inputs.values.get(country, {}).get("e3_survey")
    return Value(value, details={"survey": survey} if survey else {})


def resolve_list_count(declared: float | None, rows: int) -> float | None:
    """Apply the declared-total table of indicators.md; None is not reported (or a contradiction)."""
    if declared is None:
        return float(rows) if rows else None
    if rows == 0 or rows == declared:
        return float(declared)
    return None  # the importer rejects a return whose declared total contradicts its rows


def _list_count(indicator, inputs, country) -> Value | None:
    if country not in inputs.values:
        return None
    sheet = LIST_SHEETS_BY_CODE[indicator.inputs[0]]
    rows = inputs.items.get(sheet.code, {}).get(country, [])
    count = resolve_list_count(_number(inputs, country, sheet.declared_total), len(rows))
    details = {}
    split_by = {"policies": "level", "reform_measures": "aim"}.get(sheet.code)
    if split_by and rows:
        listed: dict = {}
        for r in rows:
            listed[r.get(split_by)] = listed.get(r.get(split_by), 0) + 1
        details[f"by_{split_by}"] = {choice: listed.get(choice, 0) for choice in sheet.column(split_by).choices}
    if count is not None and rows == [] and count > 0:
        details["listed"] = False
    return Value(count, details=details)


def _projects(inputs: YearInputs, country: str) -> tuple[float | None, list[dict]]:
    count = _list_count(c.WORK_PLAN_2016_2020.indicator("D.2"), inputs, country)
    return (None if count is None else count.value), inputs.items.get("arc_projects", {}).get(country, [])


def normalise_title(title: str) -> str:
    """Return a project title in the form used to match evaluations to projects."""
    return " ".join(str(title).split()).casefold()


def _evaluation_counts(inputs: YearInputs, country: str, project: dict) -> tuple[float | None, float | None]:
    responses = inputs.evaluations.get((country, normalise_title(project.get("title", ""))))
    if not responses:
        return project.get("evaluations"), project.get("satisfied")
    rated = [[r[item.code] for item in ANNEX1_ITEMS if r.get(item.code) is not None] for r in responses]
    rated = [ratings for ratings in rated if ratings]
    satisfied = sum(1 for ratings in rated if fmean(ratings) >= SATISFIED_MEAN_RATING)
    return float(len(rated)), float(satisfied)


def _pooled_satisfaction(indicator, inputs, country) -> Value | None:
    _, projects = _projects(inputs, country)
    evaluations = satisfied = 0.0
    for project in projects:
        project_evaluations, project_satisfied = _evaluation_counts(inputs, country, project)
        if project_evaluations is None or project_satisfied is None:
            continue
        evaluations += project_evaluations
        satisfied += project_satisfied
    if not evaluations:
        return Value(None)
    return Value(100.0 * satisfied / evaluations, details={"satisfied": satisfied, "evaluations": evaluations})


def _participants(indicator, inputs, country) -> Value | None:
    count, projects = _projects(inputs, country)
    if count is None:
        return None
    if count == 0:
        return Value(0.0, details={"projects": 0})
    participants = [p.get("participants") for p in projects]
    if not projects or any(p is None for p in participants):
        return Value(None)  # projects declared but not (fully) listed: the sum would be a guess
    total = float(sum(participants))
    return Value(total, details={"projects": len(projects), "mean_per_project": total / len(projects)})


_COMPUTE_AMS = {
    c.YES_COUNT: _yes_no,
    c.AGENCY_SHARE: _share,
    c.SHARE: _share,
    c.REPORTED_PCT: _reported,
    c.LIST_COUNT: _list_count,
    c.POOLED_SHARE: _pooled_satisfaction,
    c.PARTICIPANTS: _participants,
}


# --- ASEAN ------------------------------------------------------------------------------------

def _reported_values(per_ams: dict[str, Value]) -> dict[str, Value]:
    return {k: v for k, v in per_ams.items() if v.value is not None}


def _count_yes(per_ams: dict[str, Value]) -> Value:
    answered = _reported_values(per_ams)
    if not answered:
        return Value(None, coverage=0)
    yes = sum(1 for v in answered.values() if v.value == 1.0)
    return Value(float(yes), coverage=len(answered), details={"yes": yes, "no": len(answered) - yes})


def _mean(per_ams: dict[str, Value]) -> Value:
    reported = _reported_values(per_ams)
    details = {}
    numbers = [v.details["number"] for v in per_ams.values() if "number" in v.details]
    if numbers:
        details = {"number": float(sum(numbers)), "number_coverage": len(numbers)}
    if not reported:
        return Value(None, coverage=0, details=details)
    return Value(fmean(v.value for v in reported.values()), coverage=len(reported), details=details)


def _sum(per_ams: dict[str, Value]) -> Value:
    reported = _reported_values(per_ams)
    if not reported:
        return Value(None, coverage=0)
    details: dict = {}
    for v in reported.values():
        for key, split in v.details.items():
            if isinstance(split, dict):
                merged = details.setdefault(key, {})
                for choice, n in split.items():
                    merged[choice] = merged.get(choice, 0) + n
    return Value(float(sum(v.value for v in reported.values())), coverage=len(reported), details=details)


def _sum_participants(per_ams: dict[str, Value]) -> Value:
    total = _sum(per_ams)
    if total.value is None:
        return total
    projects = sum(v.details.get("projects", 0) for v in _reported_values(per_ams).values())
    details = {"projects": projects}
    if projects:
        details["mean_per_project"] = total.value / projects
    return Value(total.value, coverage=total.coverage, details=details)


def _pooled(per_ams: dict[str, Value]) -> Value:
    evaluated = _reported_values(per_ams)
    evaluations = sum(v.details["evaluations"] for v in evaluated.values())
    if not evaluations:
        return Value(None, coverage=0)
    satisfied = sum(v.details["satisfied"] for v in evaluated.values())
    return Value(100.0 * satisfied / evaluations, coverage=len(evaluated),
                 details={"satisfied": satisfied, "evaluations": evaluations})


_AGGREGATE = {
    c.YES_COUNT: _count_yes,
    c.AGENCY_SHARE: _mean,
    c.SHARE: _mean,
    c.REPORTED_PCT: _mean,
    c.LIST_COUNT: _sum,
    c.POOLED_SHARE: _pooled,
    c.PARTICIPANTS: _sum_participants,
}


def build_year_inputs(year: int, values: pd.DataFrame, items: dict[str, pd.DataFrame],
                      evaluations: pd.DataFrame) -> YearInputs:
    """Return one year's inputs from the store's current values, list items and participant evaluations."""
    return build_inputs_by_year(values, items, evaluations).get(year) or _no_inputs(year, items)


def build_inputs_by_year(values: pd.DataFrame, items: dict[str, pd.DataFrame],
                         evaluations: pd.DataFrame, years: list[int] | None = None,
                         item_columns_left_out: tuple[str, ...] = ()) -> dict[int, YearInputs]:
    """Return {year: YearInputs} for `years` (default: every year in the frames), each frame turned into records once.

    A year without any data has empty inputs; `item_columns_left_out` are columns of the item frames that no
    indicator reads (the engine leaves out what the store adds about each submission). Rows keep the frames'
    order within each AMS, as one year's filter and groupby by AMS would give them; converting the frames once
    instead of per year and AMS is what keeps the KPI table's cost near that of its reads.
    """
    by_year: dict[int, YearInputs] = {}

    def inputs_of(year) -> YearInputs:
        year = int(year)
        if year not in by_year:
            by_year[year] = _no_inputs(year, items)
        return by_year[year]

    columns = ("year", "country", "field_code", "value_number", "value_text")
    for year, country, code, number, text in zip(*_columns(values, columns)) if len(values) else ():
        value = text if text in ("yes", "no") or number is None else number
        inputs_of(year).values.setdefault(country, {})[code] = value
    for code, frame in items.items():
        for record in _records(frame, item_columns_left_out):
            if record["country"] is None:
                continue  # as a groupby by AMS leaves it out
            inputs_of(record["year"]).items[code].setdefault(record["country"], []).append(record)
    for record in _records(evaluations):
        key = (record["country"], normalise_title(record["project_title"]))
        inputs_of(record["year"]).evaluations.setdefault(key, []).append(record)
    for year_inputs in by_year.values():
        year_inputs.items = {code: dict(sorted(per_ams.items())) for code, per_ams in year_inputs.items.items()}
    if years is None:
        return by_year
    return {year: by_year.get(year) or _no_inputs(year, items) for year in years}


def _records(frame: pd.DataFrame, left_out: tuple[str, ...] = ()) -> list[dict]:
    """Return the frame's rows as dicts of plain Python values with None for every missing value: what
    DataFrame.to_dict("records") gives once cleaned, built column by column (without the columns left out)."""
    columns = [c for c in frame.columns if c not in left_out]
    return [dict(zip(columns, row)) for row in zip(*_columns(frame, columns))] if len(frame) else []


def _columns(frame: pd.DataFrame, columns) -> list[list]:
    """Return each column as a list of plain Python values, None where a value is missing."""
    lists = []
    for column in columns:
        series = frame[column]
        values = series.tolist()
        # isna() finds every value _none_if_nan clears (and integer and boolean columns hold none), so only a
        # column with a missing value is looked at value by value.
        if series.dtype.kind not in "iub" and series.hasnans:
            values = [_none_if_nan(v) for v in values]
        lists.append(values)
    return lists


def _no_inputs(year: int, items: dict[str, pd.DataFrame]) -> YearInputs:
    return YearInputs(year, {}, {code: {} for code in items}, {})


def _none_if_nan(value):
    return None if is_missing(value) else value

