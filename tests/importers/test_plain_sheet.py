"""Cells taken straight from a plainly saved sheet's bytes are exactly the cells (and refusals) of the XML parse."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importers import safe_read
from importers.evaluations import write_evaluations_template
from importers.safe_read import Limits, UnreadableFile, read_workbook
from importers.templates import write_return_template, write_targets_template
from importers.workplan import write_workplan_template

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.suffix in (".xlsx", ".xlsm", ".xls", ".ods"))
DEMO = sorted((ROOT / "data" / "demo").glob("*.xlsx"))
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET = '<worksheet ' + NS + '><sheetData>{}</sheetData>{}</worksheet>'
STYLES = ('<styleSheet ' + NS + '><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
          '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="9"/></cellXfs>'
          '</styleSheet>')
STRINGS = '<sst ' + NS + '><si><t>Brunei</t></si><si><t xml:space="preserve"> a &amp; b </t></si><si><t></t></si></sst>'


def outcome(data: bytes, limits: Limits = Limits()):
    """Return what read_workbook gives: the Workbook, or the refusal's reason and message."""
    try:
        return read_workbook(data, "upload.xlsx", limits)
    except UnreadableFile as exc:
        return exc.reason, exc.message


def both_ways(data: bytes, monkeypatch, limits: Limits = Limits()) -> tuple[object, object, int]:
    """Return (outcome with plain cells, outcome of the XML parse, how many sheets were read from their bytes)."""
    taken = []
    take = safe_read._XlsxSheetParser._take_plain_cells

    def counted(parser, content):
        taken.append(take(parser, content))
        return taken[-1]

    with monkeypatch.context() as patch:
        patch.setattr(safe_read._XlsxSheetParser, "_take_plain_cells", counted)
        plain = outcome(data, limits)
    with monkeypatch.context() as patch:
        patch.setattr(safe_read._XlsxSheetParser, "_take_plain_cells", lambda parser, content: False)
        parsed = outcome(data, limits)
    return plain, parsed, sum(taken)


def workbook(sheet_xml: str | bytes) -> bytes:
    """Return an .xlsx with one sheet, the styles above (0.0 %, a date, 0 %) and three shared strings."""
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
            '<workbook ' + NS + ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        rel = ('<Relationship Id="rId{}" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}" Target="{}"/>')
        package.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + rel.format(1, "worksheet", "worksheets/sheet1.xml") + rel.format(2, "styles", "styles.xml")
            + rel.format(3, "sharedStrings", "sharedStrings.xml") + '</Relationships>'))
        package.writestr("xl/styles.xml", STYLES)
        package.writestr("xl/sharedStrings.xml", STRINGS)
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def _templates(folder: Path) -> list[Path]:
    return [write_return_template(folder / "return.xlsx", "BRN", 2018), write_targets_template(folder / "targets.xlsx"),
            write_evaluations_template(folder / "evaluations.xlsx", "BRN", 2018, "Leadership course"),
            write_workplan_template(folder / "workplan.xlsx")]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_plain_cells__same_as_the_xml_parse__corpus(path, monkeypatch):
    plain, parsed, _taken = both_ways(path.read_bytes(), monkeypatch)
    assert plain == parsed


def test_plain_cells__same_as_the_xml_parse__every_demo_sheet_read_from_its_bytes(monkeypatch):
    for path in DEMO:
        plain, parsed, taken = both_ways(path.read_bytes(), monkeypatch)
        assert plain == parsed, path.name
        assert taken == len(plain.sheets), path.name  # the point: openpyxl's files take the plain way


def test_plain_cells__same_as_the_xml_parse__templates(tmp_path, monkeypatch):
    for path in _templates(tmp_path):
        plain, parsed, taken = both_ways(path.read_bytes(), monkeypatch)
        assert plain == parsed, path.name
        assert taken >= 1, path.name


def test_plain_cells__a_blank_returns_formatted_cells_are_skipped(tmp_path, monkeypatch):
    path = write_return_template(tmp_path / "return.xlsx", "BRN", 2018)
    package = zipfile.ZipFile(path)
    saved = sum(len(safe_read._CELL_ELEMENT.findall(package.read(n))) for n in package.namelist()
                if n.startswith("xl/worksheets/"))
    plain, parsed, taken = both_ways(path.read_bytes(), monkeypatch)
    filled = sum(len(sheet.cells) for sheet in plain.sheets)
    assert saved - filled > 1000  # the point: a blank return's list rows are formatted, not filled ...
    assert taken == len(plain.sheets) and plain == parsed  # ... and read without walking them


def _row(cells: str, number: int = 1, attributes: str = "") -> str:
    return f'<row r="{number}"{attributes}>{cells}</row>'


# What each sheet below tests is in its name; "plain" says whether the bytes' way must take it.
SHEETS = {
    "numbers, text, percent and date": (True, _row(
        '<c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>0.25</v></c><c r="C1" s="2"><v>43831</v></c>'
        '<c r="D1" s="3" t="n"><v>1</v></c><c r="E1"><v>-1.5E-3</v></c><c r="F1"><v> 12 </v></c>')),
    "references and spaces kept": (True, _row(
        '<c r="A1" t="inlineStr"><is><t xml:space="preserve"> Planning &amp; budget &lt;2&gt; &quot;x&quot; '
        '&apos;y&apos; </t></is></c><c r="B1" t="inlineStr"><is><t>&#65;&#x42;&#0000067;&#x1F600;&#13;.</t></is></c>'
        '<c r="C1" t="s"><v>1</v></c>')),
    "line ends normalised as XML does": (True, _row(
        '<c r="A1" t="inlineStr"><is><t>one\r\ntwo\rthree\nfour</t></is></c>'
        '<c r="B1" t="str"><f>A1</f><v>x\r\ny</v></c>')),
    "utf-8 text": (True, _row('<c r="A1" t="inlineStr"><is><t>Việt Nam · Timor-Leste · ព្រះរាជាណាចក្រ</t></is></c>')),
    "formulas": (True, _row(
        '<c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>1+1</f></c><c r="C1" t="str"><f>""</f><v></v></c>'
        '<c r="D1" t="str"><f>NA()</f><v>#N/A</v></c><c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="F1"><f t="shared" ref="F1:F2" si="0">A1</f><v>2</v></c>')
        + _row('<c r="F2"><f t="shared" si="0"/><v>2</v></c><c r="G2" t="e"><v> </v></c>', 2)),
    "booleans, dates, errors and blanks": (True, _row(
        '<c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="d"><v>2020-01-31T00:00:00</v></c>'
        '<c r="D1" t="e"><v>#REF!</v></c><c r="E1" t="s"><v>2</v></c><c r="F1"><v></v></c>'
        '<c r="G1" t="inlineStr"><is><t></t></is></c><c r="H1" t="inlineStr"><f>A1</f><is><t></t></is></c>')),
    "numbers that are not finite": (True, _row('<c r="A1"><v>1E+309</v></c><c r="B1"><v>NaN</v></c>')),
    "text longer than a cell": (True, _row('<c r="A1" t="inlineStr"><is><t>' + "x" * 32_768 + '</t></is></c>')),
    "a shared string that does not exist": (True, _row('<c r="A1" t="s"><v>3</v></c>')),
    "not a number": (True, _row('<c r="A1"><v>twelve</v></c>')),
    "rows with attributes": (True, _row('<c r="A1"><v>1</v></c>', 1, ' spans="1:3" ht="20" customHeight="1"')
                             + '<row r="2" hidden="1"/>' + _row('<c r="B3"><v>3</v></c>', 3, ' spans="2:2"')),
    "merged ranges": (True, (_row('<c r="A1"><v>1</v></c>'),
                             '<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="$d$4:c3" /></mergeCells>')),
    "a merged range that is not one": (True, (_row('<c r="A1"><v>1</v></c>'),
                                              '<mergeCells count="1"><mergeCell ref="A1:B2:C3"/></mergeCells>')),
    "a merge with another attribute": (False, (_row('<c r="A1"><v>1</v></c>'),
                                               '<mergeCells><mergeCell ref="A1:B2" x="1"/></mergeCells>')),
    "a merge inside a comment": (False, (_row('<c r="A1"><v>1</v></c>'),
                                         '<!-- <mergeCells><mergeCell ref="A1:B2"/></mergeCells> -->')),
    "a merge inside an instruction": (False, (_row('<c r="A1"><v>1</v></c>'), '<?keep <mergeCell ref="A1:B2"/> ?>')),
    "a merge inside CDATA": (False, (_row('<c r="A1"><v>1</v></c>'),
                                     '<extLst><ext uri="x"><![CDATA[<mergeCell ref="A1:B2"/>]]></ext></extLst>')),
    "a merge before the data": (False, '<mergeCell ref="A1:B2"/>' + _row('<c r="A1"><v>1</v></c>')),
    "a prefix declared on a row": (True, _row('<c r="A1"><v>1</v></c>', 1, ' xmlns:x14ac="urn:x" x14ac:dyDescent="1"')),
    "a prefix not declared": (False, _row('<c r="A1"><v>1</v></c>', 1, ' x14ac:dyDescent="0.25"')),
    "whitespace between cells": (False, _row('<c r="A1"><v>1</v></c>\n  <c r="B1"><v>2</v></c>')),
    "single-quoted attribute": (False, _row('<c r="A1"><v>1</v></c>', 1, " ht='20'")),
    "another cell attribute": (False, _row('<c r="A1" cm="1"><v>1</v></c>')),
    "type before style": (False, _row('<c r="A1" t="n" s="1"><v>1</v></c>')),
    "rich text": (False, _row('<c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c>')),
    "phonetic guide": (False, _row('<c r="A1" t="inlineStr"><is><t>a</t><rPh sb="0" eb="1"><t>x</t></rPh></is></c>')),
    "another child": (False, _row('<c r="A1"><v>1</v><extLst/></c>')),
    "two values": (False, _row('<c r="A1"><v>1</v><v>2</v></c>')),
    "a cell after the data": (False, (_row('<c r="A1"><v>1</v></c>'), '<extLst><c r="B1"><v>2</v></c></extLst>')),
    "an entity that is not declared": (True, _row('<c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c>')),
    "a bare ampersand": (True, _row('<c r="A1" t="inlineStr"><is><t>a & b</t></is></c>')),
    "a tag not closed": (True, _row('<c r="A1"><v>1</v></c>') + '<row r="2"><c r="A2"><v>2</v></c>'),
    "a duplicated attribute on a row": (True, _row('<c r="A1"><v>1</v></c>', 1, ' ht="1" ht="2"')),
    "a character XML does not allow": (True, _row('<c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c>')),
    "beyond the rows a return can have": (True, _row('<c r="A9999"><v>1</v></c>', 9999)),
    "beyond the columns a return can have": (True, _row('<c r="ZZ1"><v>1</v></c>')),
}


@pytest.mark.parametrize("case", SHEETS)
def test_plain_cells__same_as_the_xml_parse__odd_sheets(case, monkeypatch):
    plain_expected, content = SHEETS[case]
    data, merges = (content, "") if isinstance(content, str) else content
    plain, parsed, taken = both_ways(workbook(SHEET.format(data, merges)), monkeypatch)
    assert plain == parsed
    if plain_expected and not isinstance(plain, tuple):
        assert taken == 1, "the sheet was expected to be read from its bytes"
    if not plain_expected:
        assert taken == 0, "the sheet was expected to go through the XML parse"


@pytest.mark.parametrize("head", ['<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>',
                                  '<sheetData/>', '<extLst><c r="A1"><v>9</v></c></extLst>'])
def test_plain_cells__what_comes_before_the_data_is_read_as_the_xml_parse_reads_it(head, monkeypatch):
    row = _row('<c r="A1"><v>1</v></c>')
    xml = f"<worksheet {NS}>{head}<sheetData>{row}</sheetData></worksheet>"
    plain, parsed, _taken = both_ways(workbook(xml), monkeypatch)
    assert plain == parsed


def test_plain_cells__references_resolved_and_line_ends_normalised(monkeypatch):
    plain, parsed, taken = both_ways(workbook(SHEET.format(*[SHEETS["references and spaces kept"][1], ""])),
                                     monkeypatch)
    assert taken == 1 and plain == parsed
    sheet = plain.sheets[0]
    assert sheet.cell(1, 1).value == ' Planning & budget <2> "x" \'y\' '
    assert sheet.cell(1, 2).value == "ABC\U0001F600\r."  # &#13; is a CR kept; only a literal CR is a line end
    assert sheet.cell(1, 3).value == " a & b "


@pytest.mark.parametrize("declaration, plain_expected", [
    ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', True),
    ("<?xml version='1.0' encoding='utf-8'?>", True),
    ('\ufeff<?xml version="1.0"?>', True),
    ('<?xml version="1.0" encoding="ISO-8859-1"?>', False),
])
def test_plain_cells__only_utf8_read_from_bytes(declaration, plain_expected, monkeypatch):
    xml = declaration + SHEET.format(_row('<c r="A1" t="inlineStr"><is><t>Perú</t></is></c>'), "")
    encoding = "latin-1" if "ISO" in declaration else "utf-8"
    plain, parsed, taken = both_ways(workbook(xml.encode(encoding, "replace")), monkeypatch)
    assert plain == parsed
    assert plain.sheets[0].cell(1, 1).value == "Perú"
    assert taken == (1 if plain_expected else 0)


def test_plain_cells__the_cell_budget_holds(monkeypatch):
    cells = "".join(f'<c r="{letter}1"><v>1</v></c>' for letter in "ABCDEF")
    plain, parsed, taken = both_ways(workbook(SHEET.format(_row(cells), "")), monkeypatch, Limits(max_cells=5))
    assert plain == parsed
    assert plain[0] == "too-many-cells" and taken == 0  # refused while the bytes' way was storing its cells


def test_plain_cells__a_long_run_of_spaces_is_matched_once():
    # Without possessive matching, a row whose attributes end in a million spaces would be backtracked for hours.
    xml = SHEET.format('<row r="1"' + " " * 1_000_000 + 'x><c r="A1"><v>1</v></c></row>', "")
    assert outcome(workbook(xml))[0] == "corrupt"


# Positions: a cell (even an empty one) saved twice, out of order or in another row makes another cell ambiguous.
# Each sheet must read as the XML parse reads it (flagged there), and only the plain ones from the bytes.
POSITION_SHEETS = {
    "in order": (True, '<row r="1"><c r="A1" s="1"/><c r="B1"><v>2</v></c><c r="C1" s="2"></c></row>'),
    "rows 9 and 10, columns Z and AA": (True, '<row r="9"><c r="Z9"><v>1</v></c><c r="AA9"><v>2</v></c></row>'
                                              '<row r="10"/><row r="11"><c r="AZ11"><v>3</v></c>'
                                              '<c r="BA11" s="1"/><c r="XFD11"><v>4</v></c></row>'),
    "empty cell saved twice": (False, '<row r="1"><c r="A1" s="1"/><c r="A1"><v>2</v></c></row>'),
    "filled cell saved twice": (False, '<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>'),
    "empty cell out of order": (False, '<row r="1"><c r="C1" s="1"/><c r="B1"><v>2</v></c></row>'),
    "columns AA then Z": (False, '<row r="1"><c r="AA1"><v>1</v></c><c r="Z1"><v>2</v></c></row>'),
    "empty cell in another row": (False, '<row r="1"><c r="A2" s="1"/></row><row r="2"><c r="A2"><v>2</v></c></row>'),
    "row 05 and cell A05": (True, '<row r="05"><c r="A05"><v>1</v></c></row>'),
    "row 05 and cell A5": (False, '<row r="05"><c r="A5"><v>1</v></c></row>'),
    "cells without r=": (False, '<row r="1"><c s="1"/><c><v>2</v></c></row>'),
    "rows without r=": (False, '<row><c r="A1" s="1"/></row><row><c r="A2"><v>2</v></c></row>'),
    "row saved twice": (False, '<row r="1"><c r="A1" s="1"/></row><row r="1"><c r="B1"><v>2</v></c></row>'),
    "rows out of order": (False, '<row r="2"><c r="A2" s="1"/></row><row r="1"><c r="A1"><v>2</v></c></row>'),
    "rows 10 then 9": (False, '<row r="10"><c r="A10"><v>1</v></c></row><row r="9"><c r="A9"><v>2</v></c></row>'),
    "comment": (False, '<row r="1"><!-- <row r="2"> --><c r="A2" s="1"/><c r="B1"><v>2</v></c></row>'),
    "CDATA": (False, '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="B1"/>]]></t></is></c></row>'),
    "prefixed cell": (False, '<row r="1"><x:c xmlns:x="urn:x" r="A1"/><c r="B1"><v>2</v></c></row>'),
    "another attribute first": (False, '<row r="1"><c s="1" r="A1"/><c r="B1"><v>2</v></c></row>'),
    "attribute saved twice": (False, '<row r="1"><c r="A1" s="1" s="2"/><c r="B1"><v>2</v></c></row>'),
    "row zero": (False, '<row r="0"><c r="A1" s="1"/></row>'),
    "beyond the last row": (False, '<row r="1048577"><c r="A1048577" s="1"/></row>'),
    "beyond the last column": (False, '<row r="1"><c r="A1"><v>1</v></c><c r="XFE1" s="1"/></row>'),
    "empty cell with whitespace": (False, '<row r="1"><c r="A1" s="1" t="n">\n </c><c r="B1"><v>2</v></c></row>'),
    "empty cell inside a tag": (False, '<row r="1" <c r="A1" s="1"/>><c r="B1"><v>2</v></c></row>'),
    "empty cell inside a quoted value": (False, '<row r="1" x="<c r="A1" s="1"/>"><c r="B1"><v>2</v></c></row>'),
    "empty row inside a tag": (False, '<row r="1"><c r="B1"><v>2</v></c></row><row r="2" <row r="3"/>/>'),
    "empty cell inside a text": (False, '<row r="1"><c r="A1" t="inlineStr"><is><t>ab<c r="B1" s="1"/>cd</t></is>'
                                        '</c><c r="C1"><v>2</v></c></row>'),
    "formula without value": (True, '<row r="1"><c r="A1"><f>1+1</f></c><c r="B1" s="3"/></row>'),
}


@pytest.mark.parametrize("case", POSITION_SHEETS)
def test_plain_cells__same_as_the_xml_parse__positions(case, monkeypatch):
    plain_expected, data = POSITION_SHEETS[case]
    plain, parsed, taken = both_ways(workbook(SHEET.format(data, "")), monkeypatch)
    assert plain == parsed
    assert taken == (1 if plain_expected and not isinstance(plain, tuple) else 0)


def test_plain_cells__junk_after_the_sheet_still_refused(monkeypatch):
    plain, parsed, _taken = both_ways(workbook(SHEET.format('<row r="1"><c r="A1"><v>1</v></c></row>', "")
                                               + '<c r="B1" s="1"/>'), monkeypatch)
    assert plain == parsed
    assert plain[0] == "corrupt"


def _with_sheet(package: zipfile.ZipFile, name: str, sheet: bytes) -> bytes:
    """Return the package's bytes with the part `name` replaced by `sheet`."""
    parts = {item.filename: package.read(item) for item in package.infolist()}
    parts[name] = sheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as changed:
        for part, content in parts.items():
            changed.writestr(part, content)
    return buffer.getvalue()


SNIPPETS = ['<c r="B7"><v>1</v></c>', '<c r="A1" t="s"><v>1</v></c>', "&amp;", "&#10;", "\r\n", " ", "<v>2</v>",
            '<f>A1</f>', ' s="1"', ' t="str"', "</row>", '<row r="40">', '<mergeCell ref="A1:B1"/>', "<", "&", '"',
            "é", '<x:c xmlns:x="urn:x" r="C3"/>', "<!-- c -->", '<c r="A1"/>', "<is><t>x</t></is>", "<t>"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_plain_cells__same_as_the_xml_parse__mangled_demo_return(data, monkeypatch):
    package = zipfile.ZipFile(DEMO[0])
    name = next(n for n in package.namelist() if n.startswith("xl/worksheets/sheet2"))
    sheet = bytearray(package.read(name))
    start, end = sheet.find(b"<sheetData>") + 11, sheet.rfind(b"</sheetData>")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(start, end))
        edit = data.draw(st.sampled_from(["insert", "delete", "repeat"]))
        if edit == "insert":
            sheet[at:at] = data.draw(st.sampled_from(SNIPPETS)).encode("utf-8")
        elif edit == "delete":
            del sheet[at:at + data.draw(st.integers(1, 12))]
        else:
            sheet[at:at] = sheet[at:at + data.draw(st.integers(1, 60))]
        end = max(start, min(end, len(sheet) - 12))
    plain, parsed, _taken = both_ways(_with_sheet(package, name, bytes(sheet)), monkeypatch)
    assert plain == parsed


def test_plain_cells__mangled_returns_still_mostly_read_from_bytes(monkeypatch):
    # The fuzz above must exercise the bytes' way, not only its refusals: shuffled cells of a demo sheet.
    rng = random.Random(13)
    package = zipfile.ZipFile(DEMO[0])
    name = next(n for n in package.namelist() if n.startswith("xl/worksheets/sheet2"))
    original = package.read(name)
    taken_total = 0
    for _ in range(20):
        text = original.replace(b'<v>', b'<v>' + str(rng.randint(0, 9)).encode(), rng.randint(1, 40))
        plain, parsed, taken = both_ways(_with_sheet(package, name, text), monkeypatch)
        assert plain == parsed
        taken_total += taken
    assert taken_total >= 20
