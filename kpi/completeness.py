"""Completeness at value level: which of the fields the indicators need each return actually fills."""

from __future__ import annotations

import pandas as pd

from kpi.catalogue import Framework
from kpi.fields import LIST_SHEETS_BY_CODE
from kpi.progress import is_missing


def needed_fields(framework: Framework) -> dict[str, tuple[str, ...]]:
    """Return indicator code -> the return fields it needs; a list sheet is needed through its declared total.

    A list's rows cannot be "blank", but the total it declares can: a return that leaves the total blank has
    not said whether the list is empty or was not filled in.
    """
    needed = {}
    for indicator in framework.indicators:
        fields = []
        for code in indicator.inputs:
            field = LIST_SHEETS_BY_CODE[code].declared_total if code in LIST_SHEETS_BY_CODE else code
            if field not in fields:
                fields.append(field)
        needed[indicator.code] = tuple(fields)
    return needed


def all_needed_fields(framework: Framework) -> tuple[str, ...]:
    """Return every field some indicator needs, each once, in declaration order of the indicators."""
    return tuple(dict.fromkeys(f for fields in needed_fields(framework).values() for f in fields))


def _filled(values: pd.DataFrame) -> dict[tuple[str, int], set[str]]:
    """Return (country, year) -> codes of the fields that hold a value in its current return."""
    filled: dict[tuple[str, int], set[str]] = {}
    for row in values.itertuples(index=False):
        holds = not is_missing(row.value_number) or (isinstance(row.value_text, str) and row.value_text != "")
        key = (row.country, int(row.year))
        filled.setdefault(key, set())
        if holds:
            filled[key].add(row.field_code)
    return filled


def return_completeness(values: pd.DataFrame, framework: Framework, countries: list[str],
                        years: list[int]) -> pd.DataFrame:
    """Return one row per (country, year): has_return, filled and needed counts, and the blank fields.

    `values` is the store's current single values (country, year, field_code, value_number, value_text).
    A country with no return for a year has filled = 0 and every needed field listed as blank.
    """
    needed = all_needed_fields(framework)
    filled = _filled(values)
    rows = []
    for country in countries:
        for year in years:
            present = filled.get((country, year))
            has = present is not None
            blank = [f for f in needed if not has or f not in present]
            rows.append({"country": country, "year": year, "has_return": has,
                         "filled": len(needed) - len(blank), "needed": len(needed), "blank_fields": blank})
    return pd.DataFrame(rows, columns=["country", "year", "has_return", "filled", "needed", "blank_fields"])


def indicator_gaps(values: pd.DataFrame, framework: Framework, countries: list[str], year: int) -> pd.DataFrame:
    """Return one row per indicator for a year: the countries with all its fields, and those missing (and why).

    `missing_no_return` lists countries that sent no return; `missing_blank` those whose return leaves a
    needed field blank.
    """
    filled = _filled(values)
    rows = []
    for code, fields in needed_fields(framework).items():
        no_return = [c for c in countries if (c, year) not in filled]
        blank = [c for c in countries if (c, year) in filled and any(f not in filled[(c, year)] for f in fields)]
        rows.append({"indicator": code, "reported": len(countries) - len(no_return) - len(blank),
                     "of": len(countries), "missing_no_return": no_return, "missing_blank": blank})
    return pd.DataFrame(rows, columns=["indicator", "reported", "of", "missing_no_return", "missing_blank"])
