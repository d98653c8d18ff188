"""The regional overview in a real browser at 1366×768 and 1920×1080, read as an official would (issue 9).

Reads 2019 of the demo data (the upload test changes BRN 2020 only): the year's line above the fold, every table
whole (no inner scroll bars), no overlapping chart labels, every matrix label inside its cell, the map with its
downloads and its indicator in the address, the changes of each AMS.
"""

from __future__ import annotations

import re

import pytest
from tests.e2e.layout import VIEWPORTS, find_inner_scroll, find_overlapping_labels, horizontal_overflow
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PATH = "?year=2019"

# The printed labels of the status matrix (a text trace over the heatmap) and the cells they sit in.
_MATRIX_LABELS = """() => {
    const plot = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
        .find(p => (p.layout.title.text || '').startsWith('Status by indicator and AMS'));
    const box = el => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; };
    const cells = plot._fullLayout.xaxis._categories.length;
    const area = box(plot.querySelector('.nsewdrag'));
    return {cellWidth: area.w / cells, cellHeight: area.h / plot._fullLayout.yaxis._categories.length,
            labels: [...plot.querySelectorAll('.scatterlayer .textpoint text')]
                .map(t => ({text: t.textContent, ...box(t)}))};
}"""


def _overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1 and a["y"] < b["y"] + b["h"] - 1 \
        and b["y"] < a["y"] + a["h"] - 1


def _wait_for_tables(page, count: int) -> None:
    # A grid fills its element after the element exists: wait for every table and its first row.
    expect(page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')).to_have_count(count)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .every(el => el.querySelector('table tbody tr'))""")


def _assert_layout(page) -> None:
    assert find_inner_scroll(page) == []
    assert find_overlapping_labels(page) == []
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_overview__reads_whole_at_both_sizes(page, app_url, output_dir, ui, size):
    viewport = VIEWPORTS[size]
    page.set_viewport_size(viewport)
    ui.open_app(page, app_url, PATH)
    main = page.locator('[data-testid="stMain"]')

    # The year in one line, above the fold: counts by colour, returns of the members, the as-of date.
    line = main.locator('[data-testid="stMarkdownContainer"]').filter(has_text="returns received").first
    expect(line).to_contain_text(re.compile(r"^2019: \d+ achieved / on track"))
    expect(line).to_contain_text(re.compile(r"returns received 10 of 10 · data as of \d{4}-\d{2}-\d{2}$"))
    box = line.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], box
    lines = line.locator("p").first.evaluate(
        "p => p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)")
    assert round(lines) == 1, f"the year's line takes {lines:.1f} lines"
    expect(main.get_by_text("How the status and the progress bar are worked out")).to_be_visible()

    # Tables whole, charts with separate labels, nothing cut off at the right.
    _wait_for_tables(page, 7)  # five areas, ASEAN changes, AMS changes
    _assert_layout(page)

    # Every label of the status matrix inside its cell, none over another.
    matrix = page.evaluate(_MATRIX_LABELS)
    labels = matrix["labels"]
    assert len(labels) >= 17 * 11  # 17 indicators × (ASEAN + ten AMS)
    too_wide = [l["text"] for l in labels if l["w"] > matrix["cellWidth"] - 2 or l["h"] > matrix["cellHeight"] - 2]
    assert not too_wide, (matrix["cellWidth"], matrix["cellHeight"], too_wide[:5])
    crowded = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:] if _overlap(a, b)]
    assert not crowded, crowded[:5]

    # The map by status, exportable.
    expect(page.locator(".st-key-status_map_png button").first).to_be_visible()
    expect(page.locator(".st-key-status_map_svg button").first).to_be_visible()
    ui.save_full_page(page, output_dir / f"overview_{size}.png")

    # Each AMS's change, drawn on request, is whole too.
    main.get_by_text("Show each change, indicator by indicator").click()
    _wait_for_tables(page, 8)
    ui.wait_for_app(page)
    _assert_layout(page)


def test_overview__map_indicator_is_kept_in_the_address(page, app_url, ui):
    ui.open_app(page, app_url, PATH)
    assert "indicator=A.1" in page.url  # the first indicator by default
    page.get_by_role("combobox", name="Indicator on the map").click()
    page.keyboard.type("E.3 ·")  # the list shows its first options only: typing filters it, as a person would
    page.get_by_role("option", name=re.compile(r"^E\.3 · ")).first.click()
    expect(page).to_have_url(re.compile(r"indicator=E\.3"))
    ui.wait_for_app(page)
    titles = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.layout.title.text)")
    assert any(t.startswith("E.3 by Member State, 2019") for t in titles), titles
    shared = page.url
    ui.open_app(page, app_url, shared.split("/", 3)[-1])  # the link alone reproduces the map
    titles = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.layout.title.text)")
    assert any(t.startswith("E.3 by Member State, 2019") for t in titles), titles
