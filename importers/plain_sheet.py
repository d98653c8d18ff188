"""Take the cells of a worksheet saved plainly (as Excel, LibreOffice and openpyxl save it) straight from its bytes.

The safe reader calls this only for a sheet that expat has found well formed (so every reference in it is one XML
defines), whose positions it has checked to be in the strict order and whose empty cells it has dropped. Anything this
grammar does not know (another attribute, another child, a prefix, whitespace between elements, another encoding)
answers None, and the sheet is parsed as XML: the cells are the same either way (tests/importers/test_plain_sheet.py).
"""

from __future__ import annotations

import re

# Possessive quantifiers and atomic groups: a hostile run of spaces or attributes is matched once, never backtracked.
_ATTRIBUTES = rb'(?:\s++[A-Za-z_][\w.:-]*+="[^"<]*+")*+\s*+'
_FORMULA = rb"<f" + _ATTRIBUTES + rb"(?:/>|>[^<]*+</f>)"
_CELL = (rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,9})")?>'
         rb"(" + _FORMULA + rb")?"
         rb'(?:(<v>([^<]*+)</v>)|(<is><t(?: xml:space="preserve")?>([^<]*+)</t></is>))?</c>')
_ROW = rb'(?><row r="[0-9]{1,7}"' + _ATTRIBUTES + rb"(?:/>|>(?>" + _CELL + rb")*+</row>))"
_SHEET_DATA = re.compile(rb"(?:" + _ROW + rb")*+")
_CELLS = re.compile(_CELL)
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
    """Return (cells in saved order, merged ranges as saved) of a plainly saved sheet, or None for any other sheet."""
    start, end = content.find(b"<sheetData>"), content.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return None
    start += len(b"<sheetData>")
    declared = _DECLARED_ENCODING.match(content)
    if declared and declared.group(1).lower() != b"utf-8":
        return None
    if not _SHEET_DATA.fullmatch(content, start, end):
        return None
    head, tail = content[:start], content[end:]
    if _ANY_CELL.search(head) or _ANY_CELL.search(tail) or _ANY_ROW.search(head) or _ANY_ROW.search(tail):
        return None
    merges = _MERGE.findall(tail)
    if len(merges) != len(_ANY_MERGE.findall(content)):
        return None  # a merge inside sheetData or before it, prefixed, or with another attribute
    cells = [(letters.decode("ascii"), int(digits), style.decode("ascii") or None, (kind or b"n").decode("ascii"),
              bool(formula), _text(value) if v_element else None, _text(inline) if is_element else None)
             for letters, digits, style, kind, formula, v_element, value, is_element, inline
             in _CELLS.findall(content, start, end)]
    return cells, [_text(ref) for ref in merges]


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
