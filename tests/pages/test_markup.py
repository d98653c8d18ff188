"""Text from a workbook, the link or a name reaches every Markdown-reading element escaped, every table as written.

The browser check of the same (scripts never run, no links appear) is tests/e2e/test_markup.py; this one checks
what the pages hand Streamlit, for every element that reads Markdown: bodies, labels and help texts.
"""

from __future__ import annotations

import re

import pytest
from conftest import assert_clean, figures, shown
from sqlalchemy import update

from dashboard.text import WORD_JOINER, literal, literal_list
from kpi import schema
from kpi.charts import plotly_text
from kpi.db import open_store
from tests.known_users import add_test_users
from tests.pages.hostile import (COUNTRY_NAME, FILE_NAME, MARKDOWN_LINK, PAYLOADS, PROJECT_TITLES, THEME, USER,
                                 write_hostile_return)

COUNTRY, YEAR = "LAO", 2018  # the page fixture store has no LAO return
LITERAL_TYPES = {"text", "code", "arrow_data_frame", "arrow_table", "json"}  # shown as written, never Markdown


def markdown_sources(at) -> list[str]:
    """Return every string of the page that Streamlit reads as Markdown: element bodies, labels, help texts."""
    sources = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        if getattr(node, "type", "") == "unknown" or type(node).__name__ in ("ElementTree",):
            continue
        if hasattr(proto, "WhichOneof") and type(proto).__name__ == "Block":
            kind = proto.WhichOneof("type")
            if kind in ("expandable", "tab_container", "tab") and hasattr(getattr(proto, kind), "label"):
                sources.append(getattr(proto, kind).label)
            continue
        if getattr(node, "type", "") in LITERAL_TYPES:
            continue
        sources += [value for descriptor, value in proto.ListFields()
                    if descriptor.name in ("body", "label", "help") and isinstance(value, str)]
    return sources


def assert_no_markup(sources: list[str]) -> None:
    """Fail when a Markdown source holds a payload as markup or an address GitHub Markdown would link."""
    for source in sources:
        for payload in PAYLOADS:
            assert payload not in source, f"unescaped {payload!r} in {source!r}"
        assert "://" not in source and not re.search(r"(?i)www\.|\w@\w", source), f"a link would show: {source!r}"


@pytest.fixture
def hostile_url(database_url, tmp_path, monkeypatch):
    """The page store plus LAO 2018 loaded by the importer from a hostile return, file name and user; LAO renamed."""
    from importers.load import load_file
    path = write_hostile_return(tmp_path, COUNTRY, YEAR)
    engine = open_store(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(schema.member_state).where(schema.member_state.c.iso3 == COUNTRY)
                               .values(name=COUNTRY_NAME))
        add_test_users(engine, [USER])  # a user whose very name is hostile
        report = load_file(engine, path.read_bytes(), FILE_NAME, USER)
    finally:
        engine.dispose()
    assert report.accepted, report.describe_lines()
    monkeypatch.setenv("ACCSM_USER", USER)
    return database_url


# ----------------------------------------------------------------------------------------------- the helper

@pytest.mark.parametrize("text", [*PAYLOADS, THEME, COUNTRY_NAME, FILE_NAME, "a\\b", "*x*", "1. item", "# head",
                                  "> quote", "- dash", "plain words", ""])
def test_literal__every_markdown_character_is_escaped_and_reads_back(text):
    escaped = literal(text)
    assert shown(escaped) == text
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not re.search(r"[!-/:-@\[-`{-~]", unescaped), escaped


@pytest.mark.parametrize("address", ["https://example.invalid", "http://x.invalid/a", "www.example.invalid",
                                     "WWW.EXAMPLE.INVALID", "me@example.invalid", "mailto:me@example.invalid"])
def test_literal__addresses_cannot_become_links(address):
    escaped = literal(f"see {address} now")
    assert WORD_JOINER in escaped
    plain = escaped.replace("\\", "")
    assert "://" not in plain and not re.search(r"(?i)www\.", plain) and "@" not in plain.replace(WORD_JOINER + "@", "")
    assert shown(escaped) == f"see {address} now"


def test_literal__line_breaks_stay_breaks_and_never_open_a_block():
    assert literal("one\ntwo\r\n\r\n    three") == "one\\\ntwo\\\nthree"
    assert literal(None) == ""
    assert literal(2018) == "2018"
    assert literal_list(["a*", "b_"]) == "a\\*, b\\_"


# ----------------------------------------------------------------------------------------------- the pages

def test_member_state__theme_title_and_names_are_escaped_tables_as_written(hostile_url, open_page):
    at = open_page("pages/member_state.py", country=COUNTRY, year=str(YEAR))
    assert_clean(at)
    sources = markdown_sources(at)
    assert f"**Theme in {YEAR}:** {literal(THEME)}" in sources  # the collector sees the bodies
    assert_no_markup(sources)
    assert shown(at.title[0].value) == f"{COUNTRY_NAME} in {YEAR}"
    assert f"**Theme in {YEAR}:** {THEME}" in [shown(m.value) for m in at.markdown]
    assert f"as of {YEAR} (country return)" in [shown(c.value) for c in at.caption]
    projects = next(f.value for f in at.dataframe if "participants" in f.value.columns)
    assert list(projects["title"]) == list(PROJECT_TITLES)  # a table cell is never Markdown: not escaped
    files = next(f.value for f in at.dataframe if "loaded by" in f.value.columns)
    assert FILE_NAME in set(files["file"]) and USER in set(files["loaded by"])
    themes = next(f.value for f in at.dataframe if "source" in f.value.columns and "theme" in f.value.columns)
    assert THEME in set(themes["theme"])
    # The selectbox shows its options as plain text: the name is handed over as it is.
    assert COUNTRY_NAME in at.selectbox(key="url_country").options


@pytest.mark.parametrize("page, params", [
    ("pages/overview.py", {"year": str(YEAR)}),
    ("pages/indicator.py", {"indicator": "D.2", "year": str(YEAR)}),
    ("pages/returns.py", {"year": str(YEAR)}),
    ("pages/targets.py", {}),
    ("pages/exports.py", {"year": str(YEAR)}),
])
def test_every_page__no_markdown_source_holds_markup_from_outside(hostile_url, open_page, page, params):
    at = open_page(page, **params)
    assert_clean(at)
    assert_no_markup(markdown_sources(at))


def test_targets__the_user_name_in_the_caption_is_escaped(hostile_url, open_page):
    at = open_page("pages/targets.py")
    assert any(f"(“{USER}”)" in shown(c.value) for c in at.caption)


def test_returns__project_titles_are_plain_options_and_the_chart_escapes_the_name(hostile_url, open_page):
    at = open_page("pages/returns.py", year=str(YEAR))
    at.selectbox(key="template_country").select(COUNTRY).run()
    assert_clean(at)
    assert at.selectbox(key="template_project").options == list(PROJECT_TITLES)
    grid = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Country returns received")
    assert plotly_text(COUNTRY_NAME) in grid["data"][0]["y"]
    assert COUNTRY_NAME not in grid["data"][0]["y"]


def test_indicator__chart_names_and_legend_are_escaped(hostile_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year=str(YEAR))
    assert_clean(at)
    trend, ranking = figures(at)[:2]
    assert plotly_text(COUNTRY_NAME) in {t.get("name") for t in trend["data"]}
    assert plotly_text(COUNTRY_NAME) in [y for t in ranking["data"] for y in t.get("y", [])]
    assert COUNTRY_NAME not in str([trend, ranking])


def test_link__a_value_from_the_address_is_quoted_escaped(database_url, open_page):
    at = open_page("pages/member_state.py", country=MARKDOWN_LINK)
    assert not at.exception
    assert any(MARKDOWN_LINK in shown(w.value) for w in at.warning)
    assert_no_markup(markdown_sources(at))


def test_upload__the_verdict_quotes_a_hostile_file_name_escaped(database_url, open_page, tmp_path):
    at = open_page("pages/returns.py")
    content = write_hostile_return(tmp_path, "MYS", 2018).read_bytes()
    at.file_uploader(key="returns_upload_0").upload(
        FILE_NAME, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert_clean(at)
    assert any(shown(s.value).startswith(f"accepted (dry run): {FILE_NAME} ") for s in at.success)
    assert_no_markup(markdown_sources(at))


def test_framework_file_text__is_escaped_on_the_pages_too(database_url, open_page, monkeypatch):
    # The wording, definitions and area titles are read from data/frameworks/*.toml: treated like a workbook.
    import dataclasses

    from kpi import catalogue
    framework = catalogue.CURRENT_FRAMEWORK
    hostile = dataclasses.replace(
        framework, title=f"Plan {MARKDOWN_LINK}", areas={**framework.areas, "A": f"Area {PAYLOADS[0]}"},
        indicators=tuple(dataclasses.replace(i, wording=f"Wording {PAYLOADS[4]}", definition=f"Def {PAYLOADS[1]}",
                                             aggregation=f"Sum {PAYLOADS[2]}") if i.code == "A.1" else i
                         for i in framework.indicators))
    monkeypatch.setitem(catalogue.FRAMEWORKS, framework.code, hostile)
    for page, params in (("pages/indicator.py", {"indicator": "A.1"}), ("pages/overview.py", {})):
        at = open_page(page, **params)
        assert_clean(at)
        assert_no_markup(markdown_sources(at))
    indicator = open_page("pages/indicator.py", indicator="A.1")
    assert shown(indicator.title[0].value) == f"A.1 · Wording {PAYLOADS[4]}"
    assert f"How it is computed: Def {PAYLOADS[1]}" in [shown(c.value) for c in indicator.caption]
    assert all(PAYLOADS[4] not in str(f) for f in figures(indicator))  # the chart subtitles are escaped too
