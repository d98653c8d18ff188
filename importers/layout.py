"""The workbook layout as data: sheet names, header codes, the identity cells and the reference lists."""

from __future__ import annotations

import csv
from functools import cache

from kpi.config import DATA_DIR
from kpi.fields import EXPORT_KIND, IDENTITY_SHEET, KIND_CODE, KIND_CODES, LIST_SHEETS, TARGET_FIELDS, VERSION_CODE  # noqa: F401 - re-exported: the identity cells belong to the layout
from kpi.membership import ASEAN, EVERY_AMS, Membership

# The kinds of workbook, in the order of the registry (importers.kinds), which says what the software does with
# each. Their released versions (what each version's workbook holds) are data: data/layouts.toml, read by
# importers.versions.
WORKBOOK_KINDS = KIND_CODES  # the registry's codes (importers.kinds)

INSTRUCTIONS_SHEET = IDENTITY_SHEET
# The importer reads the kind and version back from these cells: (row, col) 1-based.
KIND_LABEL_CELL, KIND_VALUE_CELL = (2, 1), (2, 2)
VERSION_LABEL_CELL, VERSION_VALUE_CELL = (3, 1), (3, 2)

RETURN_SHEET = "Return"
# The AMS and year a return template was made for, also on the Instructions sheet (code in A, value in B),
# so a country or year typed over in the Return sheet is caught; from return version 2 also the work plan the
# return reports under (a version 1 return has no plan row and is read under the plan of its year).
RETURN_IDENTITY_ROWS = {"country": 4, "year": 5, "plan": 6}
# The work plan a targets workbook is for (from targets version 2; a version 1 workbook has no such row and is
# the 2016-2020 plan's, the only one there was).
TARGETS_IDENTITY_ROWS = {"plan": 4}
RETURN_HEADER = ("code", "label", "value", "unit")
RETURN_CODE_COLUMN, RETURN_LABEL_COLUMN, RETURN_VALUE_COLUMN, RETURN_UNIT_COLUMN = 1, 2, 3, 4

LIST_SHEET_NAMES = tuple(s.sheet for s in LIST_SHEETS)
LIST_ROWS_PREPARED = 200  # rows below a list header that are unlocked and carry validation

TARGETS_SHEET = "Targets"
TARGETS_HEADER = tuple(f.code for f in TARGET_FIELDS)
TARGETS_ROWS_PREPARED = 300
ASEAN_SCOPE, AMS_SCOPE = ASEAN, EVERY_AMS  # the scope names, defined once in kpi.membership

NOT_REPORTED_TEXTS = ("", "n/a", "-", "not available")


@cache
def read_ams_codes() -> tuple[str, ...]:
    """Return the ISO3 codes of every AMS (whatever the year), in ASEAN's order, from the reference data."""
    with (DATA_DIR / "member_states.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(row["iso3"] for row in csv.DictReader(handle) if row["group"] == "AMS")


@cache
def read_membership() -> Membership:
    """Return the dated membership of the reference data (data/member_states.csv: accsm_since)."""
    with (DATA_DIR / "member_states.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["group"] == "AMS"]
    return Membership(tuple(r["iso3"] for r in rows),
                      {r["iso3"]: int(r["accsm_since"]) if r["accsm_since"] else None for r in rows})


def describe_membership_refusal(country: str, year: int) -> str | None:
    """Return why `country` cannot report for `year` (not yet a member), or None when it can."""
    membership = read_membership()
    if country not in membership.order or membership.is_member(country, year):
        return None
    return (f"{country} reports from {membership.reports_from[country]}, when it became an ASEAN Member State; "
            f"there is no {year} return to make for it: check the country and the year")
