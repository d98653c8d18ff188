"""Unit tests for importers.safe_read with workbooks and hostile files built at test time."""

from __future__ import annotations

import datetime
import io
import struct
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from importers import safe_read
from importers.safe_read import (
    MAX_CELL_TEXT,
    Cell,
    Limits,
    Sheet,
    UnreadableFile,
    Workbook,
    cell_ref,
    column_letter,
    read_workbook,
)

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


# --- builders -----------------------------------------------------------------------------------

def _openpyxl_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _hand_xlsx(
    sheet_data: str,
    *,
    workbook_pr: str = "",
    styles: str | None = None,
    shared_strings: str | None = None,
    extra_parts: dict[str, bytes] | None = None,
    main_content_type: str = SHEET_CT,
    after_sheet_data: str = "",
    dimension: str = "",
) -> bytes:
    """Build a minimal transitional .xlsx with one sheet whose <sheetData> content is given."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"{dimension}<sheetData>{sheet_data}</sheetData>{after_sheet_data}</worksheet>"
    )
    rels = [f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>']
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main_content_type}"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{workbook_pr}'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if styles is not None:
        parts["xl/styles.xml"] = f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}">{styles}</styleSheet>'
        rels.append(f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>')
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">{shared_strings}</sst>'
        rels.append(f'<Relationship Id="rId3" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>')
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">{"".join(rels)}</Relationships>'
    )
    encoded = {name: text.encode("utf-8") for name, text in parts.items()}
    encoded.update(extra_parts or {})
    return _zip(encoded)


def _zip(parts: dict[str, bytes] | list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    items = parts.items() if isinstance(parts, dict) else parts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some tests need
        with zipfile.ZipFile(buffer, "w", compression) as package:
            for name, content in items:
                package.writestr(name, content)
    return buffer.getvalue()


def _ods(content_body: str, automatic_styles: str = "", extra_parts: dict[str, bytes] | None = None) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2">'
        f"<office:automatic-styles>{automatic_styles}</office:automatic-styles>"
        f"<office:body><office:spreadsheet>{content_body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    parts = [
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
         b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'),
        ("content.xml", content.encode("utf-8")),
    ]
    parts.extend((extra_parts or {}).items())
    return _zip(parts)


def _reject(data: bytes, name: str = "return.xlsx", limits: Limits = Limits()) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        read_workbook(data, name, limits)
    assert str(caught.value).startswith(f"{name}: ")
    return caught.value


# --- helpers and model ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("col", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"), (702, "ZZ"), (703, "AAA"), (16384, "XFD")]
)
def test_column_letter(col, letters):
    assert column_letter(col) == letters


def test_cell_ref():
    assert cell_ref(14, 3) == "C14"
    assert cell_ref(1, 28) == "AB1"


def test_sheet_and_workbook_accessors():
    sheet = Sheet("Data", "visible", {(2, 3): Cell(5), (4, 1): Cell("x")})
    hidden = Sheet("Lists", "hidden", {})
    book = Workbook("f.xlsx", "xlsx", [sheet, hidden])
    assert sheet.cell(2, 3) == Cell(5) and sheet.cell(1, 1) is None
    assert (sheet.max_row, sheet.max_col) == (4, 3)
    assert (hidden.max_row, hidden.max_col) == (0, 0)
    assert book.sheet("Data") is sheet and book.sheet("data") is None
    assert book.visible_sheets == [sheet]


# --- ordinary workbooks written by openpyxl ---------------------------------------------------------

def test_values_percent_dates_and_formula_without_cached_value():
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Return"
    ws["A1"] = "Indicator"
    ws["B1"] = 0.45
    ws["B1"].number_format = "0%"
    ws["C1"] = 0.455
    ws["C1"].number_format = "0.0%"
    ws["D1"] = 0.45
    ws["A2"] = 12
    ws["B2"] = 3.5
    ws["C2"] = True
    ws["D2"] = "=B2*2"  # openpyxl writes no cached value
    ws["A3"] = datetime.datetime(2024, 3, 31, 14, 30)
    ws["B3"] = datetime.date(2023, 12, 31)
    ws["C3"] = datetime.time(9, 15)
    ws["A5"] = '100 "%" done'
    wb = read_workbook(_openpyxl_bytes(book), "return.xlsx")
    sheet = wb.sheet("Return")
    assert wb.format == "xlsx"
    assert sheet.cell(1, 1) == Cell("Indicator")
    assert sheet.cell(1, 2) == Cell(0.45, is_percent=True)
    assert sheet.cell(1, 3).is_percent
    assert sheet.cell(1, 4) == Cell(0.45, is_percent=False)
    assert sheet.cell(2, 1) == Cell(12) and isinstance(sheet.cell(2, 1).value, int)
    assert sheet.cell(2, 2) == Cell(3.5)
    assert sheet.cell(2, 3) == Cell(True)
    assert sheet.cell(2, 4) == Cell(None, formula_without_value=True)
    assert sheet.cell(3, 1).value == datetime.datetime(2024, 3, 31, 14, 30)
    assert sheet.cell(3, 2).value == datetime.datetime(2023, 12, 31)
    assert sheet.cell(3, 3).value == datetime.time(9, 15)
    assert sheet.cell(5, 1) == Cell('100 "%" done')
    assert sheet.cell(4, 1) is None
    assert (sheet.max_row, sheet.max_col) == (5, 4)


def test_hidden_and_very_hidden_sheets_keep_their_state_and_order():
    book = openpyxl.Workbook()
    book.active.title = "Return"
    book.create_sheet("Lists").sheet_state = "hidden"
    book.create_sheet("Secret").sheet_state = "veryHidden"
    book["Lists"]["A1"] = "Yes"
    wb = read_workbook(_openpyxl_bytes(book), "r.xlsx")
    assert [(s.name, s.state) for s in wb.sheets] == [("Return", "visible"), ("Lists", "hidden"), ("Secret", "veryHidden")]
    assert [s.name for s in wb.visible_sheets] == ["Return"]
    assert wb.sheet("Lists").cell(1, 1) == Cell("Yes")


def test_1904_and_1900_twins_read_the_same_dates():
    moments = [datetime.datetime(2021, 1, 1), datetime.datetime(1999, 12, 31, 18, 0), datetime.datetime(2024, 2, 29)]
    books = []
    for epoch_1904 in (False, True):
        book = openpyxl.Workbook()
        if epoch_1904:
            book.epoch = CALENDAR_MAC_1904
        for row, moment in enumerate(moments, start=1):
            book.active.cell(row, 1, moment)
        books.append(read_workbook(_openpyxl_bytes(book), "twin.xlsx").sheets[0])
    for row, moment in enumerate(moments, start=1):
        assert books[0].cell(row, 1).value == moment
        assert books[1].cell(row, 1).value == moment


def test_1904_serial_is_1462_days_later():
    styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    data_1900 = _hand_xlsx('<row r="1"><c r="A1" s="1"><v>43831</v></c></row>', styles=styles)
    data_1904 = _hand_xlsx('<row r="1"><c r="A1" s="1"><v>43831</v></c></row>', styles=styles,
                           workbook_pr='<workbookPr date1904="1"/>')
    a = read_workbook(data_1900, "a.xlsx").sheets[0].cell(1, 1).value
    b = read_workbook(data_1904, "b.xlsx").sheets[0].cell(1, 1).value
    assert a == datetime.datetime(2020, 1, 1)
    assert b - a == datetime.timedelta(days=1462)


# --- hand-written sheet XML -------------------------------------------------------------------------

def test_error_cells_are_flagged_per_cell():
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="e"><f>X</f><v>{err}</v></c><c r="B{i}" t="e"><v>{err}</v></c></row>'
        for i, err in enumerate(["#DIV/0!", "#N/A", "#NAME?", "#VALUE!", "#REF!", "#NUM!", "#NULL!"], start=1)
    ).replace("<f>X</f>", "<f>1/0</f>")
    sheet = read_workbook(_hand_xlsx(rows), "e.xlsx").sheets[0]
    assert sheet.cell(1, 1) == Cell(None, error="#DIV/0!")
    assert sheet.cell(2, 2) == Cell(None, error="#N/A")
    assert sheet.cell(3, 1).error == "#NAME?"
    assert len(sheet.cells) == 14 and all(c.error and c.value is None for c in sheet.cells.values())


def test_formula_cached_values_and_missing_ones():
    rows = (
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="C1"><f>A1</f></c><c r="D1"><f>A1</f><v></v></c><c r="E1" t="str"><f>""</f><v></v></c>'
        '<c r="F1" t="inlineStr"><f>C37</f><is><t></t></is></c><c r="G1" t="b"><f>TRUE()</f><v>1</v></c></row>'
    )
    sheet = read_workbook(_hand_xlsx(rows), "f.xlsx").sheets[0]
    assert sheet.cell(1, 1) == Cell(2)
    assert sheet.cell(1, 2) == Cell("ab")
    assert sheet.cell(1, 3) == Cell(None, formula_without_value=True)
    assert sheet.cell(1, 4) == Cell(None, formula_without_value=True)
    assert sheet.cell(1, 5) is None  # Excel's way of saving a formula that returned ""
    assert sheet.cell(1, 6) == Cell(None, formula_without_value=True)  # LibreOffice, not recalculated
    assert sheet.cell(1, 7) == Cell(True)


def test_positions_without_r_attributes_follow_element_order():
    rows = (
        '<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row>'
        '<row r="4"><c><v>2</v></c><c r="D4"><v>3</v></c><c><v>4</v></c></row>'
        '<row><c/><c><v>5</v></c></row>'
    )
    sheet = read_workbook(_hand_xlsx(rows), "n.xlsx").sheets[0]
    assert sheet.cells == {
        (1, 1): Cell("a"), (1, 2): Cell(1), (4, 1): Cell(2), (4, 4): Cell(3), (4, 5): Cell(4), (5, 2): Cell(5),
    }


def test_stored_dimension_is_ignored():
    rows = '<row r="3"><c r="G3"><v>7</v></c></row>'
    sheet = read_workbook(_hand_xlsx(rows, dimension='<dimension ref="A1"/>'), "d.xlsx").sheets[0]
    assert sheet.cell(3, 7) == Cell(7)
    big = _hand_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', dimension='<dimension ref="A1:XFD1048576"/>')
    assert read_workbook(big, "big.xlsx").sheets[0].max_row == 1


def test_shared_strings_rich_text_and_phonetic_runs():
    strings = (
        "<si><t>plain</t></si>"
        "<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r></si>"
        "<si><t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh></si>"
    )
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    sheet = read_workbook(_hand_xlsx(rows, shared_strings=strings), "s.xlsx").sheets[0]
    assert [sheet.cell(1, c).value for c in (1, 2, 3)] == ["plain", "rich text", "漢字"]


def test_iso_date_cells_and_custom_percent_and_date_formats():
    styles = (
        '<numFmts count="3"><numFmt numFmtId="164" formatCode="0.00&quot; %&quot;"/>'
        '<numFmt numFmtId="165" formatCode="[Red]0.0%;-0.0%"/><numFmt numFmtId="166" formatCode="dd/mm/yyyy"/>'
        '<numFmt numFmtId="167" formatCode="[h]:mm"/></numFmts>'
        '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>'
        '<xf numFmtId="10"/><xf numFmtId="167"/></cellXfs>'
    )
    rows = (
        '<row r="1"><c r="A1" t="d"><v>2024-06-30</v></c><c r="B1" t="d"><v>2014-02-14T08:27:48.765Z</v></c>'
        '<c r="C1" t="d"><v>13:45:00</v></c></row>'
        '<row r="2"><c r="A2" s="1"><v>45</v></c><c r="B2" s="2"><v>0.45</v></c><c r="C2" s="3"><v>45473</v></c>'
        '<c r="D2" s="4"><v>0.5</v></c><c r="E2" s="5"><v>1.5</v></c></row>'
    )
    sheet = read_workbook(_hand_xlsx(rows, styles=styles), "iso.xlsx").sheets[0]
    assert sheet.cell(1, 1).value == datetime.datetime(2024, 6, 30)
    assert sheet.cell(1, 2).value == datetime.datetime(2014, 2, 14, 8, 27, 48, 765000)
    assert sheet.cell(1, 3).value == datetime.time(13, 45)
    assert sheet.cell(2, 1) == Cell(45, is_percent=False)  # a quoted "%" is literal text, not a percent format
    assert sheet.cell(2, 2) == Cell(0.45, is_percent=True)
    assert sheet.cell(2, 3).value == datetime.datetime(2024, 6, 30)
    assert sheet.cell(2, 4) == Cell(0.5, is_percent=True)
    assert sheet.cell(2, 5) == Cell(1.5)  # an elapsed duration stays a number of days


def test_strict_ooxml_is_read_as_xlsx_strict():
    strict_main = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    strict_rel = "http://purl.oclc.org/ooxml/officeDocument/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{SHEET_CT}"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{strict_rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{strict_main}" xmlns:r="{strict_rel}" conformance="strict"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{strict_rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{strict_main}"><sheetData><row r="1"><c r="A1"><v>42</v></c>'
            '<c r="B1" t="d"><v>2020-01-02</v></c></row></sheetData></worksheet>'
        ).encode(),
    }
    wb = read_workbook(_zip(parts), "strict.xlsx")
    assert wb.format == "xlsx-strict"
    assert wb.sheets[0].cells == {(1, 1): Cell(42), (1, 2): Cell(datetime.datetime(2020, 1, 2))}


# --- limits -----------------------------------------------------------------------------------------

def test_row_column_cell_and_merge_limits_name_the_sheet():
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 12))
    exc = _reject(_hand_xlsx(rows), limits=Limits(max_rows=10))
    assert exc.reason == "too-many-cells" and "'Data'" in str(exc) and "row 11" in str(exc)
    exc = _reject(_hand_xlsx('<row r="1"><c r="L1"><v>1</v></c></row>'), limits=Limits(max_cols=11))
    assert exc.reason == "too-many-cells" and "'Data'" in str(exc) and "column L" in str(exc)
    assert _reject(_hand_xlsx(rows), limits=Limits(max_cells=5)).reason == "too-many-cells"
    merges = '<mergeCells count="3"><mergeCell ref="A1:B1"/><mergeCell ref="A2:B2"/><mergeCell ref="A3:B3"/></mergeCells>'
    exc = _reject(_hand_xlsx(rows, after_sheet_data=merges), limits=Limits(max_merged_ranges=2))
    assert exc.reason == "too-many-cells" and "merged" in str(exc) and "'Data'" in str(exc)
    assert read_workbook(_hand_xlsx(rows, after_sheet_data=merges), "ok.xlsx").sheets[0].merged_ranges == [
        "A1:B1", "A2:B2", "A3:B3"]


def test_a_country_return_fits_the_default_limits():
    book = openpyxl.Workbook()
    ws = book.active
    for row in range(1, 401):
        for col in range(1, 5):
            ws.cell(row, col, row * col)
    for name in ("Lists1", "Lists2", "Lists3"):
        book.create_sheet(name).append(["a", "b"])
    start = time.perf_counter()
    wb = read_workbook(_openpyxl_bytes(book), "r.xlsx")
    assert time.perf_counter() - start < 2
    assert wb.sheets[0].max_row == 400 and len(wb.sheets) == 4


# --- hostile files ------------------------------------------------------------------------------------

def test_empty_and_unknown_bytes():
    assert _reject(b"").reason == "empty"
    assert _reject(b"Attachment not found!\n").reason == "not-spreadsheet"
    assert _reject(b"%PDF-1.7 ...").reason == "not-spreadsheet"
    assert _reject(_zip({"readme.txt": b"hello"})).reason == "not-spreadsheet"


def test_entry_count_and_sheet_count_limits():
    assert _reject(_hand_xlsx(""), limits=Limits(max_entries=3)).reason == "too-large"
    book = openpyxl.Workbook()
    for index in range(3):
        book.create_sheet(f"S{index}")
    assert _reject(_openpyxl_bytes(book), limits=Limits(max_sheets=3)).reason == "too-large"


def test_oversized_sheet_part_names_the_sheet():
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 200))
    exc = _reject(_hand_xlsx(rows), limits=Limits(max_sheet_part_bytes=1000))
    assert exc.reason == "too-large" and "'Data'" in str(exc)


def test_sheet_full_of_empty_formatted_cells_is_rejected_quickly():
    row = "<row>" + '<c s="0"/>' * 150 + "</row>"
    data = _hand_xlsx(row * 1001)
    start = time.perf_counter()
    exc = _reject(data, limits=Limits(max_ratio=10**6))  # past the ZIP-bomb check, which would also stop it
    assert time.perf_counter() - start < 1
    assert exc.reason == "too-many-cells" and "'Data'" in str(exc) and "150,150 cells" in str(exc)


def test_file_over_the_upload_size_limit():
    exc = _reject(_hand_xlsx(""), limits=Limits(max_bytes=100))
    assert exc.reason == "too-large" and "MB" in str(exc)


def test_deflate_zip_bomb_in_a_sheet_part_is_rejected_before_parsing():
    zeros = b"0" * (30 * 1024 * 1024)
    exc = _reject(_hand_xlsx("", extra_parts={"xl/worksheets/sheet2.xml": zeros}))
    assert exc.reason == "too-large" and "MB uncompressed, limit 25 MB" in str(exc)
    smaller = b"0" * (5 * 1024 * 1024)  # under the size caps, but ~1000:1
    exc = _reject(_hand_xlsx("", extra_parts={"xl/worksheets/sheet2.xml": smaller}))
    assert exc.reason == "too-large" and "times" in str(exc)


def test_zip_whose_declared_size_lies_is_rejected():
    data = bytearray(_hand_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>'))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = 0
        while True:
            position = data.find(signature, position)
            assert position >= 0
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            if data[position + name_offset:position + name_offset + len(name)] == name:
                break
            position += 4
        struct.pack_into("<I", data, position + size_offset, 10)
    assert _reject(bytes(data)).reason == "corrupt"


def test_duplicate_entries_exact_and_case_insensitive():
    good = _hand_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(io.BytesIO(good)) as package:
        parts = [(info.filename, package.read(info)) for info in package.infolist()]
    exact = _zip(parts + [("xl/worksheets/sheet1.xml", b"<worksheet/>")])
    assert _reject(exact).reason == "zip-duplicate"
    folded = _zip(parts + [("XL/Worksheets/Sheet1.XML", b"<worksheet/>")])
    assert _reject(folded).reason == "zip-duplicate"


def test_real_xlsm_renamed_to_xlsx_is_rejected_by_content():
    exc = _reject((CORPUS / "poi__SimpleMacro.xlsm").read_bytes(), name="return.xlsx")
    assert exc.reason == "macro"
    # Same content type without a vbaProject.bin part: still a macro-enabled package.
    exc = _reject(_hand_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>', main_content_type=MACRO_CT))
    assert exc.reason == "macro"


def test_macro_sheets_and_embedded_objects_are_rejected():
    assert _reject(_hand_xlsx("", extra_parts={"xl/macrosheets/sheet1.xml": b"<xm/>"})).reason == "macro"
    assert _reject(_hand_xlsx("", extra_parts={"xl/vbaProject.bin": b"\0" * 10})).reason == "macro"
    assert _reject(_hand_xlsx("", extra_parts={"xl/embeddings/oleObject1.bin": b"\0" * 10})).reason == "embedded"


@pytest.mark.parametrize("part", ["docProps/core.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml"])
def test_doctype_in_any_part_is_unsafe_xml(part):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>'
    exc = _reject(_hand_xlsx("", extra_parts={part: bomb}) if part == "docProps/core.xml" else _replace_part(part, bomb))
    assert exc.reason == "unsafe-xml" and "unsafe XML" in str(exc)


def test_doctype_in_a_utf16_part_is_unsafe_xml():
    bomb = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "http://localhost/x.dtd"><x/>'.encode("utf-16")
    assert _reject(_hand_xlsx("", extra_parts={"docProps/app.xml": bomb})).reason == "unsafe-xml"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_declaration_the_byte_scan_cannot_see_is_refused_by_the_parser(encoding):
    # UTF-16 without a byte-order mark or an XML declaration: the byte scan sees "<\0!\0D\0..." and no DOCTYPE,
    # but expat reads it as UTF-16, so the parser's own refusal is what keeps the entities out.
    bomb = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c>'
            '</row></sheetData></worksheet>').encode(encoding)
    assert b"<!DOCTYPE" not in safe_read._xml_bytes_as_ascii(bomb)  # its narrowing needs a BOM or "<?"
    exc = _reject(_replace_part("xl/worksheets/sheet1.xml", bomb))
    assert exc.reason == "unsafe-xml" and "unsafe XML" in str(exc)


def _replace_part(part: str, content: bytes) -> bytes:
    good = _hand_xlsx('<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(io.BytesIO(good)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts[part] = content
    return _zip(parts)


def test_truncated_upload_is_corrupt():
    data = _openpyxl_bytes(openpyxl.Workbook())
    for cut in (len(data) // 2, len(data) - 10, 30):
        assert _reject(data[:cut]).reason == "corrupt"


def test_password_protected_file_made_with_msoffcrypto():
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(_openpyxl_bytes(openpyxl.Workbook()))
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", encrypted)
    exc = _reject(encrypted.getvalue(), name="country.xlsx")
    assert exc.reason == "password" and "password" in str(exc)


def test_broken_sheet_xml_names_the_sheet_and_hides_the_parser_error():
    exc = _reject(_replace_part("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"))
    assert exc.reason == "corrupt" and "'Data'" in str(exc) and "Error" not in str(exc)
    for index in ("7", "-1"):
        rows = f'<row r="1"><c r="A1" t="s"><v>{index}</v></c></row>'
        exc = _reject(_hand_xlsx(rows, shared_strings="<si><t>a</t></si>"))
        assert exc.reason == "corrupt" and "text number" in str(exc)


def test_workbook_with_only_a_chart_sheet_has_no_sheets():
    data = _replace_part(
        "xl/_rels/workbook.xml.rels",
        f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/chartsheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'.encode(),
    )
    assert _reject(data).reason == "no-sheets"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_bytes_never_raise_anything_but_unreadable_file(data):
    original = bytearray(_hand_xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c></row>',
                                    shared_strings="<si><t>x</t></si>"))
    for _ in range(data.draw(st.integers(1, 8))):
        index = data.draw(st.integers(0, len(original) - 1))
        original[index] = data.draw(st.integers(0, 255))
    try:
        result = read_workbook(bytes(original), "fuzz.xlsx")
    except UnreadableFile as exc:
        assert str(exc).startswith("fuzz.xlsx: ") and exc.reason
    else:
        assert result.sheets


# --- ODS ----------------------------------------------------------------------------------------------

def test_ods_values_percent_hidden_errors_and_repeats():
    styles = ('<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/>'
              '</style:style>')
    body = (
        '<table:table table:name="Return">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Rate</text:p></table:table-cell>'
        '<table:table-cell office:value-type="percentage" office:value="0.45"><text:p>45%</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="12"/>'
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" calcext:value-type="error">'
        "<text:p>#DIV/0!</text:p></table:table-cell>"
        '<table:table-cell table:formula="of:=[.A1]"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2" '
        'office:value-type="boolean" office:boolean-value="true"/></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="date" office:date-value="2024-06-30"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT13H45M00S"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/>'
        "</table:table-row>"
        "</table:table>"
        '<table:table table:name="Lists" table:style-name="ta2"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>a<text:s text:c="2"/>b</text:p></table:table-cell></table:table-row>'
        "</table:table>"
    )
    wb = read_workbook(_ods(body, styles), "return.ods")
    assert wb.format == "ods"
    assert [(s.name, s.state) for s in wb.sheets] == [("Return", "visible"), ("Lists", "hidden")]
    sheet = wb.sheet("Return")
    assert sheet.cell(1, 1) == Cell("Rate")
    assert sheet.cell(1, 2) == Cell(0.45, is_percent=True)
    assert sheet.cell(1, 3) == Cell(12)
    assert sheet.cell(1, 4) == Cell(None, error="#DIV/0!")
    assert sheet.cell(1, 5) == Cell(None, formula_without_value=True)
    assert {k: v for k, v in sheet.cells.items() if k[0] in (2, 3)} == {
        (2, 1): Cell(True), (2, 2): Cell(True), (3, 1): Cell(True), (3, 2): Cell(True)}
    assert sheet.cell(4, 1) == Cell(datetime.datetime(2024, 6, 30))
    assert sheet.cell(4, 2) == Cell(datetime.time(13, 45))
    assert (sheet.max_row, sheet.max_col) == (4, 5)  # trailing empty repeats are skipped, not expanded
    assert wb.sheet("Lists").cell(1, 1) == Cell("a  b")


def test_ods_repeat_bomb_is_rejected_fast():
    body = ('<table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="999999999">'
            '<table:table-cell table:number-columns-repeated="999999999" office:value-type="string">'
            "<text:p>X</text:p></table:table-cell></table:table-row></table:table>")
    start = time.perf_counter()
    exc = _reject(_ods(body), name="dos.ods")
    assert time.perf_counter() - start < 2
    assert exc.reason == "too-many-cells" and "'Sheet1'" in str(exc)
    rows_only = ('<table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="999999">'
                 '<table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>')
    assert _reject(_ods(rows_only), name="rows.ods").reason == "too-many-cells"


def test_ods_full_of_empty_cells_is_rejected_quickly():
    row = "<table:table-row>" + "<table:table-cell/>" * 200 + "</table:table-row>"
    body = f'<table:table table:name="S">{row * 800}</table:table>'
    start = time.perf_counter()
    exc = _reject(_ods(body), name="e.ods", limits=Limits(max_ratio=10**6))
    assert time.perf_counter() - start < 1
    assert exc.reason == "too-many-cells"


def test_ods_with_macros_or_password_is_rejected():
    assert _reject(_ods("<table:table table:name='S'/>", extra_parts={"Basic/Standard/Module1.xml": b"<x/>"}),
                   name="m.ods").reason == "macro"
    encrypted = _zip([
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
         b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry>'
         b"</manifest:manifest>"),
        ("content.xml", b"\x8f\x01garbage"),
    ])
    assert _reject(encrypted, name="p.ods").reason == "password"


# --- ambiguity: flagged per cell and row, never silently resolved (issue 8) ---------------------------------

def test_a_cell_saved_twice_is_flagged_with_both_values_and_keeps_the_first():
    rows = '<row r="1"><c r="A1"><v>640</v></c><c r="A1"><v>6400</v></c><c r="B1"/><c r="B1"/></row>'
    sheet = read_workbook(_hand_xlsx(rows), "twice.xlsx").sheets[0]
    assert sheet.cell(1, 1).value == 640
    assert sheet.cell(1, 1).problem.startswith("is saved twice in this sheet (640, then 6400), so what it holds "
                                               "is ambiguous; ")
    assert sheet.cell(1, 2) == Cell(None, problem=sheet.cell(1, 2).problem)
    assert "(blank, then blank)" in sheet.cell(1, 2).problem
    assert list(sheet.problems) == ["A1", "B1"]
    assert sheet.problems["A1"] == "the cell " + sheet.cell(1, 1).problem


def test_implicit_positions_that_land_on_a_cell_already_saved_are_flagged():
    rows = '<row r="2"><c r="C2"><v>1</v></c><c r="B2"><v>2</v></c><c><v>3</v></c></row>'
    sheet = read_workbook(_hand_xlsx(rows), "order.xlsx").sheets[0]
    assert sheet.cell(2, 2).problem.startswith("is saved after C2, out of the order spreadsheets save cells in")
    assert sheet.cell(2, 3).value == 1 and "saved twice" in sheet.cell(2, 3).problem  # the <c> after B2 is C2


def test_rows_saved_twice_or_out_of_order_are_flagged_by_row():
    rows = ('<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>'
            '<row r="1"><c r="B1"><v>2</v></c></row><row r="2"><c r="A2"><v>4</v></c></row>')
    sheet = read_workbook(_hand_xlsx(rows), "rows.xlsx").sheets[0]
    assert sheet.problems["1:1"].startswith("row 1 is saved twice in this sheet")
    assert sheet.problems["2:2"].startswith("row 2 is saved after row 3, out of the order")
    assert "saved after A3" in sheet.cell(1, 2).problem and "saved after A3" in sheet.cell(2, 1).problem
    assert sheet.cell(1, 1) == Cell(1) and sheet.cell(3, 1) == Cell(3)


def test_a_cell_saved_inside_another_row_is_flagged_without_flagging_the_rest():
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="C5"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c></row>'
    sheet = read_workbook(_hand_xlsx(rows), "rows.xlsx").sheets[0]
    assert sheet.cell(5, 3).problem.startswith("is saved inside row 1, so whether it belongs in row 1 or row 5")
    assert sheet.cell(2, 1) == Cell(3) and list(sheet.problems) == ["C5"]


@pytest.mark.parametrize("raw", ["1E+309", "NaN", "INF", "-inf", "Infinity"])
def test_numbers_that_are_not_finite_are_flagged_at_their_cell_not_the_whole_sheet(raw):
    rows = f'<row r="1"><c r="A1"><v>{raw}</v></c><c r="B1"><v>2</v></c></row>'
    sheet = read_workbook(_hand_xlsx(rows), "inf.xlsx").sheets[0]
    assert sheet.cell(1, 1) == Cell(None, problem=f"holds {raw}, which is not a finite number; type the figure again")
    assert sheet.cell(1, 2) == Cell(2)
    assert sheet.problems == {"A1": f"the cell holds {raw}, which is not a finite number; type the figure again"}


def test_text_longer_than_a_cell_can_hold_is_flagged_wherever_it_is_saved():
    long = "x" * (MAX_CELL_TEXT + 1)
    rows = (f'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>{long}</t></is></c>'
            f'<c r="C1" t="str"><f>A1</f><v>{long}</v></c><c r="D1" t="s"><v>1</v></c></row>')
    data = _hand_xlsx(rows, shared_strings=f"<si><t>{long}</t></si><si><t>{'y' * MAX_CELL_TEXT}</t></si>")
    sheet = read_workbook(data, "long.xlsx", Limits(max_ratio=10**6)).sheets[0]
    for col in (1, 2, 3):
        assert sheet.cell(1, col) == Cell(None, problem="holds 32,768 characters of text, more than a spreadsheet "
                                                        "cell can hold (32,767); shorten it and upload again")
    assert sheet.cell(1, 4) == Cell("y" * MAX_CELL_TEXT)


def test_merged_ranges_are_normalised_and_invalid_ones_are_damage():
    merges = '<mergeCells><mergeCell ref="$c$9:$b$8"/><mergeCell ref="D1"/></mergeCells>'
    sheet = read_workbook(_hand_xlsx('<row r="1"/>', after_sheet_data=merges), "m.xlsx").sheets[0]
    assert sheet.merged_ranges == ["B8:C9", "D1:D1"]
    for ref in ("B8:", "A0:B1", "B8:C9:D10", "banana"):
        bad = f'<mergeCells><mergeCell ref="{ref}"/></mergeCells>'
        exc = _reject(_hand_xlsx('<row r="1"/>', after_sheet_data=bad))
        assert exc.reason == "corrupt" and "merged" in str(exc) and "'Data'" in str(exc)


def test_ods_merged_cells_not_finite_numbers_and_long_text_are_flagged():
    long = "z" * (MAX_CELL_TEXT + 1)
    body = (
        '<table:table table:name="Return"><table:table-row>'
        '<table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" office:value-type="string">'
        "<text:p>merged</text:p></table:table-cell><table:covered-table-cell/>"
        '<table:table-cell office:value-type="float" office:value="INF"/>'
        '<table:table-cell office:value-type="percentage" office:value="NaN"/>'
        f'<table:table-cell office:value-type="string"><text:p>{long}</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="7"/>'
        "</table:table-row></table:table>"
    )
    sheet = read_workbook(_ods(body), "r.ods", Limits(max_ratio=10**6)).sheets[0]
    assert sheet.merged_ranges == ["A1:B2"]
    assert sheet.cell(1, 1) == Cell("merged")
    assert sheet.cell(1, 3).problem == "holds INF, which is not a finite number; type the figure again"
    assert sheet.cell(1, 4) == Cell(None, is_percent=True, problem="holds NaN, which is not a finite number; "
                                                                   "type the figure again")
    assert sheet.cell(1, 5).problem.startswith("holds 32,768 characters of text")
    assert sheet.cell(1, 6) == Cell(7)
    assert set(sheet.problems) == {"C1", "D1", "E1"}


def test_ods_sheets_with_the_same_name_are_all_read():
    # OpenDocument positions come from element order, so a cell cannot be saved twice; a name can.
    body = ('<table:table table:name="Return"><table:table-row><table:table-cell office:value-type="float" '
            'office:value="1"/></table:table-row></table:table><table:table table:name="return"/>')
    book = read_workbook(_ods(body), "two.ods")
    assert [s.name for s in book.sheets] == ["Return", "return"]
