"""The status map: offline outlines, one colour per status or answer, every label printed, workbook text literal."""

import json

import pandas as pd
import pytest

from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.maps import (BOUNDARIES_PATH, NO_COLOUR, YES_COLOUR, country_outlines, load_boundaries,
                      status_map_figure)
from kpi.progress import STATUS_COLOURS

AMS11 = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"]


def _report(rows):
    return pd.DataFrame(rows, columns=["indicator", "scope", "year", "value", "status"])


def test_boundaries__eleven_members_from_natural_earth():
    collection = load_boundaries()
    assert sorted(f["id"] for f in collection["features"]) == sorted(AMS11)
    assert "Natural Earth" in collection["source"]
    assert (BOUNDARIES_PATH.parent / "README.md").read_text(encoding="utf-8").count("public domain")
    assert BOUNDARIES_PATH.stat().st_size < 300_000


def test_map__draws_only_shipped_outlines_no_geo_layer():
    report = _report([("A.1.1", "SGP", 2019, 91.4, "achieved")])
    fig = status_map_figure(report, "A.1.1", 2019, CURRENT_FRAMEWORK, "2026-12-01", ["SGP", "BRN"])
    spec = json.loads(fig.to_json())
    assert {trace["type"] for trace in spec["data"]} == {"scatter"}  # no choropleth/scattergeo: nothing fetched
    assert "geo" not in spec["layout"]
    sgp_x, _ = country_outlines()["SGP"]
    assert any(trace["x"] == sgp_x for trace in fig.to_dict()["data"])


def test_map__colours_by_status_and_prints_every_label():
    report = _report([("A.1.1", "SGP", 2019, 91.4, "achieved"), ("A.1.1", "LAO", 2019, 7.1, "limited progress"),
                      ("A.1.1", "KHM", 2019, 32.6, "acceleration needed")])
    names = {"SGP": "Singapore", "LAO": "Lao PDR", "KHM": "Cambodia", "BRN": "Brunei Darussalam"}
    fig = status_map_figure(report, "A.1.1", 2019, CURRENT_FRAMEWORK, "2026-12-01", ["BRN", "KHM", "LAO", "SGP"],
                            names)
    fills = {trace.name: trace.fillcolor for trace in fig.data}
    assert fills["achieved"] == STATUS_COLOURS["achieved"]
    assert fills["limited progress"] == STATUS_COLOURS["limited progress"]
    assert fills["no data"] == STATUS_COLOURS["no data"]  # BRN has no row: grey, never a status colour
    labels = fig.layout.annotations[0].text
    for expected in ("Singapore: 91.4 % · achieved", "Lao PDR: 7.1 % · limited progress",
                     "Brunei Darussalam: no data · no data", "Cambodia: 32.6 % · acceleration needed"):
        assert expected in labels


def test_map__yes_no_indicator_uses_answers_not_statuses():
    report = _report([("A.1", "SGP", 2019, 1.0, None), ("A.1", "LAO", 2019, 0.0, None)])
    fig = status_map_figure(report, "A.1", 2019, CURRENT_FRAMEWORK, "2026-12-01", ["SGP", "LAO", "BRN"])
    fills = {trace.name: trace.fillcolor for trace in fig.data}
    assert fills == {"yes": YES_COLOUR, "no": NO_COLOUR, "no data": STATUS_COLOURS["no data"]}
    assert NO_COLOUR not in STATUS_COLOURS.values() and YES_COLOUR not in STATUS_COLOURS.values()


def test_map__names_are_literal_text():
    report = _report([("A.1.1", "SGP", 2019, 50.0, "on track")])
    hostile = {"SGP": '<a href="https://example.invalid">x</a> %{y}'}
    fig = status_map_figure(report, "A.1.1", 2019, CURRENT_FRAMEWORK, "2026-12-01", ["SGP"], hostile)
    text = fig.layout.annotations[0].text + "".join(str(t.text) for t in fig.data)
    assert "<a " not in text and "%{" not in text
    assert "&lt;a href" in text


@pytest.mark.parametrize("scope", AMS11)
def test_outlines__every_member_has_a_closed_outline(scope):
    xs, ys = country_outlines()[scope]
    assert len(xs) == len(ys) > 4 and xs[-1] is None
