"""Take the cells of a worksheet saved plainly (as Excel, LibreOffice and openpyxl save it) straight from its bytes.

Plainly means: every row and cell numbered, each after the one before, every cell directly in its row, only the
usual attributes and children, no comments. The safe reader calls this only for a sheet that expat has found well
formed (so every "<" opens markup and every reference is one XML defines). Anything else (another attribute or
child, a prefix, whitespace between elements, another encoding, a position out of order) answers None, and the
sheet is parsed as XML: the cells are the same either way (tests/importers/test_plain_sheet.py).
"""

from __future__ import annotations

import re
from operator import lt

# Possessive quantifiers and atomic groups: a hostile run of spaces or attributes is matched once, never backtracked.
_ATTRIBUTES = rb'(?:\s++[A-Za-z_][\w.:-]*+="[^"<]*+")*+\s*+'
_FORMULA = rb"<f" + _ATTRIBUTES + rb"(?:/>|>[^<]*+</f>)"
_STYLE_AND_TYPE = rb'(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,9})")?'
_CHILDREN = (rb"(" + _FORMULA + rb")?"
             rb'(?:(<v>([^<]*+)</v>)|(<is><t(?: xml:space="preserve")?>([^<]*+)</t></is>))?</c>')
# Every cell, empty formatted ones (<c r="B30" s="7"/>, or <c ...></c> as openpyxl writes them) included, directly in
# its row (so none sits inside another's text) and numbered for that row (the backreference).
_ROW = (rb'(?><row r="(?P<row>[0-9]{1,7})"' + _ATTRIBUTES + rb'(?:/>|>(?><c r="[A-Z]{1,3}(?P=row)"'
        + _STYLE_AND_TYPE + rb"(?:/>|>" + _CHILDREN + rb"))*+</row>))")
_SHEET_DATA = re.compile(rb"(?:" + _ROW + rb")*+")
# The cells with a child, in saved order: the empty ones are skipped by the regular expression, not in Python.
_FILLED_CELLS = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _STYLE_AND_TYPE + rb">(?=<[fvi])" + _CHILDREN)
# Rows give ("", "", ""), below every cell; a cell its letters by length, so tuples compare as columns do.
_POSITIONS = re.compile(rb'<c r="(?:([A-Z]{3})|([A-Z]{2})|([A-Z]))[0-9]|<row r=')
_ROW_NUMBERS = re.compile(rb'<row r="([0-9]{1,7})"')
_BEYOND_LAST_COLUMN = re.compile(rb'<c r="(?:[Y-Z][A-Z]{2}|X[G-Z][A-Z]|XF[E-Z])[0-9]')  # after XFD
_EXCEL_MAX_ROWS = 1_048_576
_MERGE = re.compile(rb'<mergeCell ref="([^"<]*+)"\s*+/>')
_ANY_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ANY_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ANY_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell[\s/>]")
_DECLARED_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]++)|#x([0-9A-Fa-f]++));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

PlainCell = tuple[str, int, str | None, str, bool, str | None, str | None]
"""(column letters, row, style index or None, type, has a formula, <v> text or None, inline text or None)"""


def plain_cells(content: bytes) -> tuple[list[PlainCell], list[str]] | None:
    """Return (cells with content in saved order, merged ranges as saved) of a plainly saved sheet, else None."""
    declaration = 1 if content.startswith(b"<?xml", 3 if content.startswith(b"\xef\xbb\xbf") else 0) else 0
    if b"<!--" in content or b"<![CDATA[" in content or content.count(b"<?") > declaration:
        return None  # markup inside comments, CDATA or processing instructions is not markup
    start, end = content.find(b"<sheetData>"), content.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return None
    start += len(b"<sheetData>")
    declared = _DECLARED_ENCODING.match(content)
    if declared and declared.group(1).lower() != b"utf-8":
        return None
    if not _SHEET_DATA.fullmatch(content, start, end) or not _in_order(content, start, end):
        return None
    head, tail = content[:start], content[end:]
    if _ANY_CELL.search(head) or _ANY_CELL.search(tail) or _ANY_ROW.search(head) or _ANY_ROW.search(tail):
        return None
    merges = _MERGE.findall(tail)  # sheetData holds none: the grammar above has no place for one
    if _ANY_MERGE.search(head) or len(merges) != len(_ANY_MERGE.findall(tail)):
        return None  # a merge before the data, prefixed, or with another attribute
    cells = [(letters.decode("ascii"), int(digits), style.decode("ascii") or None, (kind or b"n").decode("ascii"),
              bool(formula), _text(value) if v_element else None, _text(inline) if is_element else None)
             for letters, digits, style, kind, formula, v_element, value, is_element, inline
             in _FILLED_CELLS.findall(content, start, end)]
    return cells, [_text(ref) for ref in merges]


def _in_order(content: bytes, start: int, end: int) -> bool:
    """Return whether rows and the cells of each row are saved in increasing order, each once, within Excel's grid.

    Checked over lists in C: with the rows below every cell, only the pair before each cell must increase.
    """
    rows = list(map(int, _ROW_NUMBERS.findall(content, start, end)))
    if rows and (rows[0] < 1 or rows[-1] > _EXCEL_MAX_ROWS or not all(map(lt, rows, rows[1:]))):
        return False
    positions = _POSITIONS.findall(content, start, end)
    cells = len(positions) - len(rows)
    return sum(map(lt, positions, positions[1:])) == cells and not _BEYOND_LAST_COLUMN.search(content, start, end)


def _text(raw: bytes) -> str:
    """Return character data as an XML parser gives it: line ends normalised first, then references resolved."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _REFERENCE.sub(_resolve, text)
    return text


def _resolve(match: re.Match) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    return chr(int(decimal) if decimal else int(hexadecimal, 16))
