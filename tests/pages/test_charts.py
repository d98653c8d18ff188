"""Figure builders: titles, axis titles with units, the source footnote, no data never drawn as 0, labels printed."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from fixture_store import build_fixture_store

from kpi import charts
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK
from kpi.engine import compute_report

AS_OF = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc)
FOOTNOTE = "Source: ACCSM country returns · data as of 2026-11-23"


@pytest.fixture(scope="module")
def report(new_shared_store_url) -> pd.DataFrame:
    engine = build_fixture_store(new_shared_store_url("charts"))
    with engine.connect() as connection:
        result = compute_report(connection, FRAMEWORK)
    engine.dispose()
    return result


def _figures(report):
    matrix = charts.build_completeness_matrix(pd.DataFrame(columns=["kind", "status", "country", "year"]),
                                              ["BRN", "KHM"], [2017, 2018], [("KHM", 2018)])
    return {
        "trend": charts.trend_figure(report, "A.1.1", FRAMEWORK, AS_OF),
        "ranking": charts.ranking_figure(report, "A.1.1", 2018, FRAMEWORK, AS_OF),
        "matrix": charts.status_matrix_figure(report, 2018, FRAMEWORK, AS_OF),
        "completeness": charts.completeness_figure(matrix, AS_OF),
    }


@pytest.mark.parametrize("name", ["trend", "ranking", "matrix", "completeness"])
def test_figure__has_title_axis_titles_and_footnote(report, name):
    fig = _figures(report)[name]
    assert fig.layout.title.text
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert FOOTNOTE in [a.text for a in fig.layout.annotations]


def test_trend__axis_title_carries_the_unit(report):
    fig = charts.trend_figure(report, "A.1.1", FRAMEWORK, AS_OF)
    assert fig.layout.yaxis.title.text == "A.1.1 (%)"
    counts = charts.trend_figure(report, "B.2", FRAMEWORK, AS_OF)
    assert counts.layout.yaxis.title.text == "B.2 (number of policies)"


def test_trend__years_without_data_are_gaps_not_zero(report):
    fig = charts.trend_figure(report, "A.1.1", FRAMEWORK, AS_OF)
    asean = next(t for t in fig.data if t.name == "ASEAN")
    by_year = dict(zip(asean.x, asean.y))
    assert by_year[2015] is None and by_year[2016] is None
    assert by_year[2018] == pytest.approx(52.5)


def test_trend__draws_baseline_target_path_and_projection(report):
    names = {t.name for t in charts.trend_figure(report, "A.1.1", FRAMEWORK, AS_OF).data}
    # The ASEAN lines say they are the region's: each AMS is judged against its own target (drawn as well).
    assert {"ASEAN baseline 2014", "ASEAN target 2020", "straight path to target",
            "projected 2020 at current pace", "target 2020 for every AMS"} <= names


def test_trend__countries_limit_the_ams_lines(report):
    fig = charts.trend_figure(report, "A.1.1", FRAMEWORK, AS_OF, countries=["BRN"])
    assert {t.name for t in fig.data if t.mode == "lines+markers" and "projected" not in t.name} == {"BRN", "ASEAN"}


def test_ranking__ams_without_data_listed_as_no_data_not_a_zero_bar(report):
    fig = charts.ranking_figure(report, "A.1.1", 2018, FRAMEWORK, AS_OF)
    bars = next(t for t in fig.data if t.type == "bar")
    assert set(bars.y) == {"BRN", "IDN"}
    assert "KHM" not in bars.y
    no_data = next(t for t in fig.data if t.name == "no data")
    assert "KHM" in no_data.y and set(no_data.text) == {"no data"}


def test_ranking__bars_print_value_and_status_and_target_is_marked(report):
    fig = charts.ranking_figure(report, "A.1.1", 2018, FRAMEWORK, AS_OF)
    bars = next(t for t in fig.data if t.type == "bar")
    assert dict(zip(bars.y, bars.text))["BRN"] == "60.0 % · achieved"  # the hover; the column prints it
    assert {"60.0 % · achieved", "45.0 % · acceleration needed"} <= {a.text for a in fig.layout.annotations}
    assert {"BRN", "IDN", "KHM"} <= set(next(t for t in fig.data if t.name == "target 2020 for every AMS").y)


def test_status_matrix__cells_print_status_labels_and_yes_no(report):
    fig = charts.status_matrix_figure(report, 2018, FRAMEWORK, AS_OF)
    heatmap = fig.data[0]  # an indicator per row, ASEAN then each AMS across (pages/overview: labels fit 1366 px)
    cell = {(code, scope): text for code, row in zip(heatmap.y, heatmap.text) for scope, text in zip(heatmap.x, row)}
    assert cell[("A.1.1", "ASEAN")] == "52.5 %<br>achieved"
    assert cell[("A.1", "BRN")] == "yes"
    assert cell[("A.1.1", "IDN")] == "45.0 %<br>acceleration<br>needed"
    assert cell[("A.1.1", "KHM")] == "no data"


def test_status_matrix__not_judged_statuses_are_never_red(report):
    fig = charts.status_matrix_figure(report, 2018, FRAMEWORK, AS_OF)
    heatmap = fig.data[0]
    colour_of = {}
    scale = [c for _, c in heatmap.colorscale]
    for z_row, text_row in zip(heatmap.z, heatmap.text):
        for z, text in zip(z_row, text_row):
            colour_of[text.split("<br>", 1)[-1]] = scale[2 * z]
    assert colour_of["no data"] != charts.STATUS_COLOURS["deterioration"]
    assert colour_of["no target"] == charts.GREY
    assert colour_of["achieved"] == charts.STATUS_COLOURS["achieved"]


def test_completeness__labels_every_cell(report):
    fig = _figures(report)["completeness"]
    cells = {c for row in fig.data[0].text for c in row}
    assert cells == {"missing", "rejected"}


def test_scorecard__one_row_per_indicator_with_coverage_and_none_for_no_data(report):
    table = charts.scorecard_table(report, 2018, FRAMEWORK).set_index("code")
    assert list(table.index) == list(FRAMEWORK.codes)
    assert table.at["A.1.1", "coverage"] == "2 of 10 AMS"
    assert table.at["A.1.1", "progress_pct"] == pytest.approx(108.8235, rel=1e-4)
    assert pd.isna(table.at["B.1.1", "value"]) and table.at["B.1.1", "status"] == "no data"


def test_sparkline__keeps_gaps():
    fig = charts.sparkline_figure(pd.Series([1.0, None, 3.0], index=[2016, 2017, 2018]))
    assert list(fig.data[0].y) == [1.0, None, 3.0]


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (None, "%", "no data"), (float("nan"), "AMS", "no data"), (0.0, "%", "0.0 %"), (45.06, "%", "45.1 %"),
    (7.0, "AMS", "7"), (2.5, "projects", "2.5"),
])
def test_format_value__no_data_is_never_zero(value, unit, shown):
    assert charts.format_value(value, unit) == shown


def test_charts_do_not_import_streamlit():
    source = open(charts.__file__, encoding="utf-8").read()
    assert "streamlit" not in source


def _text_attributes(value, path=""):
    """Yield (path, text) for every string in a figure's JSON that plotly draws as text (not colours, ids, data)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _text_attributes(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _text_attributes(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def test_figures__text_from_outside_is_escaped_for_plotly(report):
    import json

    from tests.pages.hostile import COUNTRY_NAME, HTML_LINK, IMG, MARKDOWN_LINK

    hostile = {"BRN": COUNTRY_NAME, "KHM": f"Cambodia {HTML_LINK} {MARKDOWN_LINK} $x$",
               "IDN": f"Indonesia {IMG} %{{y}}"}
    matrix = charts.build_completeness_matrix(pd.DataFrame(columns=["kind", "status", "country", "year"]),
                                              list(hostile), [2017, 2018])
    built = {
        "trend": charts.trend_figure(report, "A.1.1", FRAMEWORK, AS_OF, names=hostile),
        "ranking": charts.ranking_figure(report, "A.1.1", 2018, FRAMEWORK, AS_OF, names=hostile),
        "matrix": charts.status_matrix_figure(report, 2018, FRAMEWORK, AS_OF, names=hostile),
        "completeness": charts.completeness_figure(matrix, AS_OF, names=hostile),
    }
    for name, fig in built.items():
        texts = list(_text_attributes(json.loads(fig.to_json())))
        for path, text in texts:
            # Our own markup is <br> and <extra>; no tag, entity-free &, template or math from a name survives.
            assert not re.search(r"<(?!br>|extra>|/extra>)", text), (name, path, text)
            assert "$x$" not in text and "Indonesia <" not in text and "%{x} %{x}" not in text, (name, path, text)
        joined = "\n".join(text for _path, text in texts)
        for raw in hostile.values():
            assert charts.plotly_text(raw) in joined, (name, raw)
        assert MARKDOWN_LINK in joined, name  # Markdown means nothing to plotly: shown as written
    trend = built["trend"]
    brunei = next(t for t in trend.data if t.name == charts.plotly_text(COUNTRY_NAME))
    assert brunei.hovertemplate.startswith(charts.plotly_text(COUNTRY_NAME) + " %{x}")
    assert charts.plotly_text("a <b>&</b> 5 % %{x} $") == "a &lt;b&gt;&amp;&lt;/b&gt; 5 % &#37;{x} &#36;"
