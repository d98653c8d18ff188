"""The briefing pack as an official prints it: LibreOffice's PDF, read back with poppler (`pdftotext -bbox-layout`).

Every word lies inside its slide and, but for the footer, above the footer's top; no text is under 12 pt but the
10 pt source line; no indicator's wording is cut; the charts' type is at least 12 pt at the size it is placed. All
of it for the 2016-2020 pack (revised since a SOM edition, so it opens with revisions and has the work plan and ARC
slides) and for a pack of the provisional 2026-2030 plan, whose every slide says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from xml.etree import ElementTree

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu

from kpi.catalogue import FRAMEWORKS
from kpi.charts import provisional_marker
from kpi.exports.briefing import CHART_SCALE, build_briefing, build_pack_figures
from kpi.exports.pack_charts import CHART_MIN_PX, CHART_SOURCE_PX, chart_font_sizes
from kpi.exports.slides import FOOTER_TOP, MIN_TEXT_PT, SLIDE_HEIGHT, SLIDE_WIDTH, SOURCE_PT
from tests.exports.fixture_store import EDITION_NAME, LATEST_YEAR, build_fixture_store, revise_after_edition

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftotext"),
    reason="needs LibreOffice and poppler-utils (scripts/test.sh installs both)")]

XHTML = "{http://www.w3.org/1999/xhtml}"
FOOTER_TOP_PT = Emu(FOOTER_TOP).pt
SOURCE_SHAPE, NUMBER_SHAPE = "Footer: source", "Footer: slide number"


BANNERS = ("Demo data", "Provisional framework")  # the title slide's banners: shapes, not placeholders
NEW_PLAN_YEAR = 2026


@pytest.fixture(scope="module", params=["2016-2020", "2026-2030"])
def case(request, demo_engine, new_shared_store_url):
    """(engine, framework, year) of the pack: the demo store's latest year, or 2026 under the provisional plan."""
    framework = FRAMEWORKS[request.param]
    if not framework.is_provisional:
        revise_after_edition(demo_engine)  # the pack then opens with revisions and lists work plan statuses
        return demo_engine, framework, LATEST_YEAR
    url = new_shared_store_url("next-plan")
    engine = build_fixture_store(url, is_demo=True, later_years=(2025, NEW_PLAN_YEAR))
    request.addfinalizer(engine.dispose)
    return engine, framework, NEW_PLAN_YEAR


@pytest.fixture(scope="module")
def framework(case):
    return case[1]


@pytest.fixture(scope="module")
def pack(case, tmp_path_factory, test_output):
    engine, framework, year = case
    folder = tmp_path_factory.mktemp("layout")
    with engine.connect() as connection:
        result = build_briefing(connection, year, folder / "som.pptx", folder / "som.pdf", framework=framework)
    shutil.copy(result.pdf_path, test_output / f"briefing_{framework.code}.pdf")  # kept for people to look at
    return result, Presentation(str(result.pptx_path))


@pytest.fixture(scope="module")
def deck(pack):
    return pack[1]


@pytest.fixture(scope="module")
def pages(pack):
    """Return one (width, height, words) per PDF page; a word is (text, x_min, y_min, x_max, y_max) in points."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pack[0].pdf_path), "-"], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    root = ElementTree.fromstring(xml)
    found = []
    for page in root.iter(f"{XHTML}page"):
        words = [(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                 for w in page.iter(f"{XHTML}word")]
        found.append((float(page.get("width")), float(page.get("height")), words))
    return found


def footer_words(slide) -> list[str]:
    texts = [s.text_frame.text for s in slide.shapes if s.name in (SOURCE_SHAPE, NUMBER_SHAPE)]
    return " ".join(texts).split()


def test_pdf__one_page_per_slide_at_the_slide_size(pack, pages):
    result, deck = pack
    assert len(pages) == len(deck.slides) == result.slide_count
    for width, height, _ in pages:
        assert width == pytest.approx(Emu(SLIDE_WIDTH).pt, abs=1) and height == pytest.approx(Emu(SLIDE_HEIGHT).pt,
                                                                                             abs=1)


def test_pdf__every_word_lies_inside_its_slide(pages):
    outside = [(number, text) for number, (width, height, words) in enumerate(pages, start=1)
               for text, x0, y0, x1, y1 in words if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5]
    assert outside == []


def test_pdf__every_word_but_the_footer_lies_above_the_footer(deck, pages):
    for number, ((_, _, words), slide) in enumerate(zip(pages, deck.slides), start=1):
        band = [w for w in words if w[2] >= FOOTER_TOP_PT - 1]
        above = [w for w in words if w[2] < FOOTER_TOP_PT - 1]
        assert Counter(t for t, *_ in band) == Counter(footer_words(slide)), f"slide {number}: text in the footer"
        over = [t for t, _, _, _, y1 in above if y1 > FOOTER_TOP_PT + 0.5]
        assert over == [], f"slide {number}: runs over the footer's top"


def effective_size(deck, shape, paragraph, run) -> float:
    """Return a run's size in points: its own, else its paragraph's default, else its placeholder's master style."""
    if run.font.size is not None:
        return run.font.size.pt
    properties = paragraph._p.pPr
    default = properties.find(qn("a:defRPr")) if properties is not None else None
    if default is not None and default.get("sz"):
        return int(default.get("sz")) / 100
    styles = deck.slide_master._element.find(qn("p:txStyles"))
    style = "p:otherStyle"
    if shape.is_placeholder:
        kind = shape.placeholder_format.type
        style = "p:titleStyle" if kind in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE) else "p:bodyStyle"
    level = styles.find(qn(style)).find(qn(f"a:lvl{paragraph.level + 1}pPr"))
    return int(level.find(qn("a:defRPr")).get("sz")) / 100


def runs_of(slide):
    for shape in slide.shapes:
        frames = [shape.text_frame] if shape.has_text_frame else []
        if shape.has_table:
            frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
        for frame in frames:
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    if run.text.strip():
                        yield shape, paragraph, run


def test_deck__no_text_under_12_pt_but_the_source_line_at_10(deck):
    small = []
    for number, slide in enumerate(deck.slides, start=1):
        for shape, paragraph, run in runs_of(slide):
            least = SOURCE_PT if shape.name == SOURCE_SHAPE else MIN_TEXT_PT
            if effective_size(deck, shape, paragraph, run) < least:
                small.append((number, shape.name, run.text[:40]))
    assert small == []


def test_deck__titles_in_title_placeholders_and_text_in_body_placeholders(deck):
    loose = []
    for number, slide in enumerate(deck.slides, start=1):
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text.strip(), number
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip() and not shape.is_placeholder \
                    and shape.name not in (SOURCE_SHAPE, NUMBER_SHAPE, *BANNERS):
                loose.append((number, shape.name))
    assert loose == []


def test_deck__every_picture_has_alternative_text(deck):
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures and all(len(p._element.nvPicPr.cNvPr.get("descr") or "") > 40 for p in pictures)


def test_deck__every_slide_has_speaker_notes(deck):
    assert all(slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip() for slide in deck.slides)


def test_deck__every_indicator_wording_is_whole(deck, framework):
    text = "\n".join(run.text for slide in deck.slides for _, _, run in runs_of(slide))
    assert [i.code for i in framework.indicators if i.wording not in text] == []


def test_deck__a_provisional_plan_is_said_on_every_slide(deck, framework):
    marker = provisional_marker(framework)
    footers = [" ".join(s.text_frame.text for s in slide.shapes if s.name == SOURCE_SHAPE) for slide in deck.slides]
    banners = [s.text_frame.text for s in deck.slides[0].shapes if s.name == "Provisional framework"]
    if framework.is_provisional:
        assert marker and all(f.startswith(marker) for f in footers), footers
        assert banners == [marker]
    else:
        assert not any("PROVISIONAL" in f for f in footers) and banners == []


def test_pdf__no_word_of_an_indicator_wording_is_cut(pages, framework):
    printed = {text for _, _, words in pages for text, *_ in words}
    cut = []
    for indicator in framework.indicators:
        for token in indicator.wording.split():
            pieces = re.split(r"(?<=-)", token)  # a compound may break after its hyphen: that is not a cut
            if token not in printed and not all(piece in printed for piece in pieces):
                cut.append((indicator.code, token))
    assert cut == []


def test_pictures__chart_type_prints_at_12_pt_or_more(case, deck):
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    # Points on the slide per CSS pixel of the figure: the PNG is CHART_SCALE pixels per CSS pixel.
    ratios = [s.width.pt / (int.from_bytes(s.image.blob[16:20], "big") / CHART_SCALE) for s in pictures]
    engine, framework, year = case
    with engine.connect() as connection:
        figures = build_pack_figures(connection, year, framework)
    assert len(figures) == len(pictures)
    sizes = [(key, where, size) for key, fig in figures.items() for where, size in chart_font_sizes(fig)]
    assert [s for s in sizes if s[1] != "source" and s[2] < CHART_MIN_PX] == []
    assert [s for s in sizes if s[1] == "source" and s[2] < CHART_SOURCE_PX] == []
    assert min(ratios) * CHART_MIN_PX >= MIN_TEXT_PT - 0.01, "a chart is placed smaller than it was drawn"
    assert min(ratios) * CHART_SOURCE_PX >= SOURCE_PT - 0.01


def test_deck__the_cycle_slides_are_in_place(deck, framework):
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides]
    arc = [n for n, t in enumerate(titles) if t.startswith("ASEAN Resource Centres")]
    completeness = titles.index(next(t for t in titles if t.startswith("Data completeness")))
    last_ams = max(n for n, t in enumerate(titles) if re.search(r"\([A-Z]{3}\) · ", t))  # "Brunei Darussalam (BRN) · 2019"
    assert arc and last_ams < min(arc) and max(arc) < completeness
    if framework.is_provisional:  # no edition of that plan, and no work plan in the store
        assert not any(t.startswith(("Revised since", "Work plan")) for t in titles)
        return
    revisions = [n for n, t in enumerate(titles) if t.startswith(f"Revised since “{EDITION_NAME}”")]
    assert revisions == list(range(1, 1 + len(revisions))) and len(revisions) >= 2  # split, never over the footer
    work_plan = [n for n, t in enumerate(titles) if t.startswith("Work plan 2016-2020: ")]
    assert work_plan and max(work_plan) < min(arc)
