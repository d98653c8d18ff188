"""Real-browser tests: Debian's Chromium (headless, via Playwright) against `streamlit run app.py`.

The server (fixture `app_url`) starts on an empty SQLite store and loads the demo data (2014-2020, ten AMS).
Tests share that server and store, so each one only changes what no other test looks at: the upload test
replaces BRN's 2020 return (C.1.1 for BRN in 2020); the others read 2018, the templates or compare counts.
Screenshots go to test-output/e2e (one per page, FAILED_<test>.png when a test fails).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e

APP_READY_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
DEMO_BANNER = "Demo data: these figures are fictional"
GUARD_ERROR = "Something went wrong"  # dashboard.widgets.explain_errors: an exception shown in words

# (file stem of the screenshot, path in the address bar, heading pattern, sections the page must show)
PAGES = [
    ("overview", "", r"^Where ASEAN stands in \d{4}$",
     ["Regional scorecard", "Status by Member State", "What changed since the previous year"]),
    ("indicator", "indicator", r"^A\.1 · ", ["Trend", "Values behind the charts"]),
    ("member_state", "member_state", r"^Brunei Darussalam in \d{4}$",
     ["Indicators", "Files received", "ASEAN Resource Centre"]),
    ("lineage", "lineage?indicator=A.1.1&scope=ASEAN", r"^Where a figure comes from$", []),
    ("returns", "returns", r"^Country returns$", ["Which returns have arrived", "Load returns", "Blank templates"]),
    ("targets", "targets", r"^Baselines and targets$",
     ["Entered baselines and targets", "What applies to each indicator", "History"]),
    ("workplan", "workplan", r"^Work plan 2016-2020$", ["Programmes", "Timeline", "Status history",
                                                          "Update statuses"]),
    ("arcs", "arcs", r"^ASEAN Resource Centres, \d{4}$", ["All ARCs", "Participant evaluations"]),
    ("editions", "editions", r"^SOM editions$", ["Editions"]),
    ("exports", "exports", r"^Exports for reports$", ["Data for spreadsheets"]),
    ("audit", "audit", r"^Audit trail$", []),
    ("users", "users", r"^Users and roles$", []),
]


# ----------------------------------------------------------------------------------------------- helpers

def assert_healthy(page) -> None:
    """No exception box, no error caught by the page's guard, no uncaught JavaScript error."""
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, f"exception on the page: {exceptions.all_inner_texts()}"
    guarded = [t for t in alert_texts(page) if GUARD_ERROR in t]
    assert not guarded, f"the page caught an error: {guarded}"
    assert not page.errors, f"JavaScript errors: {page.errors}"


def alert_texts(page) -> list[str]:
    return page.locator('[data-testid="stAlert"]').all_inner_texts()


def headings(page, level: str) -> list[str]:
    return [t.strip() for t in page.locator(f'[data-testid="stMain"] {level}').all_inner_texts()]


def table_rows(table) -> list[list[str]]:
    """Return the body rows of an st.dataframe, read from the grid's accessible table in the DOM.

    Waits until the grid has drawn a row: the grid is loaded lazily and draws after the script has run, so the
    end of the run (wait_for_app) does not mean its rows are there yet.
    """
    expect(table.locator("table tbody tr").first).to_be_attached()
    return table.locator("table").first.evaluate(
        "t => [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim()))")


def plotly_figures(page, at_least: int = 1) -> list[dict]:
    """Return every plotly chart on the page as {title, traces: [{name, x, y}]}, packed arrays unpacked.

    Waits until at least `at_least` charts are drawn (plotly is loaded lazily, after the script has run).
    """
    if at_least:
        page.wait_for_function("n => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".filter(el => el.data && el.layout).length >= n", arg=at_least, timeout=180_000)
    return page.evaluate("""() => {
        const plain = v => v == null ? v : (v._inputArray ? Array.from(v._inputArray)
                          : (ArrayBuffer.isView(v) ? Array.from(v) : v));
        return [...document.querySelectorAll('.js-plotly-plot')].map(el => ({
            title: (el.layout && el.layout.title && (el.layout.title.text || el.layout.title)) || '',
            traces: (el.data || []).map(t => ({name: t.name || '', type: t.type, x: plain(t.x), y: plain(t.y)})),
        }));
    }""")


def trend_value(page, trace_name: str, year: int) -> float | None:
    """Return the y value of one trace of the trend chart (title "... trend, ...") at a year."""
    # The page draws several charts (trend, ranking, map), each when plotly gets to it: wait for the trend itself.
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].some(el => el.data && "
                           "el.layout && JSON.stringify(el.layout.title || '').includes('trend'))", timeout=180_000)
    trend = next(f for f in plotly_figures(page, 1) if "trend" in str(f["title"]))
    trace = next(t for t in trend["traces"] if t["name"] == trace_name)
    years = [int(x) for x in trace["x"]]
    return trace["y"][years.index(year)]


def select_option(page, label: str, option: str | re.Pattern) -> None:
    """Pick an option of a Streamlit selectbox by its label, as a person does (open, click the option)."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).first.click()


def selected(page, label: str) -> str:
    return page.get_by_role("combobox", name=label).input_value()


def count_submissions(database_url: str, file_name: str | None = None) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if file_name is None:
                return connection.execute(text("select count(*) from submission")).scalar_one()
            return connection.execute(text("select count(*) from submission where file_name = :f"),
                                      {"f": file_name}).scalar_one()
    finally:
        engine.dispose()


def edit_return(source: Path, target: Path, values: dict) -> dict[str, str]:
    """Copy a return workbook with some Return-sheet values changed; return each changed field's cell."""
    workbook = load_workbook(source)
    sheet = workbook["Return"]
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    cells = {}
    for code, value in values.items():
        sheet.cell(rows[code], 3, value)
        cells[code] = f"C{rows[code]}"
    workbook.save(target)
    return cells


def read_return_value(path: Path, code: str):
    sheet = load_workbook(path, read_only=True)["Return"]
    return next(row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == code)


def upload(page, path: Path) -> None:
    """Give the uploader a file and wait until it lists it (retried: a rerun can drop a file given too early)."""
    uploader = page.locator('[data-testid="stFileUploader"]').first
    for attempt in range(3):
        uploader.locator("input[type=file]").set_input_files(str(path))
        try:
            expect(uploader.get_by_text(path.name[:6])).to_be_visible(timeout=180_000)
            return
        except AssertionError:
            print(f"upload attempt {attempt + 1}: {path.name} not listed by the uploader")
            page.wait_for_selector(APP_READY_SELECTOR)
    raise AssertionError(f"the uploader never listed {path.name}")


def stored_files_caption(page) -> str:
    return page.locator('[data-testid="stSidebar"]').get_by_text(re.compile(r"file\(s\) stored")).inner_text()


# ----------------------------------------------------------------------------------------------- tests

@pytest.mark.parametrize("stem, path, heading, sections", PAGES, ids=[p[0] for p in PAGES])
def test_page__renders_its_content_without_error(page, app_url, output_dir, ui, stem, path, heading, sections):
    ui.open_app(page, app_url, path)
    ui.save_full_page(page, output_dir / f"{stem}.png")
    assert_healthy(page)
    titles = headings(page, "h1")
    assert titles and re.search(heading, titles[0]), f"title {titles}"
    missing = [s for s in sections if s not in headings(page, "h2")]
    assert not missing, f"sections missing: {missing} (has {headings(page, 'h2')})"
    assert any(DEMO_BANNER in t for t in alert_texts(page)), "the demo-data banner is missing"
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("combobox", name="Reporting year")).to_have_value(re.compile(r"^\d{4}$"))
    expect(sidebar.get_by_text(re.compile(r"\d+ file\(s\) stored"))).to_be_visible()
    # The year, and the page's own choice, are written into the address for sharing.
    assert re.search(r"[?&]year=\d{4}", page.url), page.url

    if stem == "overview":
        tables = page.locator('[data-testid="stDataFrame"]')
        expect(tables.nth(4), "one scorecard table per area A-E").to_be_attached()  # drawn lazily, like the rows
        first = table_rows(tables.first)
        assert first and first[0][0] == "A.1", first
        assert any(re.search(r"\d+ of 10 AMS", cell) for row in first for cell in row), first
        assert plotly_figures(page), "status matrix chart missing"
    elif stem == "indicator":
        expect(page.locator('[data-testid="stMetric"]').first).to_contain_text("ASEAN")
        titles = [str(f["title"]) for f in plotly_figures(page, 2)]
        assert len(titles) == 2 and "trend" in titles[0], titles
        assert "indicator=A.1" in page.url
    elif stem == "member_state":
        rows = table_rows(page.locator('[data-testid="stDataFrame"]').first)
        assert rows and rows[0][0].startswith("A.1 · "), rows  # code and wording in one wrapping column
        assert "country=BRN" in page.url
    elif stem == "returns":
        figures = plotly_figures(page)
        assert figures and figures[0]["traces"], "the returns-received chart is empty"
        expect(page.locator('[data-testid="stFileUploader"]')).to_be_visible()
        expect(page.locator(".st-key-template_return button")).to_contain_text("Blank return for")
    elif stem == "lineage":
        rows = table_rows(page.locator('[data-testid="stDataFrame"]').first)
        assert rows and rows[0][1].startswith("Number of public sector agencies"), rows  # a field of the return
        assert "indicator=A.1.1" in page.url and "scope=ASEAN" in page.url
    elif stem == "targets":
        assert page.locator('[data-testid="stDataFrame"]').count() >= 2, "editor and applied table"
        expect(page.locator('[data-testid="stFileUploader"]')).to_be_visible()


def test_upload__changed_return_is_checked_confirmed_and_shown_in_the_indicator_chart(
        page, app_url, database_url, output_dir, ui, tmp_path):
    # BRN 2020, C.1.1 = agencies with leadership programmes / agencies covered: 33 of 45 in the demo data.
    demo = ui.app_dir / "data" / "demo" / "return_BRN_2020.xlsx"
    total = read_return_value(demo, "agencies_total")
    revised = tmp_path / "BRN_2020_revised.xlsx"
    edit_return(demo, revised, {"c11_agencies_leadership": 9})
    expected = 100 * 9 / total

    ui.open_app(page, app_url, "indicator?indicator=C.1.1&year=2020")
    before = trend_value(page, "Brunei Darussalam", 2020)
    assert before is not None and abs(before - expected) > 1, f"pick a value the chart does not show yet: {before}"
    stored_before = count_submissions(database_url)

    ui.open_app(page, app_url, "returns")
    upload(page, revised)
    expect(page.get_by_text("Check before storing")).to_be_visible()
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="accepted (dry run): BRN_2020_revised.xlsx")
    expect(verdict).to_be_visible()
    changes = page.locator('[data-testid="stExpander"]').filter(has_text="What would change")
    expect(changes).to_be_visible()
    change_rows = table_rows(changes.locator('[data-testid="stDataFrame"]'))
    # item | stored now | in this file: counts read as whole numbers, as typed
    assert [row[:3] for row in change_rows] == [["c11_agencies_leadership", "33", "9"]], change_rows
    assert count_submissions(database_url) == stored_before, "the check alone must store nothing"
    ui.save_full_page(page, output_dir / "returns_upload_checked.png")

    page.locator(".st-key-returns_upload_confirm button").click()
    stored = page.locator('[data-testid="stAlert"]').filter(has_text=re.compile(
        r"accepted: BRN_2020_revised\.xlsx .*stored as submission \d+"))
    expect(stored).to_be_visible()
    ui.wait_for_app(page)
    assert_healthy(page)
    ui.save_full_page(page, output_dir / "returns_upload_stored.png")
    assert count_submissions(database_url) == stored_before + 1
    assert count_submissions(database_url, "BRN_2020_revised.xlsx") == 1

    ui.open_app(page, app_url, "indicator?indicator=C.1.1&year=2020")
    assert_healthy(page)
    after = trend_value(page, "Brunei Darussalam", 2020)
    assert after == pytest.approx(expected), f"trend chart shows {after}, expected {expected}"
    values = table_rows(page.locator('[data-testid="stDataFrame"]').last)
    brunei = next(row for row in values if row[0] == "BRN")
    assert brunei[2] == f"{expected:.1f} %", brunei
    ui.save_full_page(page, output_dir / "indicator_after_upload.png")


def test_upload__planted_mistake_is_named_by_cell_and_nothing_is_stored(
        page, app_url, database_url, output_dir, ui, tmp_path):
    demo = ui.app_dir / "data" / "demo" / "return_BRN_2019.xlsx"
    total = read_return_value(demo, "agencies_total")
    bad = tmp_path / "BRN_2019_bad.xlsx"
    cell = edit_return(demo, bad, {"a11_agencies_competency": total + 5})["a11_agencies_competency"]

    ui.open_app(page, app_url, "returns")  # the app creates the store and loads the demo data on first use
    stored_before = count_submissions(database_url)
    caption_before = stored_files_caption(page)
    upload(page, bad)
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="rejected: BRN_2019_bad.xlsx")
    expect(verdict).to_be_visible()
    ui.wait_for_app(page)
    assert_healthy(page)
    ui.save_full_page(page, output_dir / "returns_upload_rejected.png")

    # The error names the sheet and cell: as "Return!C8: …" text, or as a problems-table row (Return | C8 | …).
    page_text = page.locator('[data-testid="stMain"]').inner_text()
    problems = [row for table in page.locator('[data-testid="stDataFrame"]').all() for row in table_rows(table)]
    named = [row for row in problems if row[:3] == ["error", "Return", cell]]
    assert f"Return!{cell}: " in page_text or named, f"no error at Return!{cell}: {problems}"
    message = named[0][3] if named else page_text.split(f"Return!{cell}: ", 1)[1].splitlines()[0]
    assert "agencies_total" in message or str(total) in message, message

    expect(page.locator(".st-key-returns_upload_confirm")).to_have_count(0)
    expect(page.get_by_text("Nothing to store")).to_be_visible()
    assert count_submissions(database_url) == stored_before
    assert count_submissions(database_url, "BRN_2019_bad.xlsx") == 0
    ui.open_app(page, app_url, "returns")
    assert stored_files_caption(page) == caption_before


def test_shared_url__opens_the_same_view_in_a_fresh_browser(page, browser, app_url, output_dir, ui):
    # One person chooses the view with the widgets ...
    ui.open_app(page, app_url, "indicator")
    select_option(page, "Indicator", re.compile(r"^C\.1\.1 · "))
    expect(page).to_have_url(re.compile(r"indicator=C\.1\.1"))
    ui.wait_for_app(page)
    select_option(page, "Reporting year", "2018")
    expect(page).to_have_url(re.compile(r"year=2018"))
    ui.wait_for_app(page)
    shared = page.url
    original = {"title": headings(page, "h1")[0], "figures": plotly_figures(page, 2)}
    assert original["title"].startswith("C.1.1 · "), original["title"]

    # ... and someone else follows the link: no cookies, no session, the same view.
    for link in (shared, f"{app_url}/indicator?indicator=C.1.1&year=2018"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            other = context.new_page()
            other.errors = []
            other.goto(link)
            ui.wait_for_app(other)
            assert_healthy(other)
            assert headings(other, "h1")[0] == original["title"]
            assert selected(other, "Indicator").startswith("C.1.1 · ")
            assert selected(other, "Reporting year") == "2018"
            assert "Member States in 2018" in headings(other, "h2")
            expect(other.locator('[data-testid="stMetric"]').first).to_contain_text("ASEAN 2018")
            assert plotly_figures(other, 2) == original["figures"]
            assert "indicator=C.1.1" in other.url and "year=2018" in other.url
            ui.save_full_page(other, output_dir / "shared_url_indicator.png")
        finally:
            context.close()


def test_shared_url__unknown_value_falls_back_with_a_note(page, app_url, ui):
    ui.open_app(page, app_url, "member_state?country=XYZ&year=2016")
    assert_healthy(page)
    assert headings(page, "h1")[0] == "Brunei Darussalam in 2016"
    assert any("XYZ" in t for t in alert_texts(page)), alert_texts(page)
    ui.open_app(page, app_url, "member_state?country=SGP&year=2016")
    assert headings(page, "h1")[0] == "Singapore in 2016"
    assert selected(page, "Member State") == "Singapore"


def test_download__blank_template_and_scorecard_csv(page, app_url, output_dir, ui):
    folder = output_dir / "downloads"
    folder.mkdir(exist_ok=True)

    ui.open_app(page, app_url, "returns")
    year = selected(page, "Reporting year")
    with page.expect_download() as info:
        page.locator(".st-key-template_return button").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"accsm_return_BRN_{year}.xlsx"
    template = folder / download.suggested_filename
    download.save_as(template)
    assert template.stat().st_size > 0
    sheet = load_workbook(template)["Return"]
    values = {sheet.cell(r, 1).value: sheet.cell(r, 3).value for r in range(2, sheet.max_row + 1)}
    assert values["country"] == "BRN" and str(values["year"]) == year and values["agencies_total"] is None

    ui.open_app(page, app_url, "")
    with page.expect_download() as info:
        # A download button with help text holds two <button>s in Streamlit 1.67 (one for the tooltip).
        page.locator(".st-key-scorecard_csv button").first.click()
    download = info.value
    # The server holds the demo data: the file name and a first `note` column say so (issue 9).
    assert download.suggested_filename == f"accsm_scorecard_{year}-DEMO.csv"
    scorecard = folder / download.suggested_filename
    download.save_as(scorecard)
    rows = list(csv.DictReader(io.StringIO(scorecard.read_text(encoding="utf-8-sig"))))
    assert rows and rows[0]["code"] == "A.1", rows[:1]
    assert {r["note"] for r in rows} == {"DEMO DATA – fictional figures"}
    assert {r["code"] for r in rows} >= {"A.1", "B.1", "C.1.1", "D.1", "E.3"}


def test_upload__deep_link_on_a_fresh_server_keeps_the_first_upload(page, tmp_path, ui):
    # Regression: with a pages/ folder, Streamlit ran a deep link's page file on its own until the router had
    # run once, and the first upload after that vanished without a word.
    changed = tmp_path / "BRN_2020_changed.xlsx"
    edit_return(ui.app_dir / "data" / "demo" / "return_BRN_2020.xlsx", changed, {"c11_agencies_leadership": 9})
    with ui.run_app(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path / "streamlit.log") as fresh_url:
        ui.open_app(page, fresh_url, "returns")
        uploader = page.locator('[data-testid="stFileUploader"]').first
        uploader.locator("input[type=file]").set_input_files(str(changed))  # once: no retry may hide a loss

        verdict = page.locator('[data-testid="stAlert"]').filter(has_text="accepted (dry run): BRN_2020_changed.xlsx")
        expect(verdict).to_be_visible(timeout=180_000)
        assert_healthy(page)


def test_briefing__one_click_builds_the_deck_and_pdf_for_the_demo_data(page, app_url, output_dir, ui, tmp_path):
    from pptx import Presentation

    ui.open_app(page, app_url, "exports?year=2019")
    page.locator(".st-key-build_briefing button").click()
    expect(page.get_by_text(re.compile(r"\d+ slides built in"))).to_be_visible(timeout=600_000)
    ui.wait_for_app(page)
    assert_healthy(page)
    with page.expect_download() as pptx_download:
        page.locator(".st-key-briefing_pptx button").first.click()
    with page.expect_download() as pdf_download:
        page.locator(".st-key-briefing_pdf button").first.click()

    deck_path = tmp_path / pptx_download.value.suggested_filename
    pptx_download.value.save_as(deck_path)
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    texts = [shape.text_frame.text for slide in Presentation(deck_path).slides for shape in slide.shapes
             if shape.has_text_frame]
    assert any("DEMO DATA" in t for t in texts)
    assert any("2019" in t for t in texts)
    assert pdf_path.read_bytes().startswith(b"%PDF")
