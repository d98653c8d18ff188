"""Where a figure comes from: the stored returns, sheets, cells and rows behind one value of the KPI table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from kpi import schema
from kpi.catalogue import Framework, Indicator
from kpi.fields import EVALUATIONS_KIND, LIST_SHEETS_BY_CODE, RETURN_FIELDS_BY_CODE, RETURN_KIND
from kpi.membership import ASEAN, EVERY_AMS, Membership
from kpi.store import read_member_states

LINEAGE_COLUMNS = ["part", "member_state", "year", "input", "value", "sheet", "cells", "file", "submission",
                   "loaded_by", "loaded_at"]
# What a row explains: the figure of the year, the baseline computed from the baseline year's returns, or an
# entered baseline or target.
VALUE, BASELINE, TARGET = "value", "baseline", "target"


@dataclass(frozen=True)
class FigureKey:
    """One figure of the KPI table: an indicator of a plan, for ASEAN or one AMS, in one year."""

    indicator: Indicator
    scope: str
    year: int


def read_lineage(connection: Connection, framework: Framework, key: FigureKey) -> pd.DataFrame:
    """Return LINEAGE_COLUMNS rows: each stored cell or list row behind the figure, with its file and loader.

    The value of a year comes from the current returns of that year (of the scope's AMS, or of every member
    that year for ASEAN); the baseline from those of the baseline year unless one was entered; entered
    baselines and targets from the targets workbook or the Targets page that set them. Nothing is carried from
    another year, so a member with no return that year has no row.
    """
    membership = Membership.from_frame(read_member_states(connection))
    rows = _return_rows(connection, key.indicator, _members(membership, key.scope, key.year), key.year, VALUE)
    entered = _entered_rows(connection, framework, key)
    if not any(r["input"] == "entered baseline" for r in entered) and key.year != framework.baseline_year:
        rows += _return_rows(connection, key.indicator,
                             _members(membership, key.scope, framework.baseline_year),
                             framework.baseline_year, BASELINE)
    return pd.DataFrame(rows + entered, columns=LINEAGE_COLUMNS)


def _members(membership: Membership, scope: str, year: int) -> list[str]:
    if scope == ASEAN:
        return membership.members_in(year)
    return [scope] if scope in membership.members_in(year) else []


def _current_returns(countries: list[str], year: int):
    s = schema.submission.c
    return and_(s.kind == RETURN_KIND, s.status == "current", s.year == year, s.country.in_(countries))


def _return_rows(connection: Connection, indicator: Indicator, countries: list[str], year: int,
                 part: str) -> list[dict]:
    if not countries:
        return []
    s, v = schema.submission.c, schema.return_value.c
    fields = [code for code in indicator.inputs if code in RETURN_FIELDS_BY_CODE]
    lists = [code for code in indicator.inputs if code in LIST_SHEETS_BY_CODE]
    rows = []
    if fields:
        query = (select(s.country, v.field_code, v.value_number, v.value_text, v.sheet, v.cell, s.file_name, s.id,
                        s.submitted_by, s.submitted_at)
                 .join(schema.return_value, v.submission_id == s.id)
                 .where(_current_returns(countries, year), v.field_code.in_(fields)))
        for r in connection.execute(query):
            rows.append(_row(part, r.country, year, RETURN_FIELDS_BY_CODE[r.field_code].label,
                             _shown(r.value_number, r.value_text), r.sheet, r.cell, r))
    for code in lists:
        table = schema.LIST_TABLES[code].c
        query = (select(s.country, table.sheet, func.count(), func.min(table.row), func.max(table.row), s.file_name,
                        s.id, s.submitted_by, s.submitted_at)
                 .join(schema.LIST_TABLES[code], table.submission_id == s.id)
                 .where(_current_returns(countries, year))
                 .group_by(s.country, table.sheet, s.file_name, s.id, s.submitted_by, s.submitted_at))
        for r in connection.execute(query):
            count, first, last = r[2], r[3], r[4]
            rows.append(_row(part, r.country, year, f"rows of the {LIST_SHEETS_BY_CODE[code].sheet} sheet",
                             str(count), r.sheet, f"rows {first}–{last}" if first != last else f"row {first}", r))
    if code_uses_evaluations(indicator):
        rows += _evaluation_rows(connection, countries, year, part)
    return sorted(rows, key=lambda r: (r["member_state"], r["sheet"], r["input"]))


def code_uses_evaluations(indicator: Indicator) -> bool:
    """Whether participants' evaluation forms can stand in for an ARC project's counts (kpi.evaluation_summary)."""
    return "arc_projects" in indicator.inputs and indicator.kind == "pooled_share"


def _evaluation_rows(connection: Connection, countries: list[str], year: int, part: str) -> list[dict]:
    s, e = schema.submission.c, schema.evaluation_response.c
    query = (select(e.country, e.sheet, func.count(), func.min(e.row), func.max(e.row), s.file_name, s.id,
                    s.submitted_by, s.submitted_at)
             .join(schema.evaluation_response, e.submission_id == s.id)
             .where(s.kind == EVALUATIONS_KIND, s.status == "current", e.year == year, e.country.in_(countries))
             .group_by(e.country, e.sheet, s.file_name, s.id, s.submitted_by, s.submitted_at))
    return [_row(part, r.country, year, "participants' evaluation forms", str(r[2]), r.sheet,
                 f"rows {r[3]}–{r[4]}" if r[3] != r[4] else f"row {r[3]}", r) for r in connection.execute(query)]


def _entered_rows(connection: Connection, framework: Framework, key: FigureKey) -> list[dict]:
    t, s = schema.target_entry.c, schema.submission.c
    scopes = [key.scope] if key.scope == ASEAN else [key.scope, EVERY_AMS]
    query = (select(t.scope, t.baseline, t.target, t.set_by, t.set_at, s.file_name, s.id)
             .outerjoin(schema.submission, s.id == t.submission_id)
             .where(t.plan_code == framework.code, t.indicator_code == key.indicator.code, t.scope.in_(scopes)))
    rows = []
    for r in connection.execute(query):
        for part, label, number in ((BASELINE, "entered baseline", r.baseline), (TARGET, "entered target", r.target)):
            if number is None or (part == BASELINE and r.scope == EVERY_AMS):
                continue  # a baseline is entered per scope; a target for every AMS applies to each of them
            rows.append({"part": part, "member_state": "every AMS" if r.scope == EVERY_AMS else r.scope,
                         "year": framework.target_year if part == TARGET else framework.baseline_year,
                         "input": label, "value": _number(number), "sheet": "Targets" if r.file_name else "",
                         "cells": "", "file": r.file_name or "Targets page", "submission": r.id,
                         "loaded_by": r.set_by, "loaded_at": _utc(r.set_at)})
    if any(r["part"] == TARGET and r["member_state"] == key.scope for r in rows):
        rows = [r for r in rows if not (r["part"] == TARGET and r["member_state"] == "every AMS")]  # as kpi.engine
    return rows


def _row(part: str, country: str, year: int, label: str, value: str, sheet: str, cells: str, source) -> dict:
    return {"part": part, "member_state": country, "year": year, "input": label, "value": value, "sheet": sheet,
            "cells": cells, "file": source.file_name, "submission": source.id, "loaded_by": source.submitted_by,
            "loaded_at": _utc(source.submitted_at)}


def _shown(number: float | None, text: str | None) -> str:
    if text is not None:
        return text
    return "" if number is None else _number(number)


def _number(number: float) -> str:
    return f"{number:g}" if float(number).is_integer() else f"{number:.4g}"


def _utc(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; the store writes UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
