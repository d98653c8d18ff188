"""The briefing pack shows text from outside as written: slide text is literal, charts escape it, no link appears."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from pptx import Presentation
from sqlalchemy import select, update

from kpi import schema
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.charts import plotly_text
from kpi.engine import compute_report
from kpi.exports.briefing import build_briefing, build_indicator_figures
from tests.exports.fixture_store import LATEST_YEAR, build_fixture_store
from tests.pages.hostile import COUNTRY_NAME, HTML_LINK, IMG, MARKDOWN_LINK

HOSTILE_NAMES = {"VNM": COUNTRY_NAME, "THA": f"Thailand {MARKDOWN_LINK} https://example.invalid",
                 "MMR": f"Myanmar {IMG}"}  # MMR sent no 2019 return: named on the completeness slide


@pytest.fixture(scope="module")
def hostile_engine(new_shared_store_url):
    engine = build_fixture_store(new_shared_store_url("hostile"))
    with engine.begin() as connection:
        for iso3, name in HOSTILE_NAMES.items():
            connection.execute(update(schema.member_state).where(schema.member_state.c.iso3 == iso3)
                               .values(name=name))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def hostile_pack(hostile_engine, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-pack")
    pdf = folder / "som.pdf" if shutil.which("soffice") or shutil.which("libreoffice") else None
    with hostile_engine.connect() as connection:
        return build_briefing(connection, LATEST_YEAR, folder / "som.pptx", pdf)


def test_briefing__slide_text_is_the_name_as_written_and_no_run_is_a_link(hostile_pack):
    deck = Presentation(str(hostile_pack.pptx_path))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    for iso3, name in HOSTILE_NAMES.items():
        if iso3 != "MMR":
            assert f"{name} ({iso3}) · {LATEST_YEAR}" in texts
    assert any(HOSTILE_NAMES["MMR"] in t for t in texts), "the completeness slide names the missing AMS"
    runs = [run for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
            for paragraph in shape.text_frame.paragraphs for run in paragraph.runs]
    assert runs and all(run.hyperlink.address is None for run in runs)
    with zipfile.ZipFile(hostile_pack.pptx_path) as package:
        slides = [package.read(n) for n in package.namelist() if n.startswith("ppt/slides/slide")]
        relations = b"".join(package.read(n) for n in package.namelist() if n.startswith("ppt/slides/_rels/"))
    assert all(b"<img" not in xml and b"<a href" not in xml and b"hlinkClick" not in xml for xml in slides)
    assert b"example.invalid" not in relations and b"TargetMode=\"External\"" not in relations


def test_briefing__chart_names_are_escaped_for_plotly(hostile_engine):
    with hostile_engine.connect() as connection:
        report = compute_report(connection, CURRENT_FRAMEWORK)
        states = schema.member_state.c
        names = dict(connection.execute(select(states.iso3, states.name)).all())
    figures = build_indicator_figures(report, CURRENT_FRAMEWORK, None, names)
    legend = {trace.name for trace in figures["A.1.1"].data}
    assert plotly_text(COUNTRY_NAME) in legend and COUNTRY_NAME not in legend


def test_briefing__the_pdf_shows_the_names_and_links_nowhere(hostile_pack):
    if hostile_pack.pdf_path is None or not shutil.which("pdftotext"):
        pytest.skip("needs LibreOffice and poppler-utils (scripts/test.sh installs both)")
    pdf = hostile_pack.pdf_path.read_bytes()
    assert b"/URI" not in pdf, "LibreOffice made a link of a name"
    text = subprocess.run(["pdftotext", "-layout", str(hostile_pack.pdf_path), "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout
    assert "Myanmar <img src=x" in text
