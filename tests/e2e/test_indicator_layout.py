"""The Indicator page in a real browser at 1366×768 and 1920×1080, read as an official would (issue 9).

Reads 2017 and 2019 of the demo data (the upload test changes BRN 2020 only): every table whole, no overlapping
labels or notes in any chart, each AMS's target drawn and printed, a reported zero marked, no data named, the map
with its downloads, yes/no answers as a grid, the ASEAN total of a sum on its own panel, and the page's choices
kept when the official goes to another page and comes back through the sidebar.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.e2e.layout import VIEWPORTS, find_inner_scroll, find_overlapping_labels, horizontal_overflow

pytestmark = pytest.mark.e2e

# Every printed text of each chart's annotations (notes, columns, subplot titles, source, demo marker) as boxes.
_ANNOTATION_BOXES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .map(plot => ({title: (plot.layout.title && plot.layout.title.text) || '',
                   boxes: [...plot.querySelectorAll('.annotation-text')]
                       .filter(t => t.textContent.trim())
                       .map(t => { const r = t.getBoundingClientRect();
                                   return {text: t.textContent.trim().slice(0, 40), x: r.left, y: r.top,
                                           w: r.width, h: r.height}; })}))"""

# The traces of each chart: name, type, y (category names or values), on which axis.
_TRACES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
    .map(plot => ({title: (plot.layout.title && plot.layout.title.text) || '',
                   axes: Object.keys(plot.layout).filter(k => /^yaxis\\d*$/.test(k)),
                   traces: plot.data.map(t => ({name: t.name || '', type: t.type, yaxis: t.yaxis || 'y',
                                                 y: t.y ? Array.from(t.y) : [],
                                                 text: Array.isArray(t.text) ? t.text.flat() : []}))}))"""


_PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def _overlap(a, b) -> bool:
    return a["x"] + 1 < b["x"] + b["w"] and b["x"] + 1 < a["x"] + a["w"] \
        and a["y"] + 1 < b["y"] + b["h"] and b["y"] + 1 < a["y"] + a["h"]


def _measure(page) -> dict:
    crowded = [(chart["title"], a["text"], b["text"]) for chart in page.evaluate(_ANNOTATION_BOXES)
               for i, a in enumerate(chart["boxes"]) for b in chart["boxes"][i + 1:] if _overlap(a, b)]
    return {"inner scroll": find_inner_scroll(page), "overlapping labels": find_overlapping_labels(page),
            "overflow": horizontal_overflow(page), "overlapping notes": crowded}


def _assert_layout(page) -> None:
    # Charts and tables re-lay themselves out for a frame or two after a run (fonts, widths): measure again after
    # each paint until the page has settled, then judge what an official sees.
    clean = {"inner scroll": [], "overlapping labels": [], "overflow": 0, "overlapping notes": []}
    for _ in range(5):
        found = _measure(page)
        if found == clean:
            return
        page.evaluate(_PAINTED)
    assert found == clean


def _chart(page, title_start: str) -> dict:
    # Plotly draws lazily after the run: wait for this chart's data, not for a time.
    page.wait_for_function("""start => [...document.querySelectorAll('.js-plotly-plot')]
        .some(p => p.data && p.layout && ((p.layout.title && p.layout.title.text) || '').startsWith(start))""",
                           arg=title_start)
    return next(c for c in page.evaluate(_TRACES) if c["title"].startswith(title_start))


def _trace(chart: dict, name: str) -> dict:
    return next(t for t in chart["traces"] if t["name"] == name)


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_indicator__mean_reads_whole_with_each_ams_target(page, app_url, output_dir, ui, size):
    page.set_viewport_size(VIEWPORTS[size])
    ui.open_app(page, app_url, "indicator?indicator=A.1.1&year=2017")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("How the status and the progress bar are worked out")).to_be_visible()
    expect(main.locator('[data-testid="stMetric"]').filter(has_text="ASEAN target 2020")).to_be_visible()
    _assert_layout(page)

    # Each AMS against its own target: the target set for every AMS and Lao PDR's own, drawn on the bars.
    ranking = _chart(page, "A.1.1 by AMS, 2017")
    assert "Brunei Darussalam" in _trace(ranking, "target 2020 for every AMS")["y"]
    assert _trace(ranking, "own target 2020")["y"] == ["Lao PDR"]
    assert _trace(ranking, "reported 0")["y"] == ["Lao PDR"]  # the demo's Lao PDR reported 0 in 2017
    assert _trace(ranking, "no data")["y"] == ["Myanmar"]  # and Myanmar sent no 2017 figure
    trend = _chart(page, "A.1.1 trend")
    assert {"ASEAN target 2020", "target 2020 for every AMS", "Lao PDR: own target"} <= \
        {t["name"] for t in trend["traces"]}

    # The map by status for the year, exportable; the values in words.
    expect(page.locator(".st-key-indicator_map_png button").first).to_be_visible()
    expect(page.locator(".st-key-indicator_map_svg button").first).to_be_visible()
    assert _chart(page, "A.1.1 by Member State, 2017")
    expect(main.get_by_text("30.0 % (own)").first).to_be_visible()
    ui.save_full_page(page, output_dir / f"indicator_A.1.1_{size}.png")


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_indicator__yes_no_reads_as_a_grid_of_answers(page, app_url, output_dir, ui, size):
    page.set_viewport_size(VIEWPORTS[size])
    ui.open_app(page, app_url, "indicator?indicator=A.1&year=2017")
    _assert_layout(page)
    trend = _chart(page, "A.1 trend")
    grid = next(t for t in trend["traces"] if t["type"] == "heatmap")
    assert {"yes", "no", "no data"} <= set(grid["text"])
    assert not [t for c in page.evaluate(_TRACES) for t in c["traces"] if t["type"] == "bar"]
    ui.save_full_page(page, output_dir / f"indicator_A.1_{size}.png")


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_indicator__a_sum_has_the_asean_total_on_its_own_panel(page, app_url, output_dir, ui, size):
    page.set_viewport_size(VIEWPORTS[size])
    ui.open_app(page, app_url, "indicator?indicator=B.2&year=2019")
    _assert_layout(page)
    trend = _chart(page, "B.2 trend")
    assert "yaxis2" in trend["axes"]
    assert _trace(trend, "ASEAN")["yaxis"] == "y" and _trace(trend, "Brunei Darussalam")["yaxis"] == "y2"
    ranking = _chart(page, "B.2 by AMS, 2019")
    assert not [t for t in ranking["traces"] if t["name"].startswith("target")]  # no AMS target set ...
    expect(page.get_by_text("not set").first).to_be_attached()  # ... and the page says so
    ui.save_full_page(page, output_dir / f"indicator_B.2_{size}.png")


def test_indicator__keeps_its_choices_when_you_come_back(page, app_url, ui):
    ui.open_app(page, app_url, "indicator?indicator=E.3&countries=BRN,SGP&year=2018")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name="Member State").click()
    expect(page).to_have_url(re.compile(r"/member_state"))
    ui.wait_for_app(page)
    sidebar.get_by_role("link", name="Indicator").click()
    expect(page).to_have_url(re.compile(r"/indicator"))
    ui.wait_for_app(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(re.compile(r"^E\.3 · "))
    expect(page).to_have_url(re.compile(r"indicator=E\.3"))
    expect(page).to_have_url(re.compile(r"countries=BRN(%2C|,)SGP"))
    trend = _chart(page, "E.3 trend")
    assert {"Brunei Darussalam", "Singapore"} <= {t["name"] for t in trend["traces"]}
    assert "Cambodia" not in {t["name"] for t in trend["traces"]}
