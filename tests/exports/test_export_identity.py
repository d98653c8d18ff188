"""A workbook the software exports says what it is: loading it back is refused with an explanation."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from importers.load import load_file
from kpi.db import open_store
from kpi.exports.tables import table_to_excel


def test_exported_table_names_its_kind_and_is_not_loadable(tmp_path):
    data = table_to_excel(pd.DataFrame({"indicator": ["A.1"], "value": [7.0]}), "KPI table")
    path = tmp_path / "kpis.xlsx"
    path.write_bytes(data)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["KPI table", "Instructions"]
    assert workbook.active.title == "KPI table"
    assert (workbook["Instructions"]["A2"].value, workbook["Instructions"]["B2"].value) == ("template_kind", "export")

    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    report = load_file(engine, data, "kpis.xlsx", "tester")
    engine.dispose()

    assert not report.accepted
    assert [str(m) for m in report.errors] == [
        "file: this is a data export from the ACCSM dashboard (ACCSM dashboard export: KPI table), made for "
        "reading: it cannot be loaded back. To change data, fill a blank template and upload that"]
