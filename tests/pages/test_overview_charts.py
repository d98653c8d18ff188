"""The overview's figures, pinned on a hand-made report: the year's counts, what changed, the matrix, the scorecard."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from kpi import changes, charts, maps, summary
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK
from kpi.engine import REPORT_COLUMNS
from kpi.progress import GREY, JUDGED_STATUSES, STATUS_COLOURS

AS_OF = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc)

# (scope, indicator, year, value, status): the only rows of the report; any other indicator has no row (no data).
ROWS = [
    # ASEAN, 2018 -> 2019, one case per kind of movement
    ("ASEAN", "A.1.1", 2018, 45.0, "acceleration needed"), ("ASEAN", "A.1.1", 2019, 52.5, "achieved"),  # +7.5 pts
    ("ASEAN", "B.2", 2018, 12.0, "on track"), ("ASEAN", "B.2", 2019, 9.0, "limited progress"),  # -3, worse
    ("ASEAN", "C.1.1", 2018, None, "no data"), ("ASEAN", "C.1.1", 2019, 40.0, "on track"),  # now judged
    ("ASEAN", "D.1.1", 2018, 70.0, "deterioration"), ("ASEAN", "D.1.1", 2019, 68.0, "not achieved"),  # same red
    ("ASEAN", "E.3", 2018, 60.0, "limited progress"), ("ASEAN", "E.3", 2019, 60.0, "limited progress"),  # a real 0
    ("ASEAN", "E.1", 2018, 5.0, "on track"), ("ASEAN", "E.1", 2019, 7.0, "incomplete data"),  # no longer judged
    ("ASEAN", "A.1", 2018, 4.0, "incomplete data"), ("ASEAN", "A.1", 2019, 4.0, "no target"),  # still not judged
    # BRN: an answer that flips, a worsening, an improvement
    ("BRN", "A.1", 2018, 1.0, ""), ("BRN", "A.1", 2019, 0.0, ""),
    ("BRN", "A.1.1", 2018, 60.0, "achieved"), ("BRN", "A.1.1", 2019, 55.0, "on track"),
    ("BRN", "E.3", 2018, 70.0, "limited progress"), ("BRN", "E.3", 2019, 80.0, "on track"),
    # KHM: a value that goes missing; an answer that stays yes
    ("KHM", "A.1", 2018, 1.0, ""), ("KHM", "A.1", 2019, 1.0, ""),
    ("KHM", "A.1.1", 2018, 50.0, "acceleration needed"), ("KHM", "A.1.1", 2019, None, "no data"),
    # TLS reports from 2019 only: nothing to compare it with
    ("TLS", "A.1.1", 2019, 30.0, "limited progress"),
]


def _report(rows=ROWS) -> pd.DataFrame:
    records = []
    for scope, code, year, value, status in rows:
        record = dict.fromkeys(REPORT_COLUMNS)
        record.update(scope=scope, indicator=code, year=year, value=value, status=status,
                      unit=FRAMEWORK.indicator(code).unit, details={})
        records.append(record)
    return pd.DataFrame(records, columns=REPORT_COLUMNS)


@pytest.fixture(scope="module")
def report() -> pd.DataFrame:
    return _report()


# --- kpi.changes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "now", "movement"), [
    ("acceleration needed", "achieved", "improved"),
    ("on track", "achieved", "improved"),
    ("achieved", "on track", "worsened"),
    ("limited progress", "deterioration", "worsened"),
    ("limited progress", "not achieved", "worsened"),
    ("deterioration", "limited progress", "improved"),
    ("deterioration", "not achieved", None),  # equally severe
    ("not achieved", "deterioration", None),
    ("on track", "on track", None),
    ("no data", "on track", "now judged"),
    ("incomplete data", "deterioration", "now judged"),  # not "worse": it was not judged before
    ("achieved", "no target", "no longer judged"),
    ("limited progress", "no data", "no longer judged"),  # not "better"
    ("no data", "incomplete data", None),
    ("", None, None),
])
def test_compare_statuses__severity_order_and_judged_boundary(before, now, movement):
    assert changes.compare_statuses(before, now) == movement


def test_compare_statuses__every_judged_status_has_a_severity():
    assert set(changes.SEVERITY) == set(JUDGED_STATUSES)


def test_asean_changes__hand_computed_values_changes_and_movements(report):
    table = changes.asean_changes(report, 2019, 2018, FRAMEWORK).set_index("code")
    assert list(table.index) == list(FRAMEWORK.codes)  # every indicator, changed or not
    expected = {  # code: (before, now, change, movement)
        "A.1.1": (45.0, 52.5, 7.5, "improved"),
        "B.2": (12.0, 9.0, -3.0, "worsened"),
        "C.1.1": (None, 40.0, None, "now judged"),
        "D.1.1": (70.0, 68.0, -2.0, ""),
        "E.3": (60.0, 60.0, 0.0, ""),
        "E.1": (5.0, 7.0, 2.0, "no longer judged"),
        "A.1": (4.0, 4.0, 0.0, ""),
        "E.2": (None, None, None, ""),
    }
    for code, (before, now, change, movement) in expected.items():
        row = table.loc[code]
        for got, want in ((row["value_before"], before), (row["value_now"], now), (row["change"], change)):
            assert (pd.isna(got) if want is None else got == pytest.approx(want)), (code, got, want)
        assert row["movement"] == movement, code
    assert table.at["E.2", "status_before"] == table.at["E.2", "status_now"] == "no data"


def test_ams_changes__moves_flips_and_order(report):
    moved = changes.ams_changes(report, 2019, 2018, FRAMEWORK, countries=["BRN", "KHM", "IDN", "TLS"])
    got = [(r.scope, r.code, r.movement) for r in moved.itertuples()]
    assert got == [
        ("BRN", "A.1.1", "worsened"), ("BRN", "E.3", "improved"), ("BRN", "A.1", "answer changed"),
        ("KHM", "A.1.1", "no longer judged"),
    ]  # TLS has no 2018 row, IDN no row at all, KHM's A.1 stayed yes
    brn_a1 = moved[(moved["scope"] == "BRN") & (moved["code"] == "A.1")].iloc[0]
    assert brn_a1["is_answer"] and (brn_a1["value_before"], brn_a1["value_now"]) == (1.0, 0.0)


def test_summarise_by_member__codes_per_movement(report):
    moved = changes.ams_changes(report, 2019, 2018, FRAMEWORK)
    summary_table = changes.summarise_by_member(moved, ["BRN", "KHM", "IDN"])
    assert summary_table.to_dict("records") == [
        {"scope": "BRN", "worsened": "A.1.1", "improved": "E.3", "other": "A.1 yes → no"},
        {"scope": "KHM", "worsened": "", "improved": "", "other": "A.1.1 no longer judged"},
    ]


def test_previous_year_with_data__skips_a_year_nobody_reported():
    report = _report([("ASEAN", "A.1.1", 2015, 30.0, "limited progress"), ("ASEAN", "A.1.1", 2016, None, "no data"),
                      ("BRN", "A.1.1", 2016, None, "no data"), ("ASEAN", "A.1.1", 2017, 40.0, "on track")])
    assert changes.previous_year_with_data(report, 2017) == 2015
    assert changes.previous_year_with_data(report, 2015) is None


# --- kpi.summary ------------------------------------------------------------------------------------

def test_count_statuses__by_colour_with_the_red_ones_split():
    counts = summary.count_statuses(["achieved", "on track", "acceleration needed", "limited progress",
                                     "not achieved", "not achieved", "no data", "incomplete data", ""])
    assert (counts.green, counts.amber, counts.red, counts.not_judged, counts.total) == (2, 1, 3, 3, 9)
    assert counts.red_by_status == {"limited progress": 1, "not achieved": 2}


def test_returns_received__current_returns_of_the_members_of_the_year():
    submissions = pd.DataFrame([
        ("return", "current", "BRN", 2019), ("return", "superseded", "KHM", 2019), ("return", "current", "IDN", 2018),
        ("return", "current", "TLS", 2019), ("targets", "current", "LAO", 2019),
    ], columns=["kind", "status", "country", "year"])
    assert summary.returns_received(submissions, ["BRN", "KHM", "IDN", "LAO"], 2019) == ["BRN"]
    assert summary.returns_received(submissions.iloc[0:0], ["BRN"], 2019) == []


# --- kpi.charts: the tables -------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "unit", "shown"), [
    (7.5, "%", "+7.5 pts"), (-2.0, "%", "−2.0 pts"), (0.0, "%", "0.0 pts"), (-0.04, "%", "0.0 pts"),
    (-3.0, "policies", "−3"), (0.0, "AMS", "0"), (57.0, "participants", "+57"), (2.5, "projects", "+2.5"),
    (1234.0, "participants", "+1,234"), (None, "%", "no data"), (float("nan"), "AMS", "no data"),
])
def test_format_change__signed_zero_visible_missing_never_zero(change, unit, shown):
    assert charts.format_change(change, unit) == shown


def test_changes_table__every_indicator_as_text(report):
    table = charts.changes_table(report, 2019, 2018, FRAMEWORK).set_index("code")
    assert list(table.columns) == ["wording", "value 2018", "value 2019", "change", "status 2018", "status 2019",
                                   "movement"]
    assert table.loc["A.1.1"].to_dict() == {
        "wording": FRAMEWORK.indicator("A.1.1").wording, "value 2018": "45.0 %", "value 2019": "52.5 %",
        "change": "+7.5 pts", "status 2018": "acceleration needed", "status 2019": "achieved", "movement": "improved"}
    movements = table["movement"].to_dict()
    assert movements["B.2"] == "worsened" and table.at["B.2", "change"] == "−3"
    assert (movements["C.1.1"], table.at["C.1.1", "change"]) == ("now judged", "no data")
    assert movements["D.1.1"] == "same severity"
    assert (movements["E.3"], table.at["E.3", "change"]) == ("unchanged", "0.0 pts")
    assert movements["E.1"] == "no longer judged"
    assert movements["A.1"] == "still not judged"


def test_ams_changes_table__answers_read_yes_no_and_are_not_judged(report):
    moved = changes.ams_changes(report, 2019, 2018, FRAMEWORK)
    table = charts.ams_changes_table(moved, 2019, 2018, {"BRN": "Brunei Darussalam"})
    rows = {(r["AMS"], r["code"]): r for r in table.to_dict("records")}
    assert rows[("Brunei Darussalam", "A.1")] == {
        "AMS": "Brunei Darussalam", "code": "A.1", "value 2018": "yes", "status 2018": charts.YES_NO_STATUS,
        "value 2019": "no", "status 2019": charts.YES_NO_STATUS, "movement": "answer changed"}
    assert rows[("KHM", "A.1.1")]["value 2019"] == "no data"
    assert rows[("Brunei Darussalam", "A.1.1")]["value 2018"] == "60.0 %"


def test_scorecard__coverage_counts_the_members_of_the_year():
    rows = [("ASEAN", "A.1.1", 2027, 50.0, "on track")] + [(c, "A.1.1", 2027, 50.0, "on track") for c in
                                                           ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP",
                                                            "THA", "VNM", "TLS")]
    report = _report(rows)
    report.loc[report["scope"] == "ASEAN", "coverage"] = 9
    assert charts.scorecard_table(report, 2027, FRAMEWORK).set_index("code").at["A.1.1", "coverage"] == "9 of 11 AMS"
    explicit = charts.scorecard_table(report, 2027, FRAMEWORK, ams_count=10).set_index("code")
    assert explicit.at["A.1.1", "coverage"] == "9 of 10 AMS"


# --- kpi.charts: the status matrix ------------------------------------------------------------------

def _cells(fig) -> dict[tuple[str, str], tuple[str, str]]:
    """Return (indicator, scope) -> (printed text, fill colour) of the matrix."""
    heatmap = fig.data[0]
    scale = [colour for _, colour in heatmap.colorscale]
    return {(code, scope): (text, scale[2 * z])
            for code, z_row, text_row in zip(heatmap.y, heatmap.z, heatmap.text)
            for scope, z, text in zip(heatmap.x, z_row, text_row)}


def test_status_matrix__indicators_down_scopes_across_iso_codes(report):
    fig = charts.status_matrix_figure(report, 2019, FRAMEWORK, AS_OF, names={"BRN": "Brunei Darussalam"})
    heatmap = fig.data[0]
    assert list(heatmap.y) == list(FRAMEWORK.codes)
    assert list(heatmap.x) == ["ASEAN", "BRN", "KHM", "TLS"]  # codes fit a column; the name is in the hover
    assert heatmap.customdata[0][1] == "Brunei Darussalam"
    assert fig.layout.height == charts._MATRIX_ROW_PX * len(FRAMEWORK.codes) + charts._MATRIX_TOP + 110


def test_status_matrix__no_is_never_styled_like_yes_and_neither_like_a_status(report):
    cells = _cells(charts.status_matrix_figure(report, 2019, FRAMEWORK, AS_OF))
    yes_text, yes_fill = cells[("A.1", "KHM")]
    no_text, no_fill = cells[("A.1", "BRN")]
    assert (yes_text, no_text) == ("yes", "no")
    assert yes_fill != no_fill
    assert {yes_fill, no_fill}.isdisjoint(set(STATUS_COLOURS.values()) | {GREY, charts.NO_DATA_CELL_COLOUR})
    assert (yes_fill, no_fill) == (maps.YES_COLOUR, maps.NO_COLOUR)  # the same key as the map by status


def test_status_matrix__cells_print_value_and_status(report):
    cells = _cells(charts.status_matrix_figure(report, 2019, FRAMEWORK, AS_OF))
    assert cells[("A.1.1", "ASEAN")] == ("52.5 %<br>achieved", STATUS_COLOURS["achieved"])
    assert cells[("D.1.1", "ASEAN")] == ("68.0 %<br>not<br>achieved", STATUS_COLOURS["not achieved"])
    assert cells[("B.2", "ASEAN")] == ("9<br>limited<br>progress", STATUS_COLOURS["limited progress"])
    assert cells[("A.1.1", "KHM")] == ("no data", charts.NO_DATA_CELL_COLOUR)
    assert cells[("E.1", "ASEAN")] == ("7<br>incomplete<br>data", GREY)


def test_status_matrix__one_long_word_is_hyphenated_to_fit_its_cell(report):
    cells = _cells(charts.status_matrix_figure(report, 2018, FRAMEWORK, AS_OF))
    assert cells[("D.1.1", "ASEAN")] == ("70.0 %<br>deterio-<br>ration", STATUS_COLOURS["deterioration"])


def test_status_matrix__every_label_is_drawn_in_the_colour_that_reads_on_its_cell(report):
    fig = charts.status_matrix_figure(report, 2019, FRAMEWORK, AS_OF)
    cells = _cells(fig)
    labels = fig.data[1]
    assert labels.mode == "text" and len(labels.text) == len(cells)
    ink = {(y, x): (text, colour) for x, y, text, colour in zip(labels.x, labels.y, labels.text, labels.textfont.color)}
    for key, (text, fill) in cells.items():
        assert ink[key][0] == text
        dark_fill = fill in (STATUS_COLOURS["achieved"], STATUS_COLOURS["not achieved"], maps.YES_COLOUR)
        assert ink[key][1] == ("#ffffff" if dark_fill else "#111827"), (key, fill)


def test_status_matrix__names_are_escaped_and_the_key_says_yes_and_no(report):
    hostile = {"BRN": "<b>Brunei</b> %{y} $x$"}
    fig = charts.status_matrix_figure(report, 2019, FRAMEWORK, AS_OF, names=hostile)
    brn = list(fig.data[0].x).index("BRN")
    assert fig.data[0].customdata[0][brn] == "&lt;b&gt;Brunei&lt;/b&gt; &#37;{y} &#36;x&#36;"
    subtitle = fig.layout.title.subtitle.text
    assert "yes in blue, no in yellow" in subtitle and "not judged" in subtitle
    assert not re.search(r"<(?!br>)", subtitle)
