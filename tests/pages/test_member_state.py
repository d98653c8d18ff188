"""Member State page (issue 9 item 4): every indicator visible, each against its own target, yes/no never judged."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import assert_clean, shown

from kpi import charts
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK

STATUS_RULES = "How the status and the progress bar are worked out"


def _row(indicator, year, value, baseline=None, target=None, target_source=None, status="", progress=None):
    return {"indicator": indicator, "scope": "BRN", "year": year, "value": value, "baseline": baseline,
            "target": target, "target_source": target_source, "status": status, "progress": progress}


@pytest.fixture
def report() -> pd.DataFrame:
    return pd.DataFrame([
        _row("A.1.1", 2014, 25.0, 25.0, 65.0, "own", "baseline year"),
        _row("A.1.1", 2018, 60.0, 25.0, 65.0, "own", "on track", 0.875),
        _row("B.1.1", 2018, 0.0, 10.0, 60.0, "every AMS", "deterioration", -0.2),
        _row("E.3", 2018, None, 70.0, None, None, "no data"),
        _row("A.1", 2018, 0.0, 1.0),  # a yes/no answer: "no" this year, "yes" at baseline
        _row("B.1", 2018, 1.0, 0.0),
    ])


# ----------------------------------------------------------------------------------------------- the table

def test_member_state_table__one_row_per_indicator_in_framework_order(report):
    table = charts.member_state_table(report, "BRN", 2018, FRAMEWORK)
    assert list(table["code"]) == list(FRAMEWORK.codes)


def test_member_state_table__each_indicator_against_its_own_target_or_not_set(report):
    table = charts.member_state_table(report, "BRN", 2018, FRAMEWORK).set_index("code")
    assert (table.at["A.1.1", "target"], table.at["A.1.1", "target_for"]) == (65.0, "own target")
    assert (table.at["B.1.1", "target"], table.at["B.1.1", "target_for"]) == (60.0, "every AMS")
    assert table.at["E.3", "target"] == charts.TARGET_NOT_SET
    assert table.at["C.1.1", "target"] == charts.TARGET_NOT_SET  # no row at all: nothing is invented


def test_member_state_table__progress_in_percent_as_it_is(report):
    table = charts.member_state_table(report, "BRN", 2018, FRAMEWORK).set_index("code")
    assert table.at["A.1.1", "progress_pct"] == pytest.approx(87.5)
    assert table.at["B.1.1", "progress_pct"] == pytest.approx(-20.0)  # below 0 is said, not clipped
    assert pd.isna(table.at["E.3", "progress_pct"])


def test_member_state_table__yes_no_shows_the_answer_and_no_status(report):
    table = charts.member_state_table(report, "BRN", 2018, FRAMEWORK).set_index("code")
    assert (table.at["A.1", "baseline"], table.at["A.1", "value"]) == ("yes", "no")
    assert (table.at["B.1", "baseline"], table.at["B.1", "value"]) == ("no", "yes")
    for code in ("A.1", "B.1"):
        assert table.at[code, "status"] == charts.YES_NO_STATUS
        assert table.at[code, "target"] == charts.YES_NO_TARGET and pd.isna(table.at[code, "progress_pct"])
    assert table.at["C.1", "value"] == "no data" and table.at["C.1", "status"] == "no data"


def test_format_member_state_table__a_real_zero_is_zero_and_no_data_is_no_data(report):
    shown_table = charts.format_member_state_table(charts.member_state_table(report, "BRN", 2018, FRAMEWORK))
    rows = shown_table.set_index("code")
    assert rows.at["B.1.1", "value"] == "0.0 %"
    assert rows.at["E.3", "value"] == "no data" and rows.at["E.3", "baseline"] == "70.0 %"
    assert rows.at["A.1.1", "target"] == "65.0 %\n(own target)"
    assert rows.at["B.1.1", "target"] == "60.0 %\n(every AMS)"
    assert rows.at["E.3", "target"] == "not set"
    assert rows.at["A.1.1", "indicator"].startswith("A.1.1 · Number/ Percentage")


# ----------------------------------------------------------------------------------------------- the page

def _indicators(at) -> pd.DataFrame:
    return next(f.value for f in at.dataframe if "trend" in f.value.columns).set_index("code")


def test_member_state_page__all_17_indicators_shown_whole(database_url, open_page):
    at = open_page("pages/member_state.py", country="BRN", year="2018")
    assert_clean(at)
    frame = next(f for f in at.dataframe if "trend" in f.value.columns)
    assert list(frame.value["code"]) == list(FRAMEWORK.codes)
    # Rows tall enough for the Work Plan wording to wrap (Streamlit wraps above 64 px); that no table scrolls
    # inside itself is checked in the browser (tests/e2e/test_member_returns_layout.py).
    assert frame.proto.row_height > 64


def test_member_state_page__targets_statuses_and_answers(database_url, open_page):
    at = open_page("pages/member_state.py", country="BRN", year="2018")
    rows = _indicators(at)
    assert rows.at["A.1.1", "value"] == "60.0 %"
    assert rows.at["A.1.1", "target"] == "60.0 %\n(every AMS)"  # the fixture sets 60 % for every AMS
    assert rows.at["A.1.1", "status"] == "achieved"
    assert rows.at["E.3", "target"] == "not set"  # only ASEAN has an E.3 target
    assert rows.at["E.3", "status"] == "no target"
    assert rows.at["A.1", "value"] == "yes" and rows.at["A.1", "status"] == charts.YES_NO_STATUS


def test_member_state_page__status_cells_coloured_yes_no_cells_not(database_url, open_page):
    at = open_page("pages/member_state.py", country="BRN", year="2018")
    frame = next(f for f in at.dataframe if "trend" in f.value.columns)
    status = list(frame.value.columns).index("status")
    styles = frame.proto.arrow_data.styler.styles
    rows = {code: index for index, code in enumerate(frame.value["code"])}
    coloured = {code for code, index in rows.items() if f"_row{index}_col{status}" in styles}
    assert {"A.1.1", "E.3"} <= coloured  # a status keeps its colour beside its label
    assert charts.status_colour("achieved") in styles
    assert not coloured & {"A.1", "B.1"}  # BRN's 2018 answers: an answer is not a status, so no colour
    assert "C.1" in coloured  # no answer at all reads "no data", grey like every status not judged


def test_member_state_page__explains_the_status_rules_once(database_url, open_page):
    at = open_page("pages/member_state.py", country="BRN", year="2018")
    assert [shown(e.label) for e in at.expander].count(STATUS_RULES) == 1
