"""Dropping a sheet's empty formatted cells before parsing reads exactly the cells (and refusals) of a full parse."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from importers import safe_read
from importers.evaluations import write_evaluations_template
from importers.safe_read import UnreadableFile, read_workbook
from importers.templates import write_return_template, write_targets_template
from importers.workplan import write_workplan_template

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.suffix in (".xlsx", ".xlsm", ".xls", ".ods"))
DEMO = sorted((ROOT / "data" / "demo").glob("*.xlsx"))
SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<sheetData>{}</sheetData></worksheet>')


def _read_both_ways(data: bytes, monkeypatch) -> tuple[object, object]:
    """Return what read_workbook gives (a Workbook, or the refusal's reason and message) with and without skipping."""
    def outcome():
        try:
            return read_workbook(data, "upload.xlsx")
        except UnreadableFile as exc:
            return exc.reason, exc.message

    skipped = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(safe_read, "_strictly_ordered", lambda content, cell_elements: False)
        parsed = outcome()
    return skipped, parsed


def _templates(folder: Path) -> list[Path]:
    return [write_return_template(folder / "return.xlsx", "BRN", 2018), write_targets_template(folder / "targets.xlsx"),
            write_evaluations_template(folder / "evaluations.xlsx", "BRN", 2018, "Leadership course"),
            write_workplan_template(folder / "workplan.xlsx")]


@pytest.mark.parametrize("path", CORPUS + DEMO, ids=lambda p: p.name)
def test_skipping_empty_cells__same_as_full_parse__corpus_and_demo(path, monkeypatch):
    skipped, parsed = _read_both_ways(path.read_bytes(), monkeypatch)
    assert skipped == parsed


def test_skipping_empty_cells__same_as_full_parse__templates(tmp_path, monkeypatch):
    for path in _templates(tmp_path):
        skipped, parsed = _read_both_ways(path.read_bytes(), monkeypatch)
        assert skipped == parsed, path.name


def test_skipping_empty_cells__drops_the_list_sheets_formatted_cells(tmp_path):
    package = zipfile.ZipFile(_templates(tmp_path)[0])
    sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
    dropped = 0
    for name in sheets:
        saved = package.read(name)
        cells = len(safe_read._CELL_ELEMENT.findall(saved))
        if safe_read._strictly_ordered(saved, cells):
            dropped += cells - len(safe_read._CELL_ELEMENT.findall(safe_read._drop_empty_cells(saved)))
    assert dropped > 1000  # the point of the skip: a blank return's list rows are formatted, not filled


def _workbook(sheet_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'))
        package.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        package.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        package.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'))
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


# Sheets whose empty cells carry meaning (their position makes another cell ambiguous) or whose XML is odd: each
# must read as a full parse reads it.
ODD_SHEETS = {
    "in order": '<row r="1"><c r="A1" s="1"/><c r="B1"><v>2</v></c><c r="C1" s="2"></c></row>',
    "empty cell saved twice": '<row r="1"><c r="A1" s="1"/><c r="A1"><v>2</v></c></row>',
    "empty cell out of order": '<row r="1"><c r="C1" s="1"/><c r="B1"><v>2</v></c></row>',
    "empty cell in another row": '<row r="1"><c r="A2" s="1"/></row><row r="2"><c r="A2"><v>2</v></c></row>',
    "cells without r=": '<row r="1"><c s="1"/><c><v>2</v></c></row>',
    "rows without r=": '<row><c r="A1" s="1"/></row><row><c r="A2"><v>2</v></c></row>',
    "row saved twice": '<row r="1"><c r="A1" s="1"/></row><row r="1"><c r="B1"><v>2</v></c></row>',
    "rows out of order": '<row r="2"><c r="A2" s="1"/></row><row r="1"><c r="A1"><v>2</v></c></row>',
    "comment": '<row r="1"><!-- <row r="2"> --><c r="A2" s="1"/><c r="B1"><v>2</v></c></row>',
    "CDATA": '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="B1"/>]]></t></is></c></row>',
    "prefixed cell": '<row r="1"><x:c xmlns:x="urn:x" r="A1"/><c r="B1"><v>2</v></c></row>',
    "another attribute first": '<row r="1"><c s="1" r="A1"/><c r="B1"><v>2</v></c></row>',
    "attribute saved twice": '<row r="1"><c r="A1" s="1" s="2"/><c r="B1"><v>2</v></c></row>',
    "row zero": '<row r="0"><c r="A1" s="1"/></row>',
    "beyond the last column": '<row r="1"><c r="A1"><v>1</v></c><c r="XFE1" s="1"/></row>',
    "empty cell with whitespace": '<row r="1"><c r="A1" s="1" t="n">\n </c><c r="B1"><v>2</v></c></row>',
    "empty cell inside a tag": '<row r="1" <c r="A1" s="1"/>><c r="B1"><v>2</v></c></row>',
    "empty cell inside a quoted value": '<row r="1" x="<c r="A1" s="1"/>"><c r="B1"><v>2</v></c></row>',
    "empty row inside a tag": '<row r="1"><c r="B1"><v>2</v></c></row><row r="2" <row r="3"/>/>',
    "formula without value": '<row r="1"><c r="A1"><f>1+1</f></c><c r="B1" s="3"/></row>',
}


@pytest.mark.parametrize("case", ODD_SHEETS)
def test_skipping_empty_cells__same_as_full_parse__odd_sheets(case, monkeypatch):
    skipped, parsed = _read_both_ways(_workbook(SHEET.format(ODD_SHEETS[case])), monkeypatch)
    assert skipped == parsed


def test_skipping_empty_cells__junk_after_the_sheet_still_refused(monkeypatch):
    data = _workbook(SHEET.format('<row r="1"><c r="A1"><v>1</v></c></row>') + '<c r="B1" s="1"/>')
    skipped, parsed = _read_both_ways(data, monkeypatch)
    assert skipped == parsed
    assert skipped[0] == "corrupt"
