"""Completeness at value level (issue 9 item 5): a return with blank fields is not simply "received"."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import assert_clean, figures, texts

from kpi import charts
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK
from kpi.completeness import all_needed_fields, indicator_gaps, return_completeness

AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
NEEDED = all_needed_fields(FRAMEWORK)
NAMES = {"BRN": "Brunei Darussalam", "KHM": "Cambodia", "IDN": "Indonesia", "TLS": "Timor-Leste"}


def _values(filled: dict[tuple[str, int], tuple[str, ...]]) -> pd.DataFrame:
    rows = [{"country": c, "year": y, "field_code": f, "value_number": 1.0, "value_text": None}
            for (c, y), fields in filled.items() for f in fields]
    return pd.DataFrame(rows, columns=["country", "year", "field_code", "value_number", "value_text"])


def _submissions(returns: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"kind": "return", "status": "current", "country": c, "year": y, "warnings": w}
                         for c, y, w in returns], columns=["kind", "status", "country", "year", "warnings"])


@pytest.fixture
def case():
    """BRN 2018 fills every needed field, IDN 2018 leaves three blank, KHM sent nothing; TLS joins in 2019."""
    values = _values({("BRN", 2018): NEEDED, ("IDN", 2018): NEEDED[3:]})
    submissions = _submissions([("BRN", 2018, "[]"), ("IDN", 2018, "[]")])
    matrix = charts.build_completeness_matrix(submissions, ["BRN", "KHM", "IDN", "TLS"], [2018, 2019])
    matrix = charts.apply_membership(matrix, lambda year: ["BRN", "KHM", "IDN"] + (["TLS"] if year >= 2019 else []))
    return values, matrix, return_completeness(values, FRAMEWORK, list(matrix.index), [2018, 2019])


def test_cells__received_complete_and_received_with_blanks_are_told_apart(case):
    _, matrix, filled = case
    cells = charts.build_completeness_cells(matrix, filled).set_index(["country", "year"])
    assert cells.at[("BRN", 2018), "value_state"] == charts.COMPLETE
    assert cells.at[("BRN", 2018), "label"] == f"received, all {len(NEEDED)} fields filled"
    assert cells.at[("IDN", 2018), "value_state"] == charts.BLANKS
    assert cells.at[("IDN", 2018), "label"] == f"received, 3 of {len(NEEDED)} fields blank"
    assert cells.at[("IDN", 2018), "fields_filled"] == len(NEEDED) - 3
    assert cells.at[("IDN", 2018), "blank_fields"] == ", ".join(NEEDED[:3])
    assert cells.at[("KHM", 2018), "label"] == "missing" and pd.isna(cells.at[("KHM", 2018), "fields_filled"])


def test_cells__a_year_before_joining_is_not_a_member_not_missing(case):
    _, matrix, filled = case
    cells = charts.build_completeness_cells(matrix, filled).set_index(["country", "year"])
    assert cells.at[("TLS", 2018), "state"] == charts.NOT_MEMBER
    assert cells.at[("TLS", 2019), "state"] == charts.MISSING


def test_apply_membership__drops_an_ams_that_was_never_a_member_in_these_years():
    matrix = charts.build_completeness_matrix(_submissions([]), ["BRN", "TLS"], [2018, 2019])
    assert list(charts.apply_membership(matrix, lambda year: ["BRN"]).index) == ["BRN"]


def test_figure__each_received_cell_says_fields_filled_of_needed(case):
    _, matrix, filled = case
    fig = charts.completeness_figure(matrix, AS_OF, names=NAMES, completeness=filled)
    heatmap = fig.data[0]
    cell = {(ams, str(year)): text for ams, row in zip(heatmap.y, heatmap.text) for year, text in zip(heatmap.x, row)}
    n = len(NEEDED)
    assert cell[("Brunei Darussalam", "2018")] == f"complete<br>{n}/{n}"
    assert cell[("Indonesia", "2018")] == f"3 blank<br>{n - 3}/{n}"
    assert cell[("Cambodia", "2018")] == "missing"
    assert cell[("Timor-Leste", "2018")] == "not a<br>member"
    hover = {(ams, str(year)): h for ams, row in zip(heatmap.y, heatmap.customdata) for year, h in zip(heatmap.x, row)}
    assert NEEDED[0] in hover[("Indonesia", "2018")]  # the hover names the blank fields


def test_figure__complete_and_blank_cells_have_different_colours(case):
    _, matrix, filled = case
    heatmap = charts.completeness_figure(matrix, AS_OF, completeness=filled).data[0]
    scale = [c for _, c in heatmap.colorscale]
    colour = {text: scale[2 * z] for z_row, t_row in zip(heatmap.z, heatmap.text) for z, text in zip(z_row, t_row)}
    n = len(NEEDED)
    assert colour[f"complete<br>{n}/{n}"] != colour[f"3 blank<br>{n - 3}/{n}"]
    assert colour["missing"] != colour[f"3 blank<br>{n - 3}/{n}"]


def test_figure__without_value_level_completeness_keeps_the_return_states():
    matrix = charts.build_completeness_matrix(_submissions([("BRN", 2018, "['x']")]), ["BRN", "KHM"], [2018])
    cells = {c for row in charts.completeness_figure(matrix, AS_OF).data[0].text for c in row}
    assert cells == {"accepted with<br>warnings", "missing"}


def test_indicator_gaps_table__reported_n_of_n_and_who_is_missing_why(case):
    values, _, _ = case
    gaps = indicator_gaps(values, FRAMEWORK, ["BRN", "KHM", "IDN"], 2018)
    table = charts.indicator_gaps_table(gaps, NAMES).set_index("indicator")
    first = FRAMEWORK.indicators[0].code  # A.1: needs the first field, which IDN left blank
    assert table.at[first, "reported"] == "1 of 3 AMS"
    assert table.at[first, "missing (no return)"] == "Cambodia"
    assert table.at[first, "missing (blank fields)"] == "Indonesia"
    assert table.at["E.3", "reported"] == "2 of 3 AMS" and table.at["E.3", "missing (blank fields)"] == "none"


# ----------------------------------------------------------------------------------------------- the page

def test_returns_page__grid_says_filled_of_needed_and_skips_non_members(database_url, open_page):
    at = open_page("pages/returns.py", year="2018")
    assert_clean(at)
    grid = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Country returns received")
    cells = {c for row in grid["data"][0]["text"] for c in row}
    assert any(c.endswith(f"/{len(NEEDED)}") and "blank" in c for c in cells)
    assert "Timor-Leste" not in grid["data"][0]["y"]  # reports from 2026: not a row of 2014-2020


def test_returns_page__per_indicator_table_for_the_year(database_url, open_page):
    at = open_page("pages/returns.py", year="2018")
    gaps = next(f.value for f in at.dataframe if "missing (blank fields)" in f.value.columns).set_index("indicator")
    assert list(gaps.index) == list(FRAMEWORK.codes)
    # The fixture: BRN and IDN sent 2018 returns with A.1.1's fields; KHM sent none; ten AMS are members.
    assert gaps.at["A.1.1", "reported"] == "2 of 10 AMS"
    assert "Cambodia" in gaps.at["A.1.1", "missing (no return)"]
    assert gaps.at["A.1.1", "missing (blank fields)"] == "none"
    assert gaps.at["E.3", "missing (blank fields)"] == "Indonesia"  # IDN's 2018 return leaves E.3 blank
    assert "Per indicator, 2018" in texts(at)
    assert "2 of 10 AMS sent a return for 2018; in 2 of them a field the indicators need is blank" in texts(at)
