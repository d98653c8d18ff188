"""The Indicator page's figures on hand-made KPI rows: each AMS's own target drawn, a zero visibly 0, no data named,
the ASEAN total of a sum on its own panel, yes/no answers as a grid of words in neutral colours."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpi import charts
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK
from kpi.maps import NO_COLOUR, YES_COLOUR
from kpi.progress import STATUS_COLOURS

AS_OF = dt.date(2026, 11, 23)
NAMES = {"BRN": "Brunei Darussalam", "KHM": "Cambodia", "LAO": "Lao PDR", "MMR": "Myanmar"}
COLUMNS = ["indicator", "scope", "year", "value", "coverage", "baseline", "target", "target_source", "status",
           "projected", "unit"]


def _row(indicator, scope, year, value, target=None, source=None, status="", coverage=None, baseline=None,
         unit="%"):
    return dict(indicator=indicator, scope=scope, year=year, value=value, coverage=coverage, baseline=baseline,
                target=target, target_source=source, status=status, projected=None, unit=unit)


@pytest.fixture
def percent_report() -> pd.DataFrame:
    """A.1.1 in 2017: BRN on the every-AMS target, LAO a reported 0 with its own target, MMR no data, KHM no target."""
    rows = [
        _row("A.1.1", "ASEAN", 2017, 30.0, 70.0, "own", "acceleration needed", coverage=3, baseline=20.0),
        _row("A.1.1", "BRN", 2017, 60.0, 60.0, "every AMS", "on track", baseline=40.0),
        _row("A.1.1", "LAO", 2017, 0.0, 30.0, "own", "limited progress", baseline=0.0),
        _row("A.1.1", "MMR", 2017, None, 60.0, "every AMS", "no data"),
        _row("A.1.1", "KHM", 2017, 30.0, None, None, "no target", baseline=10.0),
        _row("A.1.1", "ASEAN", 2016, None, 70.0, "own", "no data", coverage=0, baseline=20.0),
        _row("A.1.1", "BRN", 2016, 55.0, 60.0, "every AMS", "on track", baseline=40.0),
        _row("A.1.1", "LAO", 2016, 0.0, 30.0, "own", "limited progress", baseline=0.0),
        _row("A.1.1", "MMR", 2016, 5.0, 60.0, "every AMS", "limited progress"),
        _row("A.1.1", "KHM", 2016, 20.0, None, None, "no target", baseline=10.0),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def sum_report() -> pd.DataFrame:
    """B.2, a sum: ASEAN 40 policies against AMS values of 10 to 18, no AMS target."""
    rows = [_row("B.2", "ASEAN", year, 40.0 + year - 2017, 60.0, "own", "on track", coverage=3, baseline=30.0,
                 unit="policies") for year in (2017, 2018)]
    rows += [_row("B.2", scope, year, value + year - 2017, None, None, "no target", unit="policies")
             for scope, value in (("BRN", 10.0), ("KHM", 12.0), ("LAO", 18.0)) for year in (2017, 2018)]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def yes_no_report() -> pd.DataFrame:
    """A.1, a yes-count: BRN yes, KHM no, MMR no data in 2017; the region counts the yeses."""
    rows = [_row("A.1", "ASEAN", 2017, 1.0, 3.0, "own", "incomplete data", coverage=2, baseline=1.0, unit="AMS"),
            _row("A.1", "BRN", 2017, 1.0, unit="AMS"), _row("A.1", "KHM", 2017, 0.0, unit="AMS"),
            _row("A.1", "MMR", 2017, None, unit="AMS")]
    return pd.DataFrame(rows, columns=COLUMNS)


def _annotation_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def _column(fig, scope_name: str) -> list[str]:
    """The texts the ranking prints at the right of an AMS's bar (value and status, then target)."""
    return [a.text for a in fig.layout.annotations if a.yref == "y" and a.y == scope_name]


# --- the AMS of the year -----------------------------------------------------------------------------------------

def test_ranking__each_ams_target_marked_on_its_bar_own_and_every_ams_apart(percent_report):
    fig = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    every = next(t for t in fig.data if t.name == "target 2020 for every AMS")
    own = next(t for t in fig.data if t.name == "own target 2020")
    assert dict(zip(every.y, every.x)) == {"Brunei Darussalam": 60.0, "Myanmar": 60.0}
    assert dict(zip(own.y, own.x)) == {"Lao PDR": 30.0}
    assert "Cambodia" not in every.y and "Cambodia" not in own.y


def test_ranking__target_column_prints_each_target_and_not_set(percent_report):
    fig = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    assert _column(fig, "Brunei Darussalam")[-1] == "60.0 %"
    assert _column(fig, "Lao PDR")[-1] == "30.0 % (own)"
    assert _column(fig, "Cambodia")[-1] == "not set"
    assert "Target 2020" in _annotation_texts(fig)


def test_ranking__status_printed_beside_each_bar_judged_against_own_target(percent_report):
    fig = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    assert "60.0 % · on track" in _column(fig, "Brunei Darussalam")
    assert "30.0 % · no target" in _column(fig, "Cambodia")
    bars = next(t for t in fig.data if t.type == "bar")
    colour_of = dict(zip(bars.y, bars.marker.color))
    assert colour_of["Brunei Darussalam"] == STATUS_COLOURS["on track"]
    assert colour_of["Cambodia"] == charts.GREY  # not judged: grey, never red


def test_ranking__a_zero_is_a_visible_zero(percent_report):
    fig = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    zero = next(t for t in fig.data if t.name == "reported 0")
    assert list(zero.y) == ["Lao PDR"] and list(zero.x) == [0]
    assert zero.marker.symbol == "line-ns" and zero.marker.size >= 20  # a mark at the axis, not an empty slot
    assert [t.strip() for t in zero.text] == ["0"]
    assert "0 % · limited progress" in _column(fig, "Lao PDR")


def test_ranking__no_data_is_named_at_the_axis_never_a_bar(percent_report):
    fig = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    bars = next(t for t in fig.data if t.type == "bar")
    assert "Myanmar" not in bars.y
    no_data = next(t for t in fig.data if t.name == "no data")
    assert list(no_data.y) == ["Myanmar"] and list(no_data.text) == ["no data"]
    assert 0 <= no_data.x[0] < 5  # at the axis
    assert "no data" in _column(fig, "Myanmar")
    assert "Myanmar" in fig.layout.yaxis.categoryarray  # its row is listed


def test_ranking__mean_draws_the_asean_line_a_sum_does_not(percent_report, sum_report):
    mean = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    assert [shape.x0 for shape in mean.layout.shapes] == [30.0]
    assert any("ASEAN 30.0 % (the mean of the AMS)" in text for text in _annotation_texts(mean))
    total = charts.ranking_figure(sum_report, "B.2", 2017, FRAMEWORK, AS_OF, names=NAMES)
    assert not total.layout.shapes
    assert total.layout.xaxis.range[1] < 40  # the axis fits the AMS, not the regional sum
    assert any(text.startswith("ASEAN total 40") for text in _annotation_texts(total))


def test_ranking__yes_no_is_a_column_of_answers_not_bars(yes_no_report):
    fig = charts.ranking_figure(yes_no_report, "A.1", 2017, FRAMEWORK, AS_OF, names=NAMES)
    assert not [t for t in fig.data if t.type == "bar"]
    grid = next(t for t in fig.data if t.type == "heatmap")
    assert dict(zip(grid.y, (row[0] for row in grid.text))) == {"Brunei Darussalam": "yes", "Cambodia": "no",
                                                                 "Myanmar": "no data"}


def test_ranking__columns_carry_no_markup_so_store_text_cannot_inject(percent_report):
    fig = charts.ranking_figure(percent_report, "A.1.1", 2017, FRAMEWORK, AS_OF,
                                names={**NAMES, "BRN": "<b>Brunei</b> %{x}"})
    assert all("<" not in text for text in _annotation_texts(fig))
    assert _column(fig, charts.plotly_text("<b>Brunei</b> %{x}"))


# --- the trend -------------------------------------------------------------------------------------------------

def test_trend__mean_draws_every_ams_target_and_an_own_target(percent_report):
    fig = charts.trend_figure(percent_report, "A.1.1", FRAMEWORK, AS_OF, names=NAMES)
    names = {t.name for t in fig.data}
    assert {"ASEAN target 2020", "target 2020 for every AMS", "Lao PDR: own target",
            "target not set: Cambodia"} <= names
    every = next(t for t in fig.data if t.name == "target 2020 for every AMS")
    assert set(every.y) == {60.0}
    own = next(t for t in fig.data if t.name == "Lao PDR: own target")
    assert list(own.y) == [30.0] and own.x[0] > FRAMEWORK.target_year  # beside the last year, not on it


def test_trend__years_without_data_are_named_under_the_chart(percent_report):
    fig = charts.trend_figure(percent_report, "A.1.1", FRAMEWORK, AS_OF, names=NAMES)
    note = next(text for text in _annotation_texts(fig) if text.startswith("No data"))
    assert note == "No data (a gap in the line, never a zero): ASEAN 2016; Myanmar 2017"
    assert fig.layout.margin.b > 110  # room made for it under the source line


def test_trend__zero_points_are_drawn_whole_at_the_axis(percent_report):
    fig = charts.trend_figure(percent_report, "A.1.1", FRAMEWORK, AS_OF, names=NAMES)
    lao = next(t for t in fig.data if t.name == "Lao PDR")
    assert list(lao.y) == [0.0, 0.0] and lao.cliponaxis is False
    assert fig.layout.yaxis.rangemode == "tozero"


def test_trend__a_sum_puts_the_asean_total_on_its_own_panel(sum_report):
    fig = charts.trend_figure(sum_report, "B.2", FRAMEWORK, AS_OF, names=NAMES)
    asean = next(t for t in fig.data if t.name == "ASEAN")
    brunei = next(t for t in fig.data if t.name == "Brunei Darussalam")
    assert asean.yaxis == "y" and brunei.yaxis == "y2"
    assert next(t for t in fig.data if t.name == "ASEAN target 2020").yaxis == "y"
    assert "ASEAN total (sum of the AMS)" in _annotation_texts(fig)
    assert "AMS target 2020: not set" in {t.name for t in fig.data}
    assert fig.layout.xaxis2.title.text == "Reporting year"


def test_trend__a_mean_stays_on_one_panel(percent_report):
    fig = charts.trend_figure(percent_report, "A.1.1", FRAMEWORK, AS_OF, names=NAMES)
    assert {t.yaxis for t in fig.data} == {None, "y"} or {t.yaxis for t in fig.data} == {None}


def test_trend__yes_no_is_a_grid_of_words_in_neutral_colours(yes_no_report):
    fig = charts.trend_figure(yes_no_report, "A.1", FRAMEWORK, AS_OF, names=NAMES)
    grid = next(t for t in fig.data if t.type == "heatmap")
    years = list(grid.x)
    assert years == list(range(FRAMEWORK.baseline_year, FRAMEWORK.target_year + 1))
    answers = {name: row[years.index(2017)] for name, row in zip(grid.y, grid.text)}
    assert answers == {"Brunei Darussalam": "yes", "Cambodia": "no", "Myanmar": "no data"}
    assert grid.text[0][years.index(2014)] == "no data"  # a year without a return
    colours = [c for _, c in grid.colorscale]
    assert YES_COLOUR in colours and NO_COLOUR in colours
    assert not set(colours) & {STATUS_COLOURS["achieved"], STATUS_COLOURS["deterioration"]}  # never green/red
    count = next(t for t in fig.data if t.name == "ASEAN (count of yes)")
    assert count.yaxis == "y" and grid.yaxis == "y2"


def test_trend__an_empty_choice_of_countries_draws_no_ams(percent_report):
    fig = charts.trend_figure(percent_report, "A.1.1", FRAMEWORK, AS_OF, countries=[], names=NAMES)
    assert not {t.name for t in fig.data} & set(NAMES.values())
    assert "ASEAN" in {t.name for t in fig.data}


def test_trend__legend_sits_inside_the_figure_width(percent_report):
    fig = charts.trend_figure(percent_report, "A.1.1", FRAMEWORK, AS_OF, names=NAMES)
    assert fig.layout.xaxis.domain[1] < fig.layout.legend.x < 1


# --- words ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "unit", "source", "expected"), [
    (None, "%", None, "not set"), (float("nan"), "%", "own", "not set"), (60.0, "%", "every AMS", "60.0 %"),
    (30.0, "%", "own", "30.0 % (own)"), (12.0, "policies", None, "12")])
def test_format_target(value, unit, source, expected):
    assert charts.format_target(value, unit, source) == expected


def test_year_ranges__runs_of_years_are_joined():
    assert charts._year_ranges([2014, 2015, 2017, 2019, 2020]) == "2014–2015, 2017, 2019–2020"


def test_wrap_parts__keeps_parts_whole_and_measures_what_is_seen():
    assert charts._wrap_parts(["a" * 8, "b" * 8, "c" * 8], "; ", 20) == ["aaaaaaaa; bbbbbbbb", "cccccccc"]
    assert charts._visible_length("&lt;b&gt; x") == 5


# --- the values behind the charts ---------------------------------------------------------------------------------

def test_values_table__targets_in_words_own_marked_none_not_set(percent_report):
    table = charts.indicator_values_table(percent_report, FRAMEWORK.indicator("A.1.1"), 2017, NAMES, 10) \
        .set_index("scope")
    assert table.at["ASEAN", "target"] == "70.0 %"  # the region's own target is not flagged "(own)"
    assert table.at["BRN", "target"] == "60.0 %"
    assert table.at["LAO", "target"] == "30.0 % (own)"
    assert table.at["KHM", "target"] == "not set"
    assert table.at["LAO", "value"] == "0.0 %" and table.at["MMR", "value"] == "no data"  # zero and no data apart
    assert table.at["ASEAN", "coverage"] == "3 of 10 AMS"
    assert table.at["MMR", "name"] == "Myanmar"


def test_values_table__yes_no_answers_read_yes_no_without_target_or_status(yes_no_report):
    table = charts.indicator_values_table(yes_no_report, FRAMEWORK.indicator("A.1"), 2017, NAMES, 11) \
        .set_index("scope")
    assert list(table["value"]) == ["1", "yes", "no", "no data"]
    assert table.at["BRN", "target"] == charts.YES_NO_TARGET and table.at["BRN", "status"] == charts.YES_NO_STATUS
    assert table.at["MMR", "status"] == "no data"
    assert table.at["ASEAN", "target"] == "3" and table.at["ASEAN", "status"] == "incomplete data"
    assert table.at["ASEAN", "coverage"] == "2 of 11 AMS"
