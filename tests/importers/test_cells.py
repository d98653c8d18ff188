"""What a cell may hold and what it means (interfaces.md), and that no cell content raises."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importers.cells import parse_cell
from importers.safe_read import Cell
from kpi.fields import EVALUATION_FIELDS, LIST_SHEETS, RETURN_FIELDS, RETURN_FIELDS_BY_CODE, TARGET_FIELDS

FIELDS = RETURN_FIELDS_BY_CODE
ALL_FIELDS = (*RETURN_FIELDS, *(c for s in LIST_SHEETS for c in s.columns), *TARGET_FIELDS, *EVALUATION_FIELDS)
POLICY_LEVEL = LIST_SHEETS[0].column("level")
START_DATE = LIST_SHEETS[1].column("start_date")


def _parse(value, code="agencies_total", is_percent=False, field=None):
    return parse_cell(Cell(value, is_percent), field or FIELDS[code])


@pytest.mark.parametrize("typed, meant", [
    (12, 12), (12.0, 12), ("12", 12), (" 12 ", 12), ("1,234", 1234), ("1,234,567", 1234567), ("+7", 7),
])
def test_numbers_as_numbers_or_text(typed, meant):
    assert _parse(typed) == (meant, None, None)


@pytest.mark.parametrize("typed", [None, "", "   ", "n/a", "N/A", "-", " - ", "not available", "Not Available "])
def test_not_reported_is_none_never_zero(typed):
    assert _parse(typed) == (None, None, None)
    assert parse_cell(None, FIELDS["agencies_total"]) == (None, None, None)


@pytest.mark.parametrize("typed, message", [
    ("1,5", "agencies_total is '1,5', not a number"),
    ("12 agencies", "agencies_total is '12 agencies', not a number"),
    (12.5, "agencies_total is 12.5: it must be a whole number"),
    (0, "agencies_total is 0, less than the minimum 1"),
    (True, "agencies_total is True, not a number"),
    ("45%", "agencies_total is '45%': type a number without %"),
])
def test_number_errors(typed, message):
    assert _parse(typed) == (None, message, None)


@pytest.mark.parametrize("typed, is_percent, meant, warned", [
    (45, False, 45, False), ("45%", False, 45, False), ("45 %", False, 45, False), (0.45, True, 45, False),
    (0.125, True, 12.5, False), (1, True, 100, False), (0.45, False, 0.45, True), (0, False, 0, False),
    (100, False, 100, False),
])
def test_percent_rules(typed, is_percent, meant, warned):
    value, error, warning = _parse(typed, "e3_satisfaction_pct", is_percent)
    assert (value, error, warning is not None) == (meant, None, warned)


def test_percent_above_100_is_an_error():
    assert _parse("150%", "e3_satisfaction_pct").error == "e3_satisfaction_pct is 150, more than the maximum 100"


@pytest.mark.parametrize("typed, meant", [
    ("yes", "yes"), ("Y", "yes"), ("TRUE", "yes"), (True, "yes"), (" No ", "no"), ("n", "no"), ("false", "no"),
    (False, "no"),
])
def test_yes_no(typed, meant):
    assert _parse(typed, "a1_competency_institutionalised") == (meant, None, None)


def test_yes_no_rejects_other_words_and_numbers():
    assert _parse("maybe", "a1_competency_institutionalised").error.startswith(
        "a1_competency_institutionalised is 'maybe': answer yes or no")
    assert _parse(1, "a1_competency_institutionalised").error is not None


def test_choices_are_case_insensitive():
    assert parse_cell(Cell("Sub-National"), POLICY_LEVEL) == ("sub-national", None, None)
    assert parse_cell(Cell("federal"), POLICY_LEVEL).error == "level is 'federal': choose one of national, sub-national"


@pytest.mark.parametrize("typed", [dt.date(2018, 3, 5), dt.datetime(2018, 3, 5, 0, 0), "2018-03-05"])
def test_dates_as_dates_or_iso_text(typed):
    assert parse_cell(Cell(typed), START_DATE) == (dt.date(2018, 3, 5), None, None)


def test_date_errors():
    assert parse_cell(Cell("5/3/2018"), START_DATE).error.startswith("start_date is '5/3/2018', not a date")
    assert parse_cell(Cell(43164), START_DATE).error is not None


def test_email():
    assert _parse(" a.b@gov.bn ", "email") == ("a.b@gov.bn", None, None)
    assert _parse("a.b@gov", "email").error.startswith("email is 'a.b@gov', which is not an e-mail address")


def test_text_keeps_numbers_readable():
    assert _parse(2018.0, "arc_theme").value == "2018"


def test_error_cell_and_formula_without_value_name_the_problem():
    assert parse_cell(Cell(None, error="#DIV/0!"), FIELDS["agencies_total"]).error == (
        "agencies_total holds the error #DIV/0!: correct the formula or type the value")
    assert parse_cell(Cell(None, formula_without_value=True), FIELDS["agencies_total"]).error == (
        "agencies_total: formula has no calculated value: open the file in Excel or LibreOffice, save it, "
        "and upload again")


_CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["1,234", "45%", " 12 ", "n/a", "yes", "2018-02-30", "1e400", "١٢", "-0", ".5", "5.", "%"]),
    st.dates(), st.datetimes(), st.times(),
)


@settings(max_examples=400, deadline=None)
@given(value=_CELL_VALUES, is_percent=st.booleans(), field=st.sampled_from(ALL_FIELDS),
       error=st.sampled_from([None, None, None, "#N/A"]), no_value=st.booleans())
def test_any_value_parses_or_names_an_error_never_raises(value, is_percent, field, error, no_value):
    parsed = parse_cell(Cell(value, is_percent, error=error, formula_without_value=no_value and value is None),
                        field)
    assert parsed.error is None or (isinstance(parsed.error, str) and parsed.value is None)
    assert parsed.error is None or field.code in parsed.error
