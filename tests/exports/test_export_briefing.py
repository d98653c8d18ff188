"""The SOM briefing pack: slides, texts, honest statuses, scorecard cells, pictures, the PDF and the DEMO marker."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.exports.briefing import DEMO_MARKER, BriefingError, build_briefing, describe_indicator
from tests.exports.fixture_store import AMS, LATEST_YEAR, NO_DATA_INDICATOR, NO_TARGET_INDICATOR

SLIDES = 1 + 1 + len(CURRENT_FRAMEWORK.indicators) + len(AMS) + 1  # title, scorecard, indicators, AMS, completeness
A11 = CURRENT_FRAMEWORK.indicator("A.1.1")
A1 = CURRENT_FRAMEWORK.indicator("A.1")


@pytest.fixture(scope="module")
def demo_pack(demo_engine, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    with demo_engine.connect() as connection:
        result = build_briefing(connection, LATEST_YEAR, folder / "som.pptx", folder / "som.pdf")
    return result, Presentation(str(result.pptx_path))


@pytest.fixture(scope="module")
def plain_deck(plain_engine, tmp_path_factory):
    with plain_engine.connect() as connection:
        result = build_briefing(connection, LATEST_YEAR, tmp_path_factory.mktemp("plain") / "som.pptx")
    return Presentation(str(result.pptx_path))


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def deck_text(deck) -> str:
    return "\n".join(slide_text(s) for s in deck.slides)


def find_table(slide):
    return next(shape.table for shape in slide.shapes if shape.has_table)


def test_build_briefing__slide_and_figure_counts(demo_pack):
    result, deck = demo_pack
    assert result.slide_count == len(deck.slides) == SLIDES
    assert result.figure_count == len(CURRENT_FRAMEWORK.indicators)
    assert deck.slide_width * 9 == deck.slide_height * 16 or abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01
    assert {"compute", "renderer_start", "render", "deck", "pdf", "total"} <= set(result.timings)


def test_build_briefing__every_indicator_code_and_ams_name_appears(demo_pack, demo_engine):
    text = deck_text(demo_pack[1])
    with demo_engine.connect() as connection:
        names = store.read_member_states(connection)["name"]
    assert all(code in text for code in CURRENT_FRAMEWORK.codes)
    assert all(name in text for name in names)


def test_build_briefing__title_slide_names_plan_year_and_as_of(demo_pack):
    text = slide_text(demo_pack[1].slides[0])
    assert CURRENT_FRAMEWORK.title in text and f"Reporting year {LATEST_YEAR}" in text and "data as of" in text


def test_build_briefing__demo_marker_on_title_and_every_footer(demo_pack):
    deck = demo_pack[1]
    assert DEMO_MARKER in slide_text(deck.slides[0])
    assert all(DEMO_MARKER in slide_text(slide) for slide in deck.slides)


def test_build_briefing__no_demo_marker_without_demo_data(plain_deck):
    assert len(plain_deck.slides) == SLIDES
    assert DEMO_MARKER not in deck_text(plain_deck)


def test_build_briefing__every_slide_has_a_source_footnote(demo_pack):
    assert all("Source: ACCSM country returns" in slide_text(s) for s in demo_pack[1].slides)


def test_build_briefing__scorecard_table_holds_values_and_status_labels(demo_pack):
    table = find_table(demo_pack[1].slides[1])
    header = [cell.text for cell in table.rows[0].cells]
    rows = {row.cells[0].text: [cell.text for cell in row.cells] for row in list(table.rows)[1:]}
    assert list(rows) == list(CURRENT_FRAMEWORK.codes)
    status = header.index("Status")
    assert rows[NO_DATA_INDICATOR][status] == "no data"
    assert rows[NO_DATA_INDICATOR][header.index(f"ASEAN {LATEST_YEAR}")] == "no data"
    assert rows[NO_TARGET_INDICATOR][status] == "no target"
    assert rows["A.1"][status] == "incomplete data" and rows["A.1"][header.index("Coverage")] == "8 of 10 AMS"
    assert rows["D.1.1"][status] == "achieved"
    assert rows["A.1.1"][header.index(f"ASEAN {LATEST_YEAR}")] == "39.6 %"


def test_build_briefing__status_cells_are_coloured_and_labelled(demo_pack):
    table = find_table(demo_pack[1].slides[1])
    achieved = next(row for row in list(table.rows)[1:] if row.cells[0].text == "D.1.1").cells[7]
    assert achieved.text == "achieved"
    assert str(achieved.fill.fore_color.rgb) == "1A7F37"


def test_build_briefing__indicator_slides_have_a_chart_and_an_honest_summary(demo_pack):
    slides = list(demo_pack[1].slides)[2:2 + len(CURRENT_FRAMEWORK.indicators)]
    for indicator, slide in zip(CURRENT_FRAMEWORK.indicators, slides):
        assert slide_text(slide).startswith(indicator.code)
        assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes), indicator.code
    by_code = {i.code: slide_text(s) for i, s in zip(CURRENT_FRAMEWORK.indicators, slides)}
    assert f"ASEAN {LATEST_YEAR}: no data (no AMS reported)." in by_code[NO_DATA_INDICATOR]
    assert "Status: no data." in by_code[NO_DATA_INDICATOR]
    assert "Status: incomplete data – only 8 of 10 AMS reported" in by_code["A.1"]
    assert f"ASEAN {LATEST_YEAR}: 39.6 % (8 of 10 AMS), +15.4 points since 2014." in by_code["A.1.1"]
    assert "Status: acceleration needed" in by_code["A.1.1"]


def test_build_briefing__ams_slides_list_every_indicator_with_status(demo_pack):
    slides = list(demo_pack[1].slides)[2 + len(CURRENT_FRAMEWORK.indicators):-1]
    assert len(slides) == len(AMS)
    for iso3, slide in zip(AMS, slides):
        assert f"({iso3})" in slide_text(slide)
        assert [row.cells[0].text for row in list(find_table(slide).rows)[1:]] == list(CURRENT_FRAMEWORK.codes)
    cambodia = slide_text(slides[AMS.index("KHM")])
    assert f"No return for {LATEST_YEAR}" in cambodia
    brunei = find_table(slides[AMS.index("BRN")])
    a1 = next(row for row in brunei.rows if row.cells[0].text == "A.1")
    assert a1.cells[2].text in ("yes", "no") and "judged regionally" in a1.cells[6].text


def test_build_briefing__completeness_slide_names_the_missing_ams(demo_pack):
    text = slide_text(demo_pack[1].slides[-1])
    assert f"Returns for {LATEST_YEAR}: 8 of 10 AMS (missing: Cambodia, Myanmar)." in text
    table = find_table(demo_pack[1].slides[-1])
    assert [c.text for c in table.rows[0].cells][1:] == [str(y) for y in range(2014, LATEST_YEAR + 1)]


def test_build_briefing__pdf_has_every_slide_and_its_text(demo_pack, test_output):
    result, _ = demo_pack
    info = subprocess.run(["pdfinfo", str(result.pdf_path)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:          {SLIDES}" in info or f"Pages: {SLIDES}" in " ".join(info.split())
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "ACCSM KPI briefing" in text and DEMO_MARKER in text and "Viet Nam" in text and "E.3" in text
    shutil.copy(result.pdf_path, test_output / "briefing.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "4", "-l", "4", "-singlefile", str(result.pdf_path),
                    str(test_output / "briefing_slide_4")], check=True)
    assert (test_output / "briefing_slide_4.png").stat().st_size > 10_000


def test_build_briefing__a_year_without_data_is_refused(demo_engine, tmp_path):
    with demo_engine.connect() as connection, pytest.raises(BriefingError, match="no KPI figures for 2030"):
        build_briefing(connection, 2030, tmp_path / "x.pptx")


@pytest.mark.parametrize("row, expected", [
    ({"value": 62.5, "coverage": 8, "change": 12.5, "status": "acceleration needed", "target": 80.0,
      "progress": 0.5}, ("ASEAN 2019: 62.5 % (8 of 10 AMS), +12.5 points since 2014.",
                         "Status: acceleration needed (50 % of the way to the 2020 target 80.0 %).")),
    ({"value": None, "coverage": 0, "status": "no data"}, ("ASEAN 2019: no data (no AMS reported).",
                                                            "Status: no data.")),
    ({"value": 55.0, "coverage": 3, "change": None, "status": "no baseline", "target": 70.0},
     ("ASEAN 2019: 55.0 % (3 of 10 AMS), no 2014 baseline to compare with.",
      "Status: no baseline – no 2014 value from all AMS and none entered, so progress is not judged "
      "(2020 target 70.0 %).")),
    (None, ("ASEAN 2019: no data (no AMS reported).", "Status: no data.")),
])
def test_describe_indicator__percent_cases(row, expected):
    assert describe_indicator(row, A11, 2019, CURRENT_FRAMEWORK) == expected


def test_describe_indicator__an_incomplete_count_is_a_lower_bound():
    row = {"value": 7.0, "coverage": 8, "change": 2.0, "status": "incomplete data", "target": 10.0}
    assert describe_indicator(row, A1, 2019, CURRENT_FRAMEWORK) == (
        "ASEAN 2019: 7 AMS (8 of 10 AMS), +2 AMS since 2014.",
        "Status: incomplete data – only 8 of 10 AMS reported, so the regional count is a lower bound and is not "
        "judged.")
