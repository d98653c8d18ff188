"""The KPI table: every (indicator, scope, year) with coverage, baseline, target, progress and status."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK, Framework, Indicator
from kpi.indicators import ASEAN, Value, build_inputs_by_year, compute_indicator
from kpi.membership import EVERY_AMS, Membership
from kpi.plans import plan_years
from kpi.progress import Assessment, assess, is_missing

REPORT_COLUMNS = [
    "indicator", "scope", "year", "value", "coverage", "baseline", "baseline_source", "target",
    "target_source", "change", "progress", "expected", "pace", "status", "projected", "unit", "details",
]


@dataclass
class EngineInputs:
    """What the engine reads from the store: current returns, evaluations and entered figures."""

    values: pd.DataFrame
    items: dict[str, pd.DataFrame]
    evaluations: pd.DataFrame
    targets: pd.DataFrame
    membership: Membership

    @property
    def ams(self) -> list[str]:
        """Every AMS, whatever the year (the scopes of a report are those of its years: membership)."""
        return list(self.membership.order)


def read_inputs(connection: Connection, framework: Framework = CURRENT_FRAMEWORK) -> EngineInputs:
    """Return the engine's inputs from the store."""
    return EngineInputs(
        values=store.read_current_values(connection),
        items={code: store.read_current_items(connection, code)
               for code in ("policies", "arc_projects", "reform_measures")},
        evaluations=store.read_current_evaluations(connection),
        targets=store.read_targets(connection, framework.code),
        membership=Membership.from_frame(store.read_member_states(connection)),
    )


def report_years(inputs: EngineInputs, framework: Framework) -> list[int]:
    """Return the years the report covers: from the first year with data (or the baseline year) to the last,
    within the plan's reporting years (kpi.plans: from its baseline year to the next plan's)."""
    first, last = plan_years(framework)
    years = {y for y in (set(inputs.values["year"].astype(int)) if len(inputs.values) else set())
             if (first is None or y >= first) and (last is None or y <= last)}
    if not years:
        return []
    years.add(framework.baseline_year)
    return list(range(min(years), max(years) + 1))


def compute_values(inputs: EngineInputs, framework: Framework, years: list[int]) -> dict[tuple, Value]:
    """Return {(indicator code, scope, year): Value} for every indicator, AMS and ASEAN, and year."""
    values: dict[tuple, Value] = {}
    by_year = build_inputs_by_year(inputs.values, inputs.items, inputs.evaluations, years,
                                   item_columns_left_out=tuple(store.SUBMISSION_COLUMNS))
    for year in years:
        year_inputs = by_year[year]
        members = inputs.membership.members_in(year)
        for indicator in framework.indicators:
            for scope, value in compute_indicator(indicator, year_inputs, members).items():
                values[(indicator.code, scope, year)] = value
    return values


def compute_report(connection: Connection, framework: Framework = CURRENT_FRAMEWORK,
                   year: int | None = None, scope: str | None = None) -> pd.DataFrame:
    """Return the KPI table (REPORT_COLUMNS), one row per (indicator, scope, year), optionally filtered."""
    return build_report(read_inputs(connection, framework), framework, year=year, scope=scope)


def build_report(inputs: EngineInputs, framework: Framework = CURRENT_FRAMEWORK,
                 year: int | None = None, scope: str | None = None) -> pd.DataFrame:
    """Return the KPI table for already-read inputs (see compute_report)."""
    years = report_years(inputs, framework)
    values = compute_values(inputs, framework, years)
    entered = _entered_figures(inputs.targets)
    membership = inputs.membership
    scopes = [ASEAN, *membership.members_in_any(years)]
    baseline_members = membership.count_in(framework.baseline_year)
    members_count = {row_year: membership.count_in(row_year) for row_year in years}
    rows = []
    for indicator in framework.indicators:
        for row_scope in scopes:
            baseline, baseline_source = _baseline(indicator, row_scope, values, entered, framework,
                                                  baseline_members)
            target, target_source = _target(indicator, row_scope, entered)
            for row_year in years:
                if (year is not None and row_year != year) or (scope is not None and row_scope != scope):
                    continue
                if (indicator.code, row_scope, row_year) not in values:
                    continue  # not yet a member that year: no row, rather than a "no data" to explain
                value = values[(indicator.code, row_scope, row_year)]
                rows.append(_report_row(indicator, row_scope, row_year, value, baseline, baseline_source,
                                        target, target_source, framework, members_count[row_year]))
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _is_yes_no_row(indicator: Indicator, scope: str) -> bool:
    return indicator.is_yes_count and scope != ASEAN


def _entered_figures(targets: pd.DataFrame) -> dict[tuple[str, str], dict]:
    return {(r["indicator_code"], r["scope"]): r for r in targets.to_dict("records")}


def _baseline(indicator, scope, values, entered, framework, ams_count) -> tuple[float | None, str | None]:
    """Return the entered baseline, else the computed one; a count or sum needs every member of the baseline year."""
    own = entered.get((indicator.code, scope))
    if own is not None and not is_missing(own["baseline"]):
        return own["baseline"], "entered"
    computed = values.get((indicator.code, scope, framework.baseline_year))
    if computed is None or computed.value is None:
        return None, None
    if scope == ASEAN and indicator.is_count_or_sum and computed.coverage < ams_count:
        return None, None  # a count or sum over fewer than all AMS is only a lower bound
    return computed.value, "computed"


def _target(indicator, scope, entered) -> tuple[float | None, str | None]:
    if _is_yes_no_row(indicator, scope):
        return None, None
    own = entered.get((indicator.code, scope))
    if own is not None and not is_missing(own["target"]):
        return own["target"], "own"
    if scope != ASEAN:
        every = entered.get((indicator.code, EVERY_AMS))
        if every is not None and not is_missing(every["target"]):
            return every["target"], "every AMS"
    return None, None


def _range(indicator: Indicator, scope: str, ams_count: int) -> tuple[float, float | None]:
    if indicator.is_percent:
        return 0.0, 100.0
    if indicator.is_yes_count:
        return 0.0, float(ams_count)
    return 0.0, None


def _report_row(indicator, scope, year, value: Value, baseline, baseline_source, target, target_source,
                framework, ams_count) -> dict:
    if _is_yes_no_row(indicator, scope):
        assessment = Assessment(status="")
    else:
        incomplete = (scope == ASEAN and indicator.is_count_or_sum and value.value is not None
                      and value.coverage < ams_count)
        lower, upper = _range(indicator, scope, ams_count)
        assessment = assess(value.value, year, baseline, target, framework.baseline_year, framework.target_year,
                            incomplete=incomplete, lower=lower, upper=upper)
    return {
        "indicator": indicator.code, "scope": scope, "year": year, "value": value.value,
        "coverage": value.coverage if scope == ASEAN else None,
        "baseline": baseline, "baseline_source": baseline_source,
        "target": target, "target_source": target_source,
        "change": assessment.change, "progress": assessment.progress, "expected": assessment.expected,
        "pace": assessment.pace, "status": assessment.status, "projected": assessment.projected,
        "unit": indicator.unit, "details": value.details,
    }
