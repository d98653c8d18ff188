"""The Country returns page offers a blank template of every kind of the registry (importers.kinds)."""

from __future__ import annotations

import pytest
from conftest import assert_clean

kinds = pytest.importorskip("importers.kinds")

PAGE = "pages/returns.py"


def test_templates__one_download_per_kind_of_the_registry(database_url, open_page):
    at = open_page(PAGE, year="2018")
    at.selectbox(key="template_country").select("BRN").run()
    assert_clean(at)
    buttons = {b.key: b for b in at.get("download_button") if b.key.startswith("template_")}
    assert set(buttons) == {f"template_{code}" for code in kinds.KINDS}
    assert buttons["template_return"].proto.label == "Blank return for BRN 2018"
    assert buttons["template_targets"].proto.label == kinds.kind_of("targets").download_label


@pytest.mark.parametrize("plan, disabled", [("2016-2020", False), ("2026-2030", True)])
def test_templates__a_work_plan_workbook_needs_the_plans_programmes(database_url, open_page, plan, disabled):
    at = open_page(PAGE, plan=plan)
    assert_clean(at)
    button = next(b for b in at.get("download_button") if b.key == "template_workplan")
    assert button.proto.disabled is disabled
