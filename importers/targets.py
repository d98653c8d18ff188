"""Validate a targets workbook into rows of entered baselines and targets, and store them with their history."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection

from importers import layout, versions
from importers.cells import (check_workbook, find_sheet, parse_cell, plain_value, read_header, read_identity,
                             read_rows, report_hidden_sheets)
from importers.report import Change, Validation
from importers.safe_read import Workbook, cell_ref
from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK, FRAMEWORKS, Framework
from kpi.fields import TARGET_FIELDS, TARGETS_IDENTITY_FIELDS, TARGETS_KIND
from kpi.plans import plan_members
from kpi.store import SubmissionInfo

_FIELDS = {f.code: f for f in TARGET_FIELDS}
_FIGURES = ("baseline", "target", "note")


@dataclass(frozen=True)
class TargetRow:
    """One (indicator, scope) row of a targets workbook; None clears that figure."""

    indicator: str
    scope: str
    baseline: float | None
    target: float | None
    note: str | None
    sheet: str
    row: int
    plan: str = CURRENT_FRAMEWORK.code


def validate_targets(workbook: Workbook, connection: Connection) -> Validation:
    """Return the valid TargetRows (as Validation.content when there are no errors) with every problem."""
    result = Validation()
    framework = _read_plan(workbook, result)
    result.title = f"targets {framework.code if framework else ''}".strip()
    report_hidden_sheets(workbook, (layout.TARGETS_SHEET,), result)
    rows = _read_rows(workbook, framework, result) if framework else []
    check_workbook(workbook, (layout.TARGETS_SHEET,), result, layout.TARGETS_IDENTITY_ROWS.values())
    if not result.errors:
        result.content = rows
    return result


def _read_plan(workbook: Workbook, result: Validation) -> Framework | None:
    """Return the framework the workbook is for: a version 1 workbook is 2016-2020's, a later one names its plan."""
    released = versions.find(TARGETS_KIND, versions.version_of(workbook)) or versions.latest(TARGETS_KIND)
    if "plan" not in released.identity:
        return CURRENT_FRAMEWORK
    code = read_identity(workbook, TARGETS_IDENTITY_FIELDS, result).get("plan")
    if code is None:
        return None
    if code not in FRAMEWORKS:
        result.add_error(layout.INSTRUCTIONS_SHEET, cell_ref(released.identity_rows["plan"], 2),
                         f"plan is {code!r}: use one of {', '.join(FRAMEWORKS)} (or a template made by the "
                         "secretariat)")
        return None
    return FRAMEWORKS[code]


def _read_rows(workbook: Workbook, framework: Framework, result: Validation) -> list[TargetRow]:
    sheet = find_sheet(workbook, layout.TARGETS_SHEET, result)
    columns = read_header(sheet, TARGET_FIELDS, result) if sheet else None
    if columns is None:
        return []
    rows: list[TargetRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row, cells, refs in read_rows(sheet, columns):
        indicator = _read_indicator(cells["indicator"], refs["indicator"], framework, result)
        scope = _read_scope(cells["scope"], refs["scope"], indicator, framework, result)
        figures = _read_figures(cells, refs, indicator, result)
        if indicator is None or scope is None or figures is None:
            continue
        problems = check_figures(indicator, scope, baseline=figures[0], target=figures[1], framework=framework)
        for figure, message in problems:
            result.add_error(sheet.name, refs[figure], message)
        if problems:
            continue
        if (indicator.code, scope) in seen:
            result.add_error(sheet.name, refs["indicator"], f"{indicator.code} {scope} appears twice (also in row "
                             f"{seen[indicator.code, scope]}): keep one row per indicator and scope")
            continue
        seen[indicator.code, scope] = row
        rows.append(TargetRow(indicator.code, scope, *figures, sheet=sheet.name, row=row, plan=framework.code))
    return rows


def check_figures(indicator, scope: str, baseline: float | None, target: float | None,
                  framework: Framework = CURRENT_FRAMEWORK) -> list[tuple[str, str]]:
    """Return (figure, message) for every rule an entered baseline or target breaks; the page uses it too.

    A baseline on the every-AMS row would apply to no AMS (progress.md); figures must lie in the indicator's
    possible range: 0-100 for percentages, 0 to the number of AMS for counts of AMS, 0 or more otherwise.
    """
    problems = []
    if scope == layout.AMS_SCOPE and baseline is not None:
        problems.append(("baseline", f"{indicator.code} AMS: an entered baseline applies only to its own row's "
                                     "scope; enter it on each AMS's own row (ISO3 code) instead"))
    members = plan_members(framework, layout.read_membership())
    upper = 100 if indicator.is_percent else len(members) if indicator.is_yes_count else None
    for figure, value in (("baseline", baseline), ("target", target)):
        if value is not None and (value < 0 or (upper is not None and value > upper)):
            allowed = f"0 to {upper}" if upper is not None else "0 or more"
            problems.append((figure, f"{indicator.code} {scope} {figure} is {value:g}: it must be {allowed} "
                                     f"({indicator.unit})"))
    return problems


def _read_indicator(cell, ref: str, framework: Framework, result: Validation):
    code = parse_cell(cell, _FIELDS["indicator"]).value
    if code is None:
        result.add_error(layout.TARGETS_SHEET, ref, "indicator is missing: every row needs an indicator code")
        return None
    if code not in framework.codes:
        result.add_error(layout.TARGETS_SHEET, ref, f"indicator {code} is not in the {framework.title}: "
                         f"use one of {', '.join(framework.codes)}")
        return None
    return framework.indicator(code)


def _read_scope(cell, ref: str, indicator, framework: Framework, result: Validation) -> str | None:
    scope = parse_cell(cell, _FIELDS["scope"]).value
    allowed = (layout.ASEAN_SCOPE, layout.AMS_SCOPE, *plan_members(framework, layout.read_membership()))
    if scope is None:
        result.add_error(layout.TARGETS_SHEET, ref, "scope is missing: type ASEAN, AMS or an AMS's ISO3 code")
        return None
    if scope not in allowed:
        result.add_error(layout.TARGETS_SHEET, ref, f"scope is {scope!r}: use one of {', '.join(allowed)}")
        return None
    if indicator is not None and indicator.is_yes_count and scope != layout.ASEAN_SCOPE:
        result.add_error(layout.TARGETS_SHEET, ref, f"{indicator.code} counts AMS answering yes: it has a target "
                         "for ASEAN only, not for a single AMS")
        return None
    return scope


def _read_figures(cells, refs, indicator, result: Validation) -> tuple | None:
    figures = []
    ok = True
    for code in _FIGURES:
        field = _FIELDS[code]
        if code != "note" and indicator is not None and indicator.is_percent:
            field = replace(field, type="percent", minimum=0, maximum=100)
        parsed = parse_cell(cells[code], field)
        if parsed.error:
            result.add_error(layout.TARGETS_SHEET, refs[code], parsed.error)
            ok = False
        if parsed.warning:
            result.add_warning(layout.TARGETS_SHEET, refs[code], parsed.warning)
        figures.append(parsed.value)
    return tuple(figures) if ok else None


def compare_targets(connection: Connection, rows: list[TargetRow]) -> list[Change]:
    """Return every figure these rows would change against the stored targets of their plan."""
    old = {}
    for plan in {row.plan for row in rows}:
        old.update({(plan, r["indicator_code"], r["scope"]): r
                    for r in store.read_targets(connection, plan).to_dict("records")})
    changes = []
    for row in rows:
        before = old.get((row.plan, row.indicator, row.scope), {})
        for figure in _FIGURES:
            was, now = plain_value(before.get(figure)), getattr(row, figure)
            if was != now:
                changes.append(Change(f"{row.indicator} {row.scope} {figure}", was, now))
    return changes


def store_targets(connection: Connection, rows: list[TargetRow], info: SubmissionInfo) -> int:
    """Record the targets file and set every row's figures (blanks clear); return the submission id."""
    submission_id = store.record_submission(connection, info)
    for row in rows:
        store.set_target(connection, row.plan, row.indicator, row.scope, row.baseline, row.target,
                         row.note, info.user, submission_id=submission_id, is_demo=info.is_demo)
    return submission_id


def canonicalise_targets(rows: list[TargetRow]) -> list:
    """Return the rows as plain data without their positions."""
    return [[r.plan, r.indicator, r.scope, r.baseline, r.target, r.note] for r in rows]
