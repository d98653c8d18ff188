"""Completeness at value level, pinned on hand-made current values."""

import pandas as pd

from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.completeness import all_needed_fields, indicator_gaps, needed_fields, return_completeness


def _values(rows):
    return pd.DataFrame(rows, columns=["country", "year", "field_code", "value_number", "value_text"])


def test_needed_fields__lists_count_through_their_declared_total():
    needed = needed_fields(CURRENT_FRAMEWORK)
    assert needed["A.1.1"] == ("a11_agencies_competency", "agencies_total")
    assert needed["B.2"] == ("b2_policies_count",)
    assert needed["D.1.1"] == needed["D.2"] == ("d2_projects_count",)
    assert needed["E.2.1"] == ("e21_processes_engaged", "e21_policy_processes")
    # a1, a11, agencies_total, b1, b11, b2, c1, c11, c2, c21, d1, d2, e1, e2, e21 (two), e3: 17 by hand
    assert len(all_needed_fields(CURRENT_FRAMEWORK)) == 17


def test_return_completeness__blank_is_not_filled_and_no_return_is_nothing():
    fields = all_needed_fields(CURRENT_FRAMEWORK)
    rows = [("BRN", 2019, f, 1.0, None) for f in fields]  # every needed field filled
    rows[fields.index("agencies_total")] = ("BRN", 2019, "agencies_total", None, None)  # stored blank
    rows += [("KHM", 2019, "a1_competency_institutionalised", 0.0, None)]  # a real "no" (0) is filled
    table = return_completeness(_values(rows), CURRENT_FRAMEWORK, ["BRN", "KHM", "LAO"], [2019])
    brn, khm, lao = (table[table.country == c].iloc[0] for c in ("BRN", "KHM", "LAO"))
    assert (brn.filled, brn.needed, brn.blank_fields) == (16, 17, ["agencies_total"])
    assert (khm.filled, khm.has_return) == (1, True)
    assert (lao.filled, lao.has_return, len(lao.blank_fields)) == (0, False, 17)


def test_indicator_gaps__who_is_missing_and_why():
    rows = [("BRN", 2019, "a11_agencies_competency", 5.0, None), ("BRN", 2019, "agencies_total", 10.0, None),
            ("KHM", 2019, "agencies_total", 12.0, None)]  # KHM left a11 blank
    gaps = indicator_gaps(_values(rows), CURRENT_FRAMEWORK, ["BRN", "KHM", "LAO"], 2019).set_index("indicator")
    assert gaps.loc["A.1.1", "reported"] == 1 and gaps.loc["A.1.1", "of"] == 3
    assert gaps.loc["A.1.1", "missing_blank"] == ["KHM"]
    assert gaps.loc["A.1.1", "missing_no_return"] == ["LAO"]
    assert gaps.loc["E.3", "missing_blank"] == ["BRN", "KHM"]
