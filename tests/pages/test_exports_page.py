"""The exports page builds the SOM briefing pack on a click and offers the KPI table and stored returns."""

from __future__ import annotations

import pytest
from conftest import assert_clean, texts


def test_exports_page__offers_the_kpi_table_and_stored_returns(database_url, open_page):
    at = open_page("pages/exports.py", year="2018")
    assert_clean(at)
    assert "SOM briefing pack, 2018" in texts(at)
    keys = {b.key for b in at.get("download_button")}
    assert {"kpi_table_csv", "kpi_table_xlsx", "returns_xlsx"} <= keys
    assert "briefing_pptx" not in keys  # nothing is built until asked


@pytest.mark.slow
def test_exports_page__builds_the_briefing_pack_on_click(database_url, open_page):
    at = open_page("pages/exports.py", year="2018")
    at.button(key="build_briefing").click()
    at.run(timeout=240)

    assert_clean(at)
    keys = {b.key for b in at.get("download_button")}
    assert {"briefing_pptx", "briefing_pdf"} <= keys
    assert any("slides built in" in s.value for s in at.success)
