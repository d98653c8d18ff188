"""Ambiguous workbooks are rejected naming what is ambiguous (issue 8): a cell or row saved twice or out of order,
sheets named alike, merged cells over what is read, numbers that are not finite, text longer than allowed.

Each file is a real workbook: a template written by the software and filled in, then changed inside its ZIP the
way a hand-edited or generated file can be. Every kind is also loaded through the CLI, which must exit 1, name the
place, and leave the database file byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import string
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from importers import evaluations, layout, workplan
from importers.cells import MAX_AMBIGUOUS_SHOWN, check_workbook
from importers.evaluations import fill_evaluations, write_evaluations_template
from importers.report import Validation
from importers.safe_read import MAX_CELL_TEXT, column_letter, read_workbook
from importers.templates import fill_return, fill_targets, write_return_template
from kpi.fields import EVALUATION_FIELDS, LIST_SHEETS, RETURN_FIELDS, TARGET_FIELDS

ROOT = Path(__file__).resolve().parents[2]
# Rows of the Return sheet (value column C): agencies_total, a1_competency_institutionalised, a11_agencies_competency.
FOCAL_POINT, AGENCIES_TOTAL, A1, A11 = "C4", "C6", "C7", "C8"


# --- changing a workbook inside its ZIP ---------------------------------------------------------------

def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def _write(parts: dict[str, bytes], out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return out


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """Return the ZIP name of a sheet's XML, found through workbook.xml and its relationships."""
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    rel_id = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)[1]
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    target = re.search(rf'<Relationship [^>]*Id="{rel_id}"[^>]*/>', rels)[0]
    return "xl/" + re.search(r'Target="/?(?:xl/)?([^"]+)"', target)[1]


def _edit_sheet(source: Path, out: Path, sheet: str, edit) -> Path:
    parts = _parts(source)
    name = _sheet_part(parts, sheet)
    before = parts[name].decode("utf-8")
    after = edit(before)
    assert after != before, "the edit changed nothing"
    parts[name] = after.encode("utf-8")
    return _write(parts, out)


def _cell_xml(xml: str, ref: str) -> str:
    return re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml)[0]


def _row_xml(xml: str, row: int) -> str:
    return re.search(rf'<row r="{row}"[^>]*>.*?</row>', xml)[0]


def _set_number(xml: str, ref: str, raw: str) -> str:
    old = _cell_xml(xml, ref)
    return xml.replace(old, re.sub(r"<v>[^<]*</v>", f"<v>{raw}</v>", old), 1)


# --- the ambiguous files, each with what the rejection must say ----------------------------------------

def cell_saved_twice(valid: Path, out: Path) -> Path:
    def edit(xml):
        cell = _cell_xml(xml, AGENCIES_TOTAL)
        return xml.replace(cell, cell + cell.replace("<v>640</v>", "<v>6400</v>"), 1)
    return _edit_sheet(valid, out, layout.RETURN_SHEET, edit)


def empty_cell_saved_twice(valid: Path, out: Path) -> Path:
    def edit(xml):
        row = _row_xml(xml, 6)
        return xml.replace(row, row.replace("</row>", '<c r="F6"/><c r="F6"/></row>'), 1)
    return _edit_sheet(valid, out, layout.RETURN_SHEET, edit)


def row_saved_twice(valid: Path, out: Path) -> Path:
    def edit(xml):
        row = _row_xml(xml, 6)
        return xml.replace(row, row + '<row r="6"><c r="F6"><v>1</v></c></row>', 1)
    return _edit_sheet(valid, out, layout.RETURN_SHEET, edit)


def rows_out_of_order(valid: Path, out: Path) -> Path:
    def edit(xml):
        row7, row9 = _row_xml(xml, 7), _row_xml(xml, 9)
        return xml.replace(row7, "", 1).replace(row9, row9 + row7, 1)
    return _edit_sheet(valid, out, layout.RETURN_SHEET, edit)


def cells_out_of_order(valid: Path, out: Path) -> Path:
    def edit(xml):
        value, unit = _cell_xml(xml, A11), _cell_xml(xml, "D8")
        return xml.replace(value + unit, unit + value, 1)
    return _edit_sheet(valid, out, layout.RETURN_SHEET, edit)


def cell_in_another_row(valid: Path, out: Path) -> Path:
    def edit(xml):
        row = _row_xml(xml, 6)
        return xml.replace(row, row.replace("</row>", '<c r="F12"><v>5</v></c></row>'), 1)
    return _edit_sheet(valid, out, layout.RETURN_SHEET, edit)


def _with_second_sheet(valid: Path, out: Path, name: str) -> Path:
    """Add a copy of the Return sheet holding another figure, then name it `name` (openpyxl refuses to)."""
    workbook = load_workbook(valid)
    copy = workbook.copy_worksheet(workbook[layout.RETURN_SHEET])
    copy.title = "Placeholder"
    copy["C6"] = 6400
    workbook.save(out)
    parts = _parts(out)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="Placeholder"', f'name="{name}"'.encode())
    return _write(parts, out)


def merged_value_cells(valid: Path, out: Path) -> Path:
    workbook = load_workbook(valid)
    workbook[layout.RETURN_SHEET].merge_cells("B8:C9")
    workbook.save(out)
    return out


def merged_list_cells(valid: Path, out: Path) -> Path:
    workbook = load_workbook(valid)
    workbook["Policies"].merge_cells("A2:B2")
    workbook.save(out)
    return out


def not_finite(raw: str):
    def build(valid: Path, out: Path) -> Path:
        return _edit_sheet(valid, out, layout.RETURN_SHEET, lambda xml: _set_number(xml, AGENCIES_TOTAL, raw))
    return build


def _random_text(length: int) -> str:
    # Random letters: a ZIP of repeated ones would (rightly) be refused as a ZIP bomb before any cell is read.
    generator = random.Random(8)
    return "".join(generator.choices(string.ascii_letters + " ", k=length))


def long_focal_point(length: int):
    def build(valid: Path, out: Path) -> Path:
        # openpyxl cuts text at a cell's 32,767 characters, so longer text goes into the XML directly.
        fill_return(valid, out, {"focal_point": "PLACEHOLDER"})
        return _edit_sheet(out, out, layout.RETURN_SHEET,
                           lambda xml: xml.replace(">PLACEHOLDER<", f">{_random_text(length)}<", 1))
    return build


AMBIGUOUS = {
    "cell saved twice": (cell_saved_twice, [
        f"Return!{AGENCIES_TOTAL}: agencies_total is saved twice in this sheet (640, then 6400), so what it holds "
        "is ambiguous; check what it should hold, type it again in Excel or LibreOffice, save and upload again"]),
    "empty cell saved twice": (empty_cell_saved_twice, [
        "Return!F6: the cell is saved twice in this sheet (blank, then blank), so what it holds is ambiguous"]),
    "row saved twice": (row_saved_twice, ["Return!6:6: row 6 is saved twice in this sheet"]),
    "rows out of order": (rows_out_of_order, [
        "Return!7:7: row 7 is saved after row 9, out of the order spreadsheets save rows in",
        f"Return!{A1}: a1_competency_institutionalised is saved after D9, out of the order"]),
    "cells out of order": (cells_out_of_order, [
        f"Return!{A11}: a11_agencies_competency is saved after D8, out of the order spreadsheets save cells in"]),
    "cell in another row": (cell_in_another_row, [
        "Return!F12: the cell is saved inside row 6, so whether it belongs in row 6 or row 12 is ambiguous"]),
    "second sheet named Return": (lambda valid, out: _with_second_sheet(valid, out, "Return"), [
        "Return: the workbook has 2 sheets named alike ('Return' and 'Return'), so which one to read is "
        "ambiguous: delete or rename all but one"]),
    "second sheet named RETURN": (lambda valid, out: _with_second_sheet(valid, out, "RETURN"), [
        "Return: the workbook has 2 sheets named alike ('Return' and 'RETURN')"]),
    "merged value cells": (merged_value_cells, [
        "Return!B8:C9: cells B8:C9 are merged over the value column (C), which hides what each cell holds: a "
        "merged cell keeps only B8's content and the other cells read as blank; unmerge them (Home > Merge & "
        "Center > Unmerge Cells), put each value in its own cell and upload again"]),
    "merged list cells": (merged_list_cells, [
        "Policies!A2:B2: cells A2:B2 are merged over the title column (A) and the level column (B)"]),
    "number too large": (not_finite("1E+309"), [
        f"Return!{AGENCIES_TOTAL}: agencies_total holds 1E+309, which is not a finite number; type the figure "
        "again"]),
    "text longer than a cell": (long_focal_point(6_000_000), [
        f"Return!{FOCAL_POINT}: focal_point holds 6,000,000 characters of text, more than a spreadsheet cell can "
        "hold (32,767); shorten it and upload again"]),
    "text longer than its field": (long_focal_point(201), [
        f"Return!{FOCAL_POINT}: focal_point is 201 characters long ("]),
}


@pytest.fixture
def valid(make_return) -> Path:
    return make_return("valid.xlsx")


@pytest.fixture
def store_with_a_return(engine, load, valid):
    # Something worth protecting: a rejection must leave it exactly as it was.
    assert load(valid).accepted
    return engine


def _errors(report) -> list[str]:
    return [str(m) for m in report.errors]


def _assert_says(lines: list[str], expected: list[str]) -> None:
    for text in expected:
        assert any(line.startswith(text) for line in lines), f"no line starts with {text!r}:\n" + "\n".join(lines)


@pytest.mark.parametrize("kind", AMBIGUOUS)
def test_ambiguous_return_is_rejected_naming_the_place_and_changes_nothing(kind, valid, tmp_path, load,
                                                                          store_with_a_return, dump):
    build, expected = AMBIGUOUS[kind]
    path = build(valid, tmp_path / "ambiguous.xlsx")
    before = dump()

    report = load(path)

    assert not report.accepted
    _assert_says(_errors(report), expected)
    assert dump() == before


def test_a_cell_saved_twice_gets_one_message_not_its_consequences(valid, tmp_path, load):
    report = load(cell_saved_twice(valid, tmp_path / "twice.xlsx"))

    assert [m.cell for m in report.errors] == [AGENCIES_TOTAL]


def test_rows_out_of_order_name_every_cell_that_moved(valid, tmp_path, load):
    report = load(rows_out_of_order(valid, tmp_path / "order.xlsx"))

    assert sorted(m.cell for m in report.errors) == ["7:7", "A7", "B7", "C7", "D7"]


def test_thousands_of_cells_saved_twice_are_rejected_quickly_with_a_bounded_report(valid, tmp_path, load):
    def edit(xml):
        rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{column_letter(c)}{r}"/>' * 2 for c in range(6, 56))
                       + "</row>" for r in range(30, 230))
        return xml.replace("</sheetData>", rows + "</sheetData>", 1)
    path = _edit_sheet(valid, tmp_path / "many.xlsx", layout.RETURN_SHEET, edit)
    start = time.perf_counter()

    report = load(path)

    assert time.perf_counter() - start < 10
    errors = _errors(report)
    assert len(errors) == MAX_AMBIGUOUS_SHOWN + 1
    assert errors[0].startswith("Return: 9,970 more cells or rows of this sheet are ambiguous in the same ways")


@pytest.mark.parametrize("name", ["return", " Return ", "RETURN", "Return"])
def test_any_second_sheet_claiming_to_be_return_is_rejected_naming_both(name, valid, tmp_path, load):
    report = load(_with_second_sheet(valid, tmp_path / "two.xlsx", name))

    assert not report.accepted
    assert f"('Return' and {name!r})" in "\n".join(_errors(report))


def test_two_instructions_sheets_are_rejected_whatever_the_first_says(valid, tmp_path, load):
    workbook = load_workbook(valid)
    copy = workbook.copy_worksheet(workbook[layout.INSTRUCTIONS_SHEET])
    copy.title = "Placeholder"
    copy["B2"] = "targets"
    workbook.save(tmp_path / "two.xlsx")
    parts = _parts(tmp_path / "two.xlsx")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="Placeholder"', b'name="instructions"')

    report = load(_write(parts, tmp_path / "two.xlsx"))

    assert not report.accepted
    assert "('Instructions' and 'instructions')" in "\n".join(_errors(report))


@pytest.mark.parametrize("raw", ["1E+309", "NaN", "INF", "-inf", "-1e999"])
def test_numbers_that_are_not_finite_are_rejected_at_their_cell(raw, valid, tmp_path, load):
    report = load(not_finite(raw)(valid, tmp_path / "inf.xlsx"))

    assert _errors(report) == [f"Return!{AGENCIES_TOTAL}: agencies_total holds {raw}, which is not a finite number; "
                               "type the figure again"]


def test_a_number_that_is_not_finite_in_a_column_not_read_still_rejects_the_file(valid, tmp_path, load):
    def edit(xml):
        row = _row_xml(xml, 6)
        return xml.replace(row, row.replace("</row>", '<c r="F6"><v>NaN</v></c></row>'), 1)
    report = load(_edit_sheet(valid, tmp_path / "nan.xlsx", layout.RETURN_SHEET, edit))

    assert _errors(report) == ["Return!F6: the cell holds NaN, which is not a finite number; type the figure again"]


def test_a_cell_saved_twice_on_the_instructions_sheet_is_rejected(valid, tmp_path, load):
    def edit(xml):
        cell = _cell_xml(xml, "B2")
        return xml.replace(cell, cell + cell.replace(">return<", ">targets<"), 1)
    report = load(_edit_sheet(valid, tmp_path / "kind.xlsx", layout.INSTRUCTIONS_SHEET, edit))

    assert not report.accepted
    assert "Instructions!B2: the cell is saved twice in this sheet ('return', then 'targets')" in "\n".join(
        _errors(report))


# --- merges: over what is read is an error, elsewhere it is fine -----------------------------------------

@pytest.mark.parametrize("sheet, cells", [
    (layout.RETURN_SHEET, "B8:B9"),  # labels only
    (layout.RETURN_SHEET, "D10:E11"),  # units and beyond
    (layout.INSTRUCTIONS_SHEET, "A1:F1"),  # a title over the instructions
    (layout.INSTRUCTIONS_SHEET, "A8:H8"),  # an instruction line
])
def test_merges_away_from_what_is_read_are_accepted(sheet, cells, valid, tmp_path, load):
    workbook = load_workbook(valid)
    workbook[sheet].merge_cells(cells)
    workbook.save(tmp_path / "merged.xlsx")

    report = load(tmp_path / "merged.xlsx")

    assert report.accepted, _errors(report)


@pytest.mark.parametrize("sheet, cells, over", [
    (layout.RETURN_SHEET, "C10:C11", "the value column (C)"),
    (layout.RETURN_SHEET, "A12:B12", "the code column (A)"),
    (layout.RETURN_SHEET, "C1:D1", "the header row"),
    (layout.INSTRUCTIONS_SHEET, "B2:C2", "the cells A2:B6 that say what the workbook is"),
    ("ARC projects", "E1:F1", "the header row"),
    ("Reform measures", "B5:B6", "the aim column (B)"),
])
def test_merges_over_what_is_read_are_rejected_naming_the_range(sheet, cells, over, valid, tmp_path, load):
    workbook = load_workbook(valid)
    workbook[sheet].merge_cells(cells)
    workbook.save(tmp_path / "merged.xlsx")

    report = load(tmp_path / "merged.xlsx")

    assert not report.accepted
    _assert_says(_errors(report), [f"{sheet}!{cells}: cells {cells} are merged over {over}"])


def test_merged_targets_cells_are_rejected(targets_template, tmp_path, load):
    workbook = load_workbook(targets_template)
    workbook[layout.TARGETS_SHEET].merge_cells("C2:D2")
    workbook.save(tmp_path / "targets.xlsx")

    report = load(tmp_path / "targets.xlsx")

    _assert_says(_errors(report), ["Targets!C2:D2: cells C2:D2 are merged over the baseline column (C) and the "
                                   "target column (D)"])


def test_merged_work_plan_cells_are_rejected(tmp_path, load):
    template = workplan.write_workplan_template(tmp_path / "workplan.xlsx")
    workbook = load_workbook(template)
    workbook[workplan.WORKPLAN_SHEET].merge_cells("P3:Q4")
    workbook.save(tmp_path / "merged.xlsx")

    report = load(tmp_path / "merged.xlsx")

    _assert_says(_errors(report), ["Work plan!P3:Q4: cells P3:Q4 are merged over the status column (P) and the "
                                   "status_note column (Q)"])


def test_merged_evaluations_cells_are_rejected(tmp_path, load):
    template = write_evaluations_template(tmp_path / "evaluations.xlsx", "BRN", 2018, "Leadership Workshop")
    filled = fill_evaluations(template, tmp_path / "filled.xlsx",
                              [{"participant": "P1", **{f.code: 4 for f in EVALUATION_FIELDS[1:]}}])
    workbook = load_workbook(filled)
    workbook[evaluations.EVALUATIONS_SHEET].merge_cells("B2:C2")
    workbook.save(tmp_path / "merged.xlsx")

    report = load(tmp_path / "merged.xlsx")

    _assert_says(_errors(report), ["Evaluations!B2:C2: cells B2:C2 are merged over the a1_01 column (B) and the "
                                   "a1_02 column (C)"])


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_merged_value_cells_saved_as_ods_by_libreoffice_are_rejected(valid, tmp_path, load, resave_with_libreoffice):
    merged = merged_value_cells(valid, tmp_path / "merged.xlsx")

    report = load(resave_with_libreoffice(merged, "ods"))

    _assert_says(_errors(report), ["Return!B8:C9: cells B8:C9 are merged over the value column (C)"])


def test_ods_sheets_named_alike_are_rejected_naming_both():
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="Return"/><table:table table:name="RETURN "/>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", content)
    result = Validation()

    check_workbook(read_workbook(buffer.getvalue(), "two.ods"), [layout.RETURN_SHEET], result)

    assert [str(m) for m in result.errors] == [
        "Return: the workbook has 2 sheets named alike ('Return' and 'RETURN '), so which one to read is ambiguous: "
        "delete or rename all but one (right-click the sheet tab > Delete or Rename) and upload again"]


def test_fresh_templates_have_no_merges_and_no_ambiguity(tmp_path):
    files = [write_return_template(tmp_path / "r.xlsx", "BRN", 2018),
             workplan.write_workplan_template(tmp_path / "w.xlsx"),
             write_evaluations_template(tmp_path / "e.xlsx", "BRN", 2018, "Leadership Workshop")]
    for path in files:
        book = read_workbook(path.read_bytes(), path.name)
        result = Validation()
        check_workbook(book, [s.name for s in book.sheets], result, range(2, 7))
        assert not result.errors and all(not s.merged_ranges and not s.problems for s in book.sheets)


# --- text lengths -------------------------------------------------------------------------------------

def test_every_text_field_read_declares_its_maximum_length():
    read = (*RETURN_FIELDS, *(c for s in LIST_SHEETS for c in s.columns), *TARGET_FIELDS, *EVALUATION_FIELDS,
            *evaluations._IDENTITY_FIELDS.values(), *workplan.STATUS_FIELDS, *workplan._IDENTITY_FIELDS.values())
    for field in read:
        if field.type in ("text", "email"):
            assert field.max_length is not None and 1 <= field.max_length <= MAX_CELL_TEXT, field.code


def test_a_list_title_longer_than_its_field_is_rejected_at_its_cell(make_return, valid_items, load):
    items = {"policies": [{**valid_items["policies"][0], "title": "t" * 501}, valid_items["policies"][1]]}

    report = load(make_return("long_title.xlsx", items=items))

    _assert_says(_errors(report), ["Policies!A2: title is 501 characters long ('ttt"])
    assert "more than the 500 it may have; shorten it and upload again" in _errors(report)[0]
    assert all(len(line) < 400 for line in _errors(report))


def test_a_target_note_longer_than_its_field_is_rejected(targets_template, tmp_path, load):
    path = fill_targets(targets_template, tmp_path / "targets.xlsx",
                        [{"indicator": "E.3", "scope": "ASEAN", "target": 75, "note": "n" * 2001}])

    _assert_says(_errors(load(path)), ["Targets!E2: note is 2,001 characters long"])


def test_a_status_note_longer_than_its_field_is_rejected(tmp_path, load):
    template = workplan.write_workplan_template(tmp_path / "workplan.xlsx")
    path = workplan.fill_workplan(template, tmp_path / "filled.xlsx", {1: ("ongoing", "n" * 2001)})

    _assert_says(_errors(load(path)), ["Work plan!Q2: status_note is 2,001 characters long"])


def test_a_participant_longer_than_its_field_is_rejected(tmp_path, load):
    template = write_evaluations_template(tmp_path / "evaluations.xlsx", "BRN", 2018, "Leadership Workshop")
    path = fill_evaluations(template, tmp_path / "filled.xlsx", [{"participant": "p" * 51, "a1_01": 4}])

    _assert_says(_errors(load(path)), ["Evaluations!A2: participant is 51 characters long"])


def test_text_of_exactly_the_maximum_length_is_accepted(make_return, load):
    assert load(make_return("just_fits.xlsx", values={"focal_point": "f" * 200})).accepted


# --- through the command line ----------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "importers", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    """A database file holding one accepted return, made by the CLI, and the valid return itself."""
    from tests.importers.conftest import VALID_ITEMS, VALID_VALUES
    folder = tmp_path_factory.mktemp("cli")
    valid = fill_return(write_return_template(folder / "template.xlsx", "BRN", 2018), folder / "valid.xlsx",
                        VALID_VALUES, VALID_ITEMS)
    db_file = folder / "store.db"
    loaded = _cli("load", str(valid), "--db", f"sqlite:///{db_file}")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return db_file, valid


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", AMBIGUOUS)
def test_cli_rejects_each_ambiguous_file_names_the_place_and_leaves_the_database_file_unchanged(kind, cli_store,
                                                                                               tmp_path):
    db_file, valid = cli_store
    build, expected = AMBIGUOUS[kind]
    path = build(valid, tmp_path / f"{kind.replace(' ', '_')}.xlsx")
    before = _sha256(db_file)

    result = _cli("load", str(path), "--db", f"sqlite:///{db_file}")

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"rejected: {path} (")
    _assert_says(lines[1:], expected)
    assert "Traceback" not in result.stdout + result.stderr
    assert _sha256(db_file) == before
