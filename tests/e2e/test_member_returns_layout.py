"""The Member State and Country returns pages in a real browser at 1366×768 and 1920×1080 (issue 9 items 4–6).

Reads KHM 2019 and the returns of 2015 of the demo data (the upload test changes BRN 2020 only): every indicator
row whole with its own target, no inner scroll bars, no overlapping chart labels, nothing cut off at the right;
the returns grid says how many needed fields each return fills; downloads say DEMO in their name and content.
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect
from tests.e2e.layout import VIEWPORTS, find_inner_scroll, find_overlapping_labels, horizontal_overflow

pytestmark = pytest.mark.e2e

DEMO_MARKER = "DEMO DATA – fictional figures"  # kpi.charts.DEMO_MARKER
STATUS_RULES = "How the status and the progress bar are worked out"
# Glide grids are laid out after the script has run: a table not laid out yet measures a few px wide.
TABLES_LAID_OUT = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .every(el => { const s = el.querySelector('.dvn-scroller'); return s && s.clientWidth > 100; })"""
GRID = """() => {
    const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
    const plot = plots.find(p => ((p.layout.title || {}).text || '') === 'Country returns received');
    if (!plot) return {titles: plots.map(p => JSON.stringify((p.layout || {}).title)), cells: [], rows: []};
    return {cells: plot.data[0].text.flat(), rows: Array.from(plot.data[0].y)};
}"""


def _open(page, app_url, ui, path: str, title: str, chart: str | None = None) -> None:
    """Open a page and wait until its title (and chart) are drawn, the run has ended and the tables are laid out."""
    ui.open_app(page, app_url, path)
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator("h1").first).to_have_text(title)
    if chart:
        expect(main.locator('[data-testid="stPlotlyChart"]').filter(has_text=chart)).to_have_count(1)
    ui.wait_for_app(page)
    page.wait_for_function(TABLES_LAID_OUT, timeout=ui.slow_step_ms)


def _assert_layout(page) -> None:
    assert find_inner_scroll(page) == []
    assert find_overlapping_labels(page) == []
    assert horizontal_overflow(page) == 0


def _rows(table) -> list[list[str]]:
    """The body rows of an st.dataframe, read from the grid's accessible table."""
    return table.locator("table").first.evaluate(
        "t => [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim()))")


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_member_state__every_indicator_whole_against_its_own_target(page, app_url, output_dir, ui, size):
    page.set_viewport_size(VIEWPORTS[size])
    _open(page, app_url, ui, "member_state?country=KHM&year=2019", "Cambodia in 2019")
    main = page.locator('[data-testid="stMain"]')

    rows = _rows(main.locator('[data-testid="stDataFrame"]').first)
    assert len(rows) == 17, rows  # every indicator, none behind an inner scroll bar
    text = "\n".join(" | ".join(row) for row in rows)
    assert "(every AMS)" in text and "not set" in text  # the target that applies, or that there is none
    assert "no status (yes/no answer)" in text and "acceleration needed" in text
    expect(main.get_by_text(STATUS_RULES)).to_have_count(1)
    expect(main.get_by_role("heading", name="ARC theme history")).to_be_visible()
    _assert_layout(page)

    ui.save_full_page(page, output_dir / f"member_state_{size}.png")
    page.wait_for_function(TABLES_LAID_OUT, timeout=ui.slow_step_ms)
    _assert_layout(page)


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_returns__value_level_completeness_whole_at_both_sizes(page, app_url, output_dir, ui, size):
    page.set_viewport_size(VIEWPORTS[size])
    _open(page, app_url, ui, "returns?year=2015", "Country returns", "Country returns received")
    main = page.locator('[data-testid="stMain"]')

    grid = page.evaluate(GRID)
    assert any(c.startswith("complete<br>") for c in grid["cells"]), grid
    assert "2 blank<br>15/17" in grid["cells"]  # the demo's LAO 2015 leaves two needed fields blank
    assert "Timor-Leste" not in grid["rows"]  # not a member in 2014-2020
    chart = main.locator('[data-testid="stPlotlyChart"]').filter(has_text="Country returns received")
    expect(chart.get_by_text(DEMO_MARKER)).to_be_visible()  # inside the chart, so inside its images

    expect(main.get_by_role("heading", name="Per indicator, 2015")).to_be_visible()
    gaps = _rows(main.locator('[data-testid="stDataFrame"]').first)
    assert len(gaps) == 17, gaps
    by_code = {row[0]: row for row in gaps}
    assert by_code["C.2.1"][1:] == ["9 of 10 AMS", "none", "Lao PDR"], by_code["C.2.1"]
    _assert_layout(page)

    ui.save_full_page(page, output_dir / f"returns_{size}.png")
    page.wait_for_function(TABLES_LAID_OUT, timeout=ui.slow_step_ms)
    _assert_layout(page)


def _download(page, button: str):
    with page.expect_download() as info:
        # A download button with help text holds two <button>s in Streamlit 1.67 (one for the tooltip).
        page.locator(f".st-key-{button} button").first.click()
    download = info.value
    assert download.failure() is None
    return download


def _csv(download) -> list[dict]:
    return list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))


def test_downloads__demo_in_the_name_and_inside_names_beside_codes_units_in_headers(page, app_url, ui):
    page.set_viewport_size(VIEWPORTS["1366x768"])
    _open(page, app_url, ui, "returns?year=2015", "Country returns", "Country returns received")
    grid_csv = _download(page, "completeness_csv")
    assert grid_csv.suggested_filename == "accsm_returns_received-DEMO.csv"
    rows = _csv(grid_csv)
    assert {r["note"] for r in rows} == {DEMO_MARKER}
    assert {(r["country"], r["country name"]) for r in rows} >= {("LAO", "Lao PDR"), ("VNM", "Viet Nam")}

    svg = _download(page, "completeness_svg")
    assert svg.suggested_filename == "accsm_returns_received-DEMO.svg"
    assert DEMO_MARKER in open(svg.path(), encoding="utf-8").read()

    _open(page, app_url, ui, "member_state?country=KHM&year=2019", "Cambodia in 2019")
    table = _download(page, "ams_indicators_csv")
    assert table.suggested_filename == "accsm_KHM_2019-DEMO.csv"
    rows = _csv(table)
    assert len(rows) == 17 and {r["note"] for r in rows} == {DEMO_MARKER}
    assert {r["country name"] for r in rows} == {"Cambodia"}
    assert {"value (see unit)", "target (see unit)", "unit", "progress (%)"} <= set(rows[0])
