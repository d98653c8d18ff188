"""Every hostile or odd file in tests/corpus is read or rejected as POLICY.md decides, quickly and in bounded memory."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
TIMEOUT_SECONDS = 10
ADDRESS_SPACE_BYTES = 1536 * 1024 * 1024

# The policy, one line per corpus file: "accept" or the UnreadableFile.reason it must raise.
EXPECTED = {
    "poi__poc-xmlbomb.xlsx": "unsafe-xml",
    "poi__54764.xlsx": "unsafe-xml",
    "poi__54764-2.xlsx": "unsafe-xml",
    "poi__xxe_in_schema.xlsx": "accept",
    "poi__poc-shared-strings.xlsx": "corrupt",  # row r="0" / cell "A0": invalid references, never silently 1 row
    "poi__duplicate-filename.xlsx": "zip-duplicate",
    "calamine__issue_594_dos.ods": "too-many-cells",
    "calamine__issue_174.xlsx": "accept",
    "poi__protected_passtika.xlsx": "password",
    "poi__xor-encryption-abc.xls": "legacy-xls",
    "poi__SimpleMacro.xlsm": "macro",
    "poi__xlmmacro.xlsm": "macro",
    "poi__ExcelWithAttachments.xlsm": "macro",  # VBA is found first; it also has xl/embeddings/
    "openpyxl__null_file.xlsx": "empty",
    "openpyxl__null_archive.xlsx": "not-spreadsheet",
    "calamine__too_small.xls": "not-spreadsheet",
    "poi__crash-274d6342e4842d61be0fb48eaadad6208ae767ae.xlsx": "corrupt",
    "poi__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx": "corrupt",
    "calamine__OOM_alloc3.xls": "legacy-xls",
    "poi__xlsx-corrupted.xlsx": "corrupt",  # _rels/.rels is not XML: reject, as calamine and POI do
    "xlrd__elin.xlsx": "accept",  # OPC part names are case-insensitive
    "xlrd__self_evaluation_report_2014-05-19.xlsx": "accept",
    "sheetjs__wtf_path.xlsx": "accept",  # parts found through _rels, not fixed xl/ paths
    "calamine__minimal_package.xlsx": "accept",
    "poi__59746_NoRowNums.xlsx": "accept",
    "calamine__issue_261.xlsx": "accept",
    "poi__64508.xlsx": "accept",
    "poi__SimpleStrict.xlsx": "accept",  # Strict OOXML read by our own namespace-agnostic parser
    "xlrd__strict_date_1900.xlsx": "accept",
    "calamine__date_1904.xlsx": "accept",
    "sheetjs__xlsx-stream-d-date-cell.xlsx": "accept",
    "calamine__errors.xlsx": "accept",  # errors flagged per cell; the importer rejects them by cell
    "sheetjs__LONumbers.xlsx": "accept",  # C38:J38 flagged formula_without_value
    "poi__57893-many-merges.xlsx": "too-many-cells",  # 50,000 merged ranges > Limits.max_merged_ranges
    "sheetjs__large_strings.xlsx": "too-large",  # 57 MB unpacked > Limits.max_uncompressed_bytes
    "sheetjs__minimal_112.xlsx": "accept",
    "xlrd__test_comments_gdocs.xlsx": "accept",  # read as one empty sheet; "no data" is the validator's call
    "sheetjs__wps_fn.xlsx": "accept",
    "poi__SampleSS.ods": "accept",
    "poi__TwoSheetsOneHidden.xlsx": "accept",
}

# Runs in a child with an address-space limit and networking replaced by a recorder that refuses.
_WORKER = r"""
import json, resource, socket, sys, time
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
attempts = []
def _refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network disabled in test")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
sys.path.insert(0, sys.argv[3])
from importers.safe_read import UnreadableFile, cell_ref, read_workbook
path = sys.argv[1]
data = open(path, "rb").read()
name = path.rsplit("/", 1)[-1]
start = time.perf_counter()
try:
    wb = read_workbook(data, name)
except UnreadableFile as exc:
    out = {"outcome": exc.reason, "message": str(exc)}
else:
    out = {"outcome": "accept", "format": wb.format, "warnings": wb.warnings, "sheets": [
        {"name": s.name, "state": s.state, "max_row": s.max_row, "max_col": s.max_col, "cells": {
            cell_ref(r, c): [type(cell.value).__name__, repr(cell.value), cell.is_percent, cell.error,
                             cell.formula_without_value]
            for (r, c), cell in s.cells.items()}}
        for s in wb.sheets]}
out["seconds"] = time.perf_counter() - start
out["network_attempts"] = attempts
print(json.dumps(out))
"""


def _listed_files() -> list[str]:
    text = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    section = text.split("## Files", 1)[1].split("## Gaps", 1)[0]
    return re.findall(r"^\|\s*\d+\s*\|\s*`([^`]+)`", section, flags=re.MULTILINE)


def _read_in_child(name: str) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _WORKER, str(CORPUS / name), str(ADDRESS_SPACE_BYTES), str(ROOT)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: reading took longer than {TIMEOUT_SECONDS} s")
    assert done.returncode == 0, f"{name}: reader crashed (memory limit or uncaught error):\n{done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return {}


def _result(results: dict[str, dict], name: str) -> dict:
    if name not in results:
        results[name] = _read_in_child(name)
    return results[name]


def _sheet(result: dict, name: str) -> dict:
    return next(s for s in result["sheets"] if s["name"] == name)


def test_sources_lists_forty_files_that_exist_with_matching_checksums():
    listed = _listed_files()
    assert len(listed) == 40
    assert sorted(listed) == sorted(EXPECTED), "EXPECTED must name exactly the files in SOURCES.md"
    sums = {}
    for line in (CORPUS / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, file_name = line.split(maxsplit=1)
            sums[file_name.lstrip("*").strip()] = digest
    for name in listed:
        path = CORPUS / name
        assert path.is_file(), name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[name], name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome_matches_policy(name, results):
    result = _result(results, name)
    assert result["network_attempts"] == [], f"{name}: tried to use the network"
    assert result["seconds"] < 5, f"{name}: took {result['seconds']:.2f} s"
    assert result["outcome"] == EXPECTED[name], result.get("message")
    if result["outcome"] == "accept":
        assert result["sheets"], "never report success with zero sheets"
    else:
        message = result["message"]
        assert message.startswith(name + ": ")
        assert "Traceback" not in message and len(message) < 400


def _shape(sheet: dict) -> tuple[int, int, int]:
    return sheet["max_row"], sheet["max_col"], len(sheet["cells"])


def test_no_row_numbers_positions_come_from_element_order(results):
    sheet = _result(results, "poi__59746_NoRowNums.xlsx")["sheets"][0]
    assert (sheet["max_row"], sheet["max_col"]) == (71, 11)
    with zipfile.ZipFile(CORPUS / "poi__59746_NoRowNums.xlsx") as package:
        part = package.read("xl/worksheets/sheet.xml").decode("utf-8-sig")
    assert len(re.findall(r"<(?:\w+:)?row[\s>/]", part)) == 71


def test_wrong_dimension_still_reads_all_31_cells(results):
    sheet = _result(results, "poi__64508.xlsx")["sheets"][0]
    assert _shape(sheet) == (5, 7, 31)


def test_whole_sheet_dimension_reads_the_two_real_rows(results):
    sheet = _result(results, "calamine__issue_174.xlsx")["sheets"][0]
    assert _shape(sheet) == (2, 11, 22)


def test_minimal_package_found_through_relationships(results):
    sheet = _result(results, "calamine__minimal_package.xlsx")["sheets"][0]
    assert (sheet["max_row"], sheet["max_col"]) == (196, 36)


def test_issue_261_cells_without_refs_next_to_merges(results):
    # calamine agrees (66x7); openpyxl's 66x8 counts the styled but empty column H.
    sheet = _result(results, "calamine__issue_261.xlsx")["sheets"][0]
    assert (sheet["max_row"], sheet["max_col"]) == (66, 7)
    assert sheet["cells"]["B7"][1] == repr(datetime.datetime(2023, 3, 15))


def test_minimal_112_is_3_by_2_with_percent(results):
    sheet = _result(results, "sheetjs__minimal_112.xlsx")["sheets"][0]
    assert _shape(sheet) == (3, 2, 6)
    assert sheet["cells"]["A1"][1] == "'Sheet'"
    assert sheet["cells"]["B3"][1:3] == ["0.123", True]


def test_hidden_sheet_is_returned_with_its_state(results):
    # SOURCES.md says "second sheet"; the workbook.xml marks the first one, Sheet1, hidden.
    sheets = _result(results, "poi__TwoSheetsOneHidden.xlsx")["sheets"]
    assert [(s["name"], s["state"]) for s in sheets] == [("Sheet1", "hidden"), ("Sheet2", "visible")]
    assert sheets[0]["cells"]["A1"][1] == "'Sheet1A1'"


def test_error_cells_are_flagged_not_blank_or_text(results):
    result = _result(results, "calamine__errors.xlsx")
    cells = _sheet(result, "Feuil1")["cells"]
    assert {ref: cell[3] for ref, cell in cells.items()} == {
        "A1": "#DIV/0!", "A2": "#NAME?", "A3": "#VALUE!", "A4": "#NULL!", "A5": "#REF!", "A6": "#NUM!", "A7": "#N/A",
    }
    assert all(cell[1] == "None" for cell in cells.values())
    assert any("external" in warning for warning in result["warnings"])


def test_libreoffice_formulas_without_cached_value_are_flagged(results):
    cells = _result(results, "sheetjs__LONumbers.xlsx")["sheets"][0]["cells"]
    flagged = sorted(ref for ref, cell in cells.items() if cell[4])
    assert flagged == [f"{col}38" for col in "CDEFGHIJ"]
    assert cells["C38"][1] == "None"


def test_wtf_path_reads_through_relationships(results):
    sheets = _result(results, "sheetjs__wtf_path.xlsx")["sheets"]
    assert [(s["name"], s["state"]) for s in sheets] == [("SheetJS", "visible"), ("Hidden", "hidden")]
    flagged = sorted(ref for ref, cell in sheets[0]["cells"].items() if cell[4])
    assert flagged == ["C2", "D1", "E1"]


def test_date_1904_dates_equal_what_excel_shows(results):
    cells = _result(results, "calamine__date_1904.xlsx")["sheets"][0]["cells"]
    assert cells["A1"][1] == repr(datetime.datetime(2021, 1, 1))
    assert cells["A2"][1] == repr(datetime.datetime(2021, 1, 2))


def test_iso_date_cells(results):
    cells = _result(results, "sheetjs__xlsx-stream-d-date-cell.xlsx")["sheets"][0]["cells"]
    assert cells["B5"][1] == repr(datetime.datetime(2014, 2, 14, 8, 27, 48, 765000))
    assert cells["B8"][2] is True and cells["B9"][2] is True


def test_strict_ooxml_is_read_with_dates(results):
    result = _result(results, "xlrd__strict_date_1900.xlsx")
    assert result["format"] == "xlsx-strict"
    cells = result["sheets"][0]["cells"]
    assert _shape(result["sheets"][0]) == (19, 2, 38)
    assert cells["B1"][1] == repr(datetime.datetime(1899, 12, 30))
    assert cells["B6"][1] == repr(datetime.time(12, 0))
    assert cells["B19"][1] == repr(datetime.datetime(9999, 12, 31, 12, 0))
    simple = _result(results, "poi__SimpleStrict.xlsx")
    assert simple["format"] == "xlsx-strict"
    assert [s["name"] for s in simple["sheets"]] == ["Sheet1", "Sheet Number 2"]
    assert _sheet(simple, "Sheet1")["cells"]["A1"][1] == "'test'"


def test_ods_sheets_read_without_expanding_repeats(results):
    result = _result(results, "poi__SampleSS.ods")
    assert result["format"] == "ods"
    first = _sheet(result, "First Sheet")
    assert first["cells"]["B2"][1] == "'2nd row 2nd column'"
    assert _shape(first) == (4, 2, 4)


def test_google_docs_export_is_one_empty_sheet(results):
    sheets = _result(results, "xlrd__test_comments_gdocs.xlsx")["sheets"]
    assert [(s["name"], len(s["cells"])) for s in sheets] == [("Sheet1", 0)]


def test_non_conforming_packages_are_read(results):
    elin = _result(results, "xlrd__elin.xlsx")["sheets"][0]
    assert elin["cells"]["B1"][1].startswith("'Прайс")
    report = _result(results, "xlrd__self_evaluation_report_2014-05-19.xlsx")
    assert [s["name"] for s in report["sheets"]] == ["test1", "test2"]


def test_size_and_cell_limit_messages_name_the_problem(results):
    assert "MB uncompressed, limit 25 MB" in _result(results, "sheetjs__large_strings.xlsx")["message"]
    assert "'Sheet1'" in _result(results, "calamine__issue_594_dos.ods")["message"]
    assert "merged" in _result(results, "poi__57893-many-merges.xlsx")["message"]
    assert "password" in _result(results, "poi__protected_passtika.xlsx")["message"]
    assert "save as" in _result(results, "poi__xor-encryption-abc.xls")["message"].lower()
