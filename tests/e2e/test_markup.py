"""Real-browser check that text from a workbook, a file name, a user name, the link or a country name is shown as
written and never runs: no script, no element from the text, no link (issue 8, item 3).

The module runs its own server on its own store (`ui.run_app`), so renaming a Member State and the hostile
returns never reach the shared demo store of test_browser.py. Before the server starts, the importer loads a
VNM 2019 return whose ARC theme, project titles, focal point and survey hold HTML, a script, an iframe and
Markdown and HTML links, under a hostile file name and user, and VNM's name is made hostile too. The test then
uploads a second such return (MYS 2019) through the page, as an official would, under a hostile user name.
Screenshots: test-output/e2e/markup_*.png (1366 × 768).
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from dashboard.text import WORD_JOINER
from kpi import schema
from kpi.db import open_store
from tests.known_users import add_test_users
from tests.pages.hostile import (COUNTRY_NAME, FILE_NAME, IMG, MARKDOWN_LINK, PROJECT_TITLES, THEME,
                                 UPLOAD_NAME, USER, write_hostile_return)

pytestmark = pytest.mark.e2e

COUNTRY, YEAR = "VNM", 2019  # loaded by the importer before the server starts, VNM renamed
UPLOADED = "MYS"  # uploaded through the page
TIMEOUT = 180_000  # a state waited for; generous for a loaded 2-core machine
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCREEN = {"width": 1366, "height": 768}

# Everything the hostile text would leave behind had it been read as markup.
TRACES = """() => ({
    pwned: typeof window.__pwned,
    iframes: document.querySelectorAll('iframe').length,
    images: document.querySelectorAll('img[src="x"], [onerror], [srcdoc]').length,
    scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__pwned')).length,
    links: [...document.querySelectorAll('a[href*="example.invalid"], a[*|href*="example.invalid"]')]
        .map(a => a.outerHTML.slice(0, 200)),
})"""
CLEAN = {"pwned": "undefined", "iframes": 0, "images": 0, "scripts": 0, "links": []}


def assert_inert(page) -> None:
    """The hostile text ran nothing, made no element and no link; no exception box, no JavaScript error."""
    page.wait_for_timeout(500)  # an <img src=x> would have failed to load and fired onerror by now
    assert page.evaluate(TRACES) == CLEAN
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page.errors, page.errors


def main_text(page) -> str:
    """The main area's text as a reader sees it (the invisible word joiners that stop autolinks removed)."""
    return page.locator('[data-testid="stMain"]').inner_text().replace(WORD_JOINER, "")


def chart_text(page) -> str:
    """The text plotly drew into every chart's SVG (titles, legends, ticks, cells, annotations)."""
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0",
                           timeout=TIMEOUT)
    return page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.textContent).join('\\n')")


def table_text(page, *expected: str) -> str:
    """The cells of every st.dataframe, from the grid's accessible table, once every `expected` text is in one
    (the grid fills its table after it is drawn)."""
    cells = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] table td')]
        .map(c => c.innerText.trim()).join('\\n')"""
    if expected:
        page.wait_for_function(f"wanted => {{ const text = ({cells})(); return wanted.every(w => text.includes(w)); }}",
                               arg=list(expected), timeout=TIMEOUT)
    return page.evaluate(cells)


def choose(page, label: str | re.Pattern, option: str) -> None:
    """Pick an option of a selectbox as a person does; opened again if a rerun closed the list meanwhile."""
    for attempt in range(3):
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - retried: the list closed when the page reran
            print(f"choose attempt {attempt + 1}: option {option!r} not clickable")
            page.keyboard.press("Escape")
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT)
    raise AssertionError(f"could not choose {option!r} in {label!r}")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory, new_shared_store_url, ui):
    """A server on a store holding VNM 2019 loaded by the importer from the hostile return; VNM renamed."""
    from importers.load import load_file
    folder = tmp_path_factory.mktemp("markup")
    url = new_shared_store_url("markup")
    engine = open_store(url)
    try:
        with engine.begin() as connection:
            connection.execute(update(schema.member_state).where(schema.member_state.c.iso3 == COUNTRY)
                               .values(name=COUNTRY_NAME))
        add_test_users(engine, [USER])  # a user whose very name is hostile
        report = load_file(engine, write_hostile_return(folder, COUNTRY, YEAR).read_bytes(), FILE_NAME, USER)
    finally:
        engine.dispose()
    assert report.accepted, report.describe_lines()
    with ui.run_app(url, folder / "streamlit.log", user=USER) as app_url:  # local mode acts as the hostile user
        yield app_url


def test_member_state__hostile_theme_titles_and_names_show_as_text(page, hostile_url, output_dir, ui):
    page.set_viewport_size(SCREEN)
    ui.open_app(page, hostile_url, f"member_state?country={COUNTRY}&year={YEAR}")
    assert_inert(page)
    text = main_text(page)
    title = page.locator('[data-testid="stMain"] h1').first.inner_text().replace(WORD_JOINER, "")
    assert title.strip() == f"{COUNTRY_NAME} in {YEAR}"
    assert f"Theme in {YEAR}: {THEME}" in text
    assert f"as of {YEAR} (country return)" in text
    page.screenshot(path=str(output_dir / "markup_member_state_top.png"))

    cells = table_text(page, *PROJECT_TITLES, FILE_NAME, USER)
    for title in PROJECT_TITLES:
        assert title in cells, f"project title {title!r} not shown as written"
    assert FILE_NAME in cells and USER in cells  # Files received: file name, loaded by

    arc = page.get_by_role("heading", name="ASEAN Resource Centre")
    arc.scroll_into_view_if_needed()
    expect(page.get_by_text(f"Theme in {YEAR}:", exact=False)).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(output_dir / "markup_member_state_arc.png"))
    # The theme history is shown whole under its own heading (issue 9: no table folded away): the last table.
    expect(page.get_by_role("heading", name="ARC theme history")).to_be_visible(timeout=TIMEOUT)
    history = page.locator('[data-testid="stDataFrame"]').last
    expect(history.locator("table td").filter(has_text="country return")).to_have_count(1, timeout=TIMEOUT)
    assert THEME in table_text(page, THEME)
    assert_inert(page)
    ui.save_full_page(page, output_dir / "markup_member_state_full.png")


def test_member_state__the_tables_toolbar_offers_no_csv_download(page, hostile_url, ui):
    ui.open_app(page, hostile_url, f"member_state?country={COUNTRY}&year={YEAR}")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    expect(toolbar.get_by_role("button", name="Search")).to_be_visible(timeout=TIMEOUT)  # the toolbar is there
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)


def test_charts_and_options__hostile_names_and_titles_show_as_text(page, hostile_url, output_dir, ui):
    page.set_viewport_size(SCREEN)
    ui.open_app(page, hostile_url, f"indicator?indicator=A.1.1&year={YEAR}")
    assert COUNTRY_NAME in chart_text(page)  # legend of the trend, tick label of the ranking
    assert_inert(page)
    ranking = page.locator('[data-testid="stPlotlyChart"]').nth(1)
    ranking.scroll_into_view_if_needed()
    ranking.screenshot(path=str(output_dir / "markup_indicator_ranking.png"))

    ui.open_app(page, hostile_url, f"returns?year={YEAR}")
    assert COUNTRY_NAME in chart_text(page)  # the returns-received grid
    choose(page, "Member State", COUNTRY_NAME)
    ui.wait_for_app(page)
    project = page.get_by_role("combobox", name=re.compile(r"^ARC project of VNM"))
    expect(project).to_be_visible(timeout=TIMEOUT)
    project.click()
    expect(page.get_by_role("option")).to_have_count(len(PROJECT_TITLES), timeout=TIMEOUT)
    options = page.get_by_role("option").all_inner_texts()
    assert [o.strip() for o in options] == list(PROJECT_TITLES), options
    page.keyboard.press("Escape")
    assert_inert(page)
    page.set_viewport_size(SCREEN)
    page.screenshot(path=str(output_dir / "markup_returns.png"))


def test_upload__hostile_file_and_user_names_in_the_verdict_and_the_caption(page, hostile_url, output_dir, ui,
                                                                            tmp_path):
    content = write_hostile_return(tmp_path, UPLOADED, YEAR).read_bytes()
    ui.open_app(page, hostile_url, "returns")
    uploader = page.locator('[data-testid="stFileUploader"]').first
    uploader.locator("input[type=file]").set_input_files(files=[{"name": UPLOAD_NAME, "mimeType": XLSX,
                                                                  "buffer": content}])
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text=f"accepted (dry run): {UPLOAD_NAME} ")
    expect(verdict).to_be_visible(timeout=TIMEOUT)
    ui.wait_for_app(page)
    assert_inert(page)

    page.locator(".st-key-returns_upload_confirm button").click()
    stored = page.locator('[data-testid="stAlert"]').filter(has_text=f"accepted: {UPLOAD_NAME} ")
    expect(stored).to_contain_text("stored as submission", timeout=TIMEOUT)
    ui.wait_for_app(page)
    assert_inert(page)
    page.set_viewport_size(SCREEN)
    page.screenshot(path=str(output_dir / "markup_upload_stored.png"))

    # Another page of the same session: the caption quotes the (hostile) user's name as written.
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Baselines and targets").click()
    ui.wait_for_app(page)
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text("Baselines and targets", timeout=TIMEOUT)
    # The caption is drawn after the title: wait for it rather than reading the page once.
    page.wait_for_function("""needle => document.querySelector('[data-testid="stMain"]').innerText
                                .replaceAll('\\u2060', '').includes(needle)""",
                           arg=f"(“{USER}”)", timeout=TIMEOUT)
    assert_inert(page)

    ui.open_app(page, hostile_url, f"member_state?country={UPLOADED}&year={YEAR}")
    assert f"Theme in {YEAR}: {THEME}" in main_text(page)
    assert UPLOAD_NAME in table_text(page, UPLOAD_NAME, USER)
    assert_inert(page)


def test_link__a_hostile_value_in_the_address_is_quoted_as_text(page, hostile_url, ui):
    value = f"{IMG} {MARKDOWN_LINK}"
    ui.open_app(page, hostile_url, f"member_state?country={urllib.parse.quote(value)}&year={YEAR}")
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="The link asks for member state")
    expect(warning).to_be_visible(timeout=TIMEOUT)
    assert f"“{value}”" in warning.inner_text().replace(WORD_JOINER, "")
    assert_inert(page)
