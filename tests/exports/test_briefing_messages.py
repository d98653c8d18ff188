"""The pack's words written from the data, pinned on a hand-made KPI table: key messages, leaders and laggards."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.completeness import all_needed_fields
from kpi.exports.messages import (
    compute_key_messages, describe_leaders, format_amount, join_words, rank_members, write_key_messages,
)

NAN = math.nan
MEMBERS = ["BRN", "KHM", "LAO"]
NAMES = {"BRN": "Brunei Darussalam", "KHM": "Cambodia", "LAO": "Lao PDR"}
YEAR, BEFORE = 2019, 2018
A11, A1 = CURRENT_FRAMEWORK.indicator("A.1.1"), CURRENT_FRAMEWORK.indicator("A.1")


def row(code, scope, year, value, status, progress=NAN, target=NAN, baseline=NAN):
    return {"indicator": code, "scope": scope, "year": year, "value": value, "coverage": 3.0, "baseline": baseline,
            "target": target, "change": NAN, "progress": progress, "status": status, "projected": NAN}


@pytest.fixture(scope="module")
def report():
    rows = [
        # ASEAN: C.1.1 moves most (+40 points of its way), then A.1.1 (+30, newly achieved), E.1 falls 10;
        # B.1.1 moves 2 points (not among the three largest) and goes from on track into red.
        row("A.1.1", "ASEAN", BEFORE, 60.0, "on track", 0.8), row("A.1.1", "ASEAN", YEAR, 72.0, "achieved", 1.1),
        row("B.1.1", "ASEAN", BEFORE, 40.0, "on track", 0.5),
        row("B.1.1", "ASEAN", YEAR, 41.0, "limited progress", 0.52),
        row("C.1.1", "ASEAN", BEFORE, 30.0, "acceleration needed", 0.2),
        row("C.1.1", "ASEAN", YEAR, 50.0, "on track", 0.6),
        row("E.1", "ASEAN", BEFORE, 25.0, "acceleration needed", 0.2),
        row("E.1", "ASEAN", YEAR, 20.0, "deterioration", 0.1),
        row("E.2.1", "ASEAN", BEFORE, 30.0, "no target"), row("E.2.1", "ASEAN", YEAR, 35.0, "no target"),
        # AMS: Brunei has two of its three judged indicators in red, Cambodia one of two, Lao PDR none judged.
        row("A.1.1", "BRN", YEAR, 20.0, "limited progress", target=75.0),
        row("B.1.1", "BRN", YEAR, 10.0, "deterioration", target=75.0),
        row("C.1.1", "BRN", YEAR, 80.0, "on track", target=75.0),
        row("A.1.1", "KHM", YEAR, 90.0, "achieved", target=75.0),
        row("B.1.1", "KHM", YEAR, 15.0, "limited progress", target=75.0),
        row("A.1.1", "LAO", YEAR, NAN, "no data"), row("C.1.1", "LAO", YEAR, 55.0, "no target"),
        row("A.1", "BRN", YEAR, 1.0, ""), row("A.1", "KHM", YEAR, 0.0, ""), row("A.1", "LAO", YEAR, NAN, "no data"),
    ]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def values():
    """Brunei fills every needed field for 2019, Cambodia leaves agencies_total blank, Lao PDR sent nothing."""
    rows = []
    for field in all_needed_fields(CURRENT_FRAMEWORK):
        rows.append({"country": "BRN", "year": YEAR, "field_code": field, "value_number": 1.0, "value_text": None})
        blank = field == "agencies_total"
        rows.append({"country": "KHM", "year": YEAR, "field_code": field, "value_number": NAN if blank else 1.0,
                     "value_text": None})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def messages(report, values):
    return compute_key_messages(report, CURRENT_FRAMEWORK, YEAR, MEMBERS, values)


def test_key_messages__achieved_and_missed_at_asean_level(messages):
    assert messages.achieved == ("A.1.1",)
    assert messages.missed == ("B.1.1", "E.1")  # limited progress, deterioration: framework order by status
    assert messages.statuses["on track"] == ("C.1.1",)
    assert messages.not_judged["no target"] == ("E.2.1",)
    assert "A.1" in messages.not_judged["no data"]  # no ASEAN row at all reads no data


def test_key_messages__the_largest_moves_since_the_previous_year(messages):
    assert messages.previous_year == BEFORE
    assert [(m.code, round(m.progress_points)) for m in messages.moves] == [("C.1.1", 40), ("A.1.1", 30),
                                                                            ("E.1", -10)]
    assert messages.moves[0].previous_value == 30.0 and messages.moves[0].value == 50.0


def test_key_messages__only_telling_status_changes(messages):
    assert messages.status_changes == (("A.1.1", "on track", "achieved"), ("B.1.1", "on track", "limited progress"),
                                       ("E.1", "acceleration needed", "deterioration"))


def test_key_messages__the_ams_furthest_behind(messages):
    assert [(b.country, b.red, b.judged) for b in messages.furthest_behind] == [("BRN", 2, 3), ("KHM", 1, 2)]


def test_key_messages__coverage_gaps(messages):
    needed = len(all_needed_fields(CURRENT_FRAMEWORK))
    assert messages.no_return == ("LAO",)
    assert messages.blank_fields == (("KHM", 1, needed),)
    # agencies_total is blank in Cambodia's return: the four agency shares lack its figure (Lao PDR's is missing)
    assert messages.thin_indicators == (("A.1.1", 1, 3), ("B.1.1", 1, 3), ("C.1.1", 1, 3), ("C.2.1", 1, 3))


def test_write_key_messages__the_sentences(messages):
    sentences = write_key_messages(messages, CURRENT_FRAMEWORK, NAMES)
    assert sentences[0] == "Achieved at ASEAN level in 2019: 1 of 17 indicators (A.1.1)."
    assert sentences[1] == ("Against the path to the 2020 targets: on track 1 (C.1.1); limited progress 1 (B.1.1); "
                            "deterioration 1 (E.1).")
    assert sentences[2] == ("Not judged: 13 of 17 indicators (no data: A.1, B.1, B.2, C.1, C.2, C.2.1, D.1, D.1.1, "
                            "D.2, D.2.1, E.2, E.3; no target: E.2.1).")
    moves = next(s for s in sentences if s.startswith("Largest moves"))
    assert moves == ("Largest moves since 2018, in points of the way from baseline to target: C.1.1 +40 points "
                     "(30.0 % → 50.0 %); A.1.1 +30 points (60.0 % → 72.0 %); E.1 -10 points (25 measures → 20 "
                     "measures). Newly achieved since 2018: A.1.1. Into red since 2018: B.1.1, E.1.")
    behind = next(s for s in sentences if s.startswith("Furthest behind"))
    assert behind.endswith("Brunei Darussalam (2 of 3 judged indicators) and Cambodia (1 of 2 judged indicators).")
    returns = next(s for s in sentences if s.startswith("Returns for 2019"))
    assert returns == ("Returns for 2019: 2 of 3 AMS; none from Lao PDR. Needed fields left blank: Cambodia "
                       f"(1 of {len(all_needed_fields(CURRENT_FRAMEWORK))}).")
    assert sentences[-1] == ("Indicators short of an AMS's figure because of blank fields: A.1.1 (1 of 3 AMS); "
                             "B.1.1 (1 of 3 AMS); C.1.1 (1 of 3 AMS); C.2.1 (1 of 3 AMS).")


def test_write_key_messages__at_the_target_year_it_says_not_achieved(report, values):
    at_target = report.assign(year=report["year"] + 1)
    at_target.loc[at_target["status"] == "limited progress", "status"] = "not achieved"
    messages = compute_key_messages(at_target, CURRENT_FRAMEWORK, 2020, MEMBERS, values.assign(year=2020))
    sentences = write_key_messages(messages, CURRENT_FRAMEWORK, NAMES)
    assert "Not achieved by 2020: 1 of 17 indicators (B.1.1)." in sentences


def test_write_key_messages__no_earlier_year_and_nobody_behind(report, values):
    only = report[report["year"] == YEAR]
    only = only.assign(status=only["status"].replace({"limited progress": "on track", "deterioration": "on track"}))
    messages = compute_key_messages(only, CURRENT_FRAMEWORK, YEAR, MEMBERS, values)
    sentences = write_key_messages(messages, CURRENT_FRAMEWORK, NAMES)
    assert "No earlier year to compare 2019 with." in sentences
    assert any(s.startswith("No AMS has an indicator in red") for s in sentences)


def test_rank_members__highest_first_missing_last(report):
    ranked = rank_members(report, A11, YEAR, MEMBERS)
    assert [r["scope"] for r in ranked] == ["KHM", "BRN", "LAO"]
    assert ranked[-1]["value"] is None


def test_describe_leaders__names_highest_lowest_and_missing(report):
    extra = pd.DataFrame([row("A.1.1", c, YEAR, v, "no target") for c, v in (("MYS", 50.0), ("PHL", 0.0))])
    members = [*MEMBERS, "MYS", "PHL"]
    names = {**NAMES, "MYS": "Malaysia", "PHL": "Philippines"}
    sentence = describe_leaders(pd.concat([report, extra]), A11, YEAR, members, names)
    assert sentence == ("Highest in 2019: Cambodia (90.0 %) and Malaysia (50.0 %); lowest: Brunei Darussalam "
                        "(20.0 %) and Philippines (0.0 %); 1 of 2 AMS with a target have reached it; no data: "
                        "Lao PDR.")


def test_describe_leaders__yes_no_answers_are_named_not_ranked(report):
    assert describe_leaders(report, A1, YEAR, MEMBERS, NAMES) == "Yes in 2019: 1 AMS; no: Cambodia; no data: Lao PDR."


def test_describe_leaders__few_or_no_figures(report):
    assert describe_leaders(report, A11, 2017, MEMBERS, NAMES) == "No AMS has a figure for 2017."
    two = report[~((report["indicator"] == "A.1.1") & (report["scope"] == "KHM"))]
    assert describe_leaders(two, A11, YEAR, MEMBERS, NAMES) == ("Only Brunei Darussalam (20.0 %) reported for 2019; "
                                                                "no data: Cambodia and Lao PDR.")


@pytest.mark.parametrize("items, expected", [([], ""), (["a"], "a"), (["a", "b"], "a and b"),
                                             (["a", "b", "c"], "a, b and c")])
def test_join_words(items, expected):
    assert join_words(items) == expected


def test_format_amount__a_real_zero_is_zero_and_none_is_no_data():
    assert format_amount(0.0, A11) == "0.0 %"
    assert format_amount(None, A11) == "no data"
    assert format_amount(3.0, A1) == "3 AMS"

