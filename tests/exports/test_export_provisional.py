"""A provisional framework says so in every export: chart images, CSV and Excel notes, file names (issue 10)."""

from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
from openpyxl import load_workbook

from kpi import charts
from kpi.catalogue import FRAMEWORKS
from kpi.exports import tables

OLD, NEW = FRAMEWORKS["2016-2020"], FRAMEWORKS["2026-2030"]
MARKER = charts.provisional_marker(NEW)


def _texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations or ()]


def test_marker__names_the_plan_and_says_not_adopted():
    assert MARKER == "PROVISIONAL KPI framework 2026-2030: not yet adopted by the SOM"
    assert charts.provisional_marker(OLD) == "" and charts.describe_provisional(OLD) == ""
    assert "not yet adopted" in charts.describe_provisional(NEW)


def test_mark_provisional__one_line_under_the_source_once_and_only_for_a_provisional_plan():
    fig = charts.trend_figure(pd.DataFrame(columns=["indicator", "scope", "year", "value", "coverage", "baseline",
                                                    "target", "target_source", "projected", "status"]),
                              "A.1.1", NEW, None)
    bottom = fig.layout.margin.b
    charts.mark_provisional(fig, NEW)
    charts.mark_provisional(fig, NEW)
    assert _texts(fig).count(MARKER) == 1 and charts.is_provisional_marked(fig)
    assert fig.layout.margin.b > bottom  # the margin grows for the line: it never covers the plot
    old = charts.mark_provisional(go.Figure(), OLD)
    assert not charts.is_provisional_marked(old) and MARKER not in _texts(old)


def test_mark_provisional__and_demo_marker_both_kept():
    fig = charts._finish(go.Figure(), None)
    charts.mark_provisional(fig, NEW)
    charts.mark_demo(fig)
    assert MARKER in _texts(fig) and charts.DEMO_MARKER in _texts(fig)


def test_tables__note_column_says_demo_and_provisional_on_every_row():
    frame = pd.DataFrame({"indicator": ["A.1", "A.1.1"], "value": [3, 40.0]})
    both = tables.mark_table(frame, demo=True, framework=NEW)
    assert list(both.columns) == ["note", "indicator", "value"]
    assert set(both["note"]) == {f"{charts.DEMO_MARKER} · {MARKER}"}
    assert list(tables.mark_table(frame, framework=OLD).columns) == ["indicator", "value"]  # nothing to say
    csv = tables.table_to_csv(frame, framework=NEW).decode("utf-8-sig").splitlines()
    assert csv[0] == "note,indicator,value" and all(MARKER in line for line in csv[1:])


def test_tables__excel_says_provisional_in_the_note_and_on_its_last_sheet():
    book = load_workbook(io.BytesIO(tables.table_to_excel(pd.DataFrame({"value": [1]}), "T", framework=NEW)))
    assert book["T"]["A2"].value == MARKER
    last = book[book.sheetnames[-1]]
    assert any(MARKER in str(c.value) for row in last.iter_rows() for c in row if c.value)
    plain = load_workbook(io.BytesIO(tables.table_to_excel(pd.DataFrame({"value": [1]}), "T", framework=OLD)))
    assert not any("PROVISIONAL" in str(c.value) for ws in plain for row in ws.iter_rows() for c in row if c.value)


def test_file_name__provisional_then_demo_before_the_extension():
    assert tables.export_file_name("kpis", "csv", demo=True, framework=NEW) == "kpis-PROVISIONAL-DEMO.csv"
    assert tables.export_file_name("kpis", "csv", framework=OLD) == "kpis.csv"
    assert tables.export_stem("kpis", framework=NEW) == "kpis-PROVISIONAL"
