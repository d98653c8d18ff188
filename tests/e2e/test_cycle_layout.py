"""The SOM cycle pages (work plan, ARCs, SOM editions) in a real browser at 1366×768 and 1920×1080 (issue 11):
every table whole (no inner scroll bars), no overlapping chart labels, nothing cut off at the right."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.layout import VIEWPORTS, find_inner_scroll, find_overlapping_labels, horizontal_overflow

pytestmark = pytest.mark.e2e

PAGES = [
    ("workplan", "workplan?year=2019", "Work plan 2016-2020", 6),  # programmes, five areas' KPIs, no history yet
    ("arcs", "arcs?year=2019&country=PHL", "ASEAN Resource Centres, 2019", 3),  # all ARCs, themes, projects
    ("editions", "editions?year=2019", "SOM editions", 0),
    # the value, baseline and target behind a regional share: every AMS's two cells, in three tables
    ("lineage", "lineage?year=2019&plan=2016-2020&indicator=B.1.1&scope=ASEAN", "Where a figure comes from", 3),
]


def _wait_for_tables(page, count: int) -> None:
    expect(page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')).to_have_count(count)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .every(el => el.querySelector('table tbody tr'))""")


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=list(VIEWPORTS))
@pytest.mark.parametrize(("stem", "path", "heading", "tables"), PAGES, ids=[p[0] for p in PAGES])
def test_cycle_page__reads_whole(page, app_url, output_dir, ui, size, stem, path, heading, tables):
    page.set_viewport_size(VIEWPORTS[size])
    ui.open_app(page, app_url, path)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    _wait_for_tables(page, tables)
    ui.wait_for_app(page)
    assert find_inner_scroll(page) == []
    assert find_overlapping_labels(page) == []
    assert horizontal_overflow(page) == 0
    assert page.errors == []
    ui.save_full_page(page, output_dir / f"{stem}_{size}.png")
