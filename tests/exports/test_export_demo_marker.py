"""Every export says what it is (issue 9 item 6): demo data is marked inside each chart image, CSV and Excel file,
and in its file name; nothing is marked when there is none. Tables carry names beside codes and units in headers."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from kpi import charts, store
from kpi.catalogue import CURRENT_FRAMEWORK as FRAMEWORK
from kpi.completeness import return_completeness
from kpi.engine import compute_report
from kpi.exports import images, tables
from kpi.exports.tables import DEMO_SUFFIX, NOTE_COLUMN

MARKER = charts.DEMO_MARKER
RED = (0xC5, 0x30, 0x30)  # charts.DEMO_COLOUR


@pytest.fixture(scope="module", params=["demo", "plain"])
def exported(request, demo_engine, plain_engine):
    """What the exports are made of, from the demo store and from the same store not marked as demo."""
    engine = demo_engine if request.param == "demo" else plain_engine
    with engine.connect() as connection:
        demo = store.has_demo_data(connection)
        report = compute_report(connection, FRAMEWORK)
        submissions = store.read_submissions(connection)
        values = store.read_current_values(connection)
        as_of = store.data_as_of(connection)
        names = dict(zip(*[store.read_member_states(connection)[c] for c in ("iso3", "name")]))
    assert demo == (request.param == "demo")
    countries = ["BRN", "KHM", "IDN"]
    years = sorted({int(y) for y in report["year"]})
    matrix = charts.build_completeness_matrix(submissions, countries, years)
    filled = return_completeness(values, FRAMEWORK, countries, years)
    fig = charts.completeness_figure(matrix, as_of, names=names, completeness=filled)  # no red cell of its own
    return {"demo": demo, "fig": fig, "report": report, "names": names,
            "table": tables.label_columns(charts.build_completeness_cells(matrix, filled), names)}


def _svg_text(svg: bytes) -> str:
    return " ".join(ET.fromstring(svg).itertext())


def _red_pixels(png: bytes, box: tuple[float, float, float, float]) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    crop = image.crop((int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height)))
    return sum(1 for pixel in crop.get_flattened_data() if all(abs(a - b) < 40 for a, b in zip(pixel, RED)))


# ----------------------------------------------------------------------------------------------- chart images

def test_png__demo_marker_inside_the_image_only_for_demo_data(exported):
    png = images.render_figure(exported["fig"], "png", demo=exported["demo"])
    # The marker sits right-aligned on the footnote line: red text in the bottom-right corner of the image.
    red = _red_pixels(png, (0.5, 0.85, 1.0, 1.0))
    assert (red > 200) if exported["demo"] else (red == 0), red
    assert not charts.is_demo_marked(exported["fig"])  # render_figure(demo=True) marks a copy


def test_svg__demo_marker_in_the_text_only_for_demo_data(exported):
    text = _svg_text(images.render_figure(exported["fig"], "svg", demo=exported["demo"]))
    assert (MARKER in text) == exported["demo"]
    assert "Source: ACCSM country returns" in text  # the footnote stays as it was


def test_mark_demo__adds_the_marker_on_the_footnote_line_once():
    no_returns = pd.DataFrame(columns=["kind", "status", "country", "year"])
    fig = charts.mark_demo(charts.mark_demo(charts.completeness_figure(
        charts.build_completeness_matrix(no_returns, ["BRN"], [2018]), None)))
    markers = [a for a in fig.layout.annotations if a.text == MARKER]
    footnote = next(a for a in fig.layout.annotations if a.text.startswith("Source: ACCSM"))
    assert len(markers) == 1
    assert (markers[0].y, markers[0].yshift, markers[0].x, markers[0].xanchor) == (footnote.y, footnote.yshift, 1,
                                                                                   "right")


def test_mark_demo__a_figure_without_a_footnote_gets_the_marker_at_the_bottom():
    fig = charts.mark_demo(go.Figure(go.Bar(x=["a"], y=[1])))
    assert [a.text for a in fig.layout.annotations] == [MARKER]


# ----------------------------------------------------------------------------------------------- tables

def test_csv__first_column_note_says_demo_on_every_row_only_for_demo_data(exported):
    rows = list(csv.reader(io.StringIO(tables.table_to_csv(exported["table"], demo=exported["demo"])
                                       .decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    if exported["demo"]:
        assert header[0] == NOTE_COLUMN and {r[0] for r in body} == {MARKER}
    else:
        assert NOTE_COLUMN not in header and MARKER not in "".join(",".join(r) for r in rows)
    assert len(body) == len(exported["table"])


def test_xlsx__note_column_and_instructions_say_demo_only_for_demo_data(exported):
    book = openpyxl.load_workbook(io.BytesIO(tables.table_to_excel(exported["table"], "Returns",
                                                                   demo=exported["demo"])))
    sheet, about = book["Returns"], book["Instructions"]
    instructions = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    if exported["demo"]:
        assert sheet["A1"].value == NOTE_COLUMN and {c.value for c in sheet["A"][1:]} == {MARKER}
        assert MARKER in instructions
    else:
        assert sheet["A1"].value != NOTE_COLUMN and MARKER not in instructions


def test_returns_workbook__says_demo_in_its_instructions_only_for_demo_data(demo_engine, plain_engine):
    for engine, demo in ((demo_engine, True), (plain_engine, False)):
        with engine.connect() as connection:
            book = openpyxl.load_workbook(io.BytesIO(tables.returns_workbook(connection)))
        about = " ".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value)
        assert (MARKER in about) == demo
        header = [c.value for c in book["Values"][1]]
        assert header[:2] == ["country", "country name"] and "unit" in header


def test_empty_table__still_carries_the_note():
    frame = tables.mark_demo_table(pd.DataFrame(columns=["country", "value"]))
    assert list(frame[NOTE_COLUMN]) == [MARKER]


@pytest.mark.parametrize("demo, name", [(True, f"accsm_x{DEMO_SUFFIX}.png"), (False, "accsm_x.png")])
def test_export_file_name__ends_in_demo_for_demo_data(demo, name):
    assert tables.export_file_name("accsm_x", "png", demo) == name


def test_label_columns__names_beside_codes_and_the_unit_in_the_headers(exported):
    rows = exported["report"]
    one = tables.label_columns(rows[rows["indicator"] == "A.1.1"], exported["names"])
    columns = list(one.columns)
    assert columns[columns.index("scope") + 1] == "scope name"
    assert {"value (%)", "baseline (%)", "target (%)"} <= set(columns)
    named = dict(zip(one["scope"], one["scope name"]))
    assert named["BRN"] == "Brunei Darussalam" and named["ASEAN"] == "ASEAN (region)"
    mixed = tables.label_columns(rows, exported["names"])
    assert "value (see unit)" in mixed.columns and "unit" in mixed.columns


def test_label_columns__a_table_without_units_gets_them_from_the_indicator_codes():
    units = {i.code: i.unit for i in FRAMEWORK.indicators}
    frame = tables.label_columns(pd.DataFrame({"code": ["B.2"], "value": [3.0]}), {}, units)
    assert list(frame.columns) == ["code", "value (policies)", "unit"]
