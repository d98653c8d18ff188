"""A template filled and re-saved by LibreOffice (as .xlsx and as .ods) imports with the same content."""

from __future__ import annotations

import shutil

import pytest

from kpi import store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]


def _values(engine) -> list[tuple]:
    with engine.connect() as connection:
        frame = store.read_current_values(connection)
        projects = store.read_current_items(connection, "arc_projects")
    values = sorted((r.field_code, r.value_number if r.value_text is None else r.value_text, r.cell)
                    for r in frame.astype(object).where(frame.notna(), None).itertuples())
    return values + [tuple(p) for p in projects[["title", "start_date", "participants", "satisfied"]].values]


@pytest.mark.parametrize("target_format", ["xlsx", "ods"])
def test_libreoffice_resave_is_the_same_content(target_format, tmp_path, make_return, load, engine, resave_with_libreoffice):
    original = make_return(values={"e3_satisfaction_pct": "45%"})
    first = load(original)
    assert first.accepted and first.submission_id
    stored = _values(engine)

    resaved = load(resave_with_libreoffice(original, target_format))

    assert resaved.errors == []
    assert resaved.duplicate_of == first.submission_id
    assert _values(engine) == stored


def test_libreoffice_resave_loads_into_an_empty_store(tmp_path, make_return, load, engine, resave_with_libreoffice):
    converted = resave_with_libreoffice(make_return(), "ods")

    report = load(converted)

    assert report.accepted and report.submission_id and report.warnings == []
    with engine.connect() as connection:
        values = store.read_current_values(connection).set_index("field_code")
    assert values.loc["agencies_total", "value_number"] == 640
    assert values.loc["a1_competency_institutionalised", "value_text"] == "yes"
