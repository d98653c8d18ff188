"""Parse spreadsheet cells for declared fields, and find the sheets and header rows that hold them."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Iterable, Iterator, NamedTuple

import pandas as pd

from importers import layout
from importers.layout import NOT_REPORTED_TEXTS
from importers.report import Message, Validation
from importers.safe_read import Cell, Sheet, Workbook, cell_ref, column_letter
from kpi.fields import Field
from kpi.progress import is_missing

RESAVE_ADVICE = "open the file in Excel or LibreOffice, save it, and upload again"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_YES = ("yes", "y", "true")
_NO = ("no", "n", "false")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class Parsed(NamedTuple):
    """What a cell means for a field: a value (None = not reported), or an error; maybe a warning."""

    value: object
    error: str | None = None
    warning: str | None = None


def parse_cell(cell: Cell | None, field: Field) -> Parsed:
    """Return the cell's meaning for the field; never raises for any cell content."""
    if cell is None:
        return Parsed(None)
    if cell.problem:
        return Parsed(None, f"{field.code} {cell.problem}")
    if cell.error:
        return Parsed(None, f"{field.code} holds the error {cell.error}: correct the formula or type the value")
    if cell.formula_without_value:
        return Parsed(None, f"{field.code}: formula has no calculated value: {RESAVE_ADVICE}")
    value = cell.value
    if isinstance(value, str):
        value = _SPACES.sub(" ", value).strip()
        if value.lower() in NOT_REPORTED_TEXTS:
            return Parsed(None)
    if value is None:
        return Parsed(None)
    if isinstance(value, str) and field.max_length is not None and len(value) > field.max_length:
        return Parsed(None, f"{field.code} is {len(value):,} characters long ({_show(value)}), more than the "
                            f"{field.max_length:,} it may have; shorten it and upload again")
    parse = _PARSERS.get(field.type, _parse_text)
    try:
        return parse(value, field, cell.is_percent)
    except (ValueError, OverflowError, TypeError) as exc:  # odd content must become a message, not a traceback
        return Parsed(None, f"{field.code}: cannot read {_show(value)} ({exc})")


def _parse_text(value, field: Field, _is_percent: bool) -> Parsed:
    return Parsed(_as_text(value))


def _parse_email(value, field: Field, _is_percent: bool) -> Parsed:
    text = _as_text(value)
    if not _EMAIL.match(text):
        return Parsed(None, f"{field.code} is {_show(value)}, which is not an e-mail address (name@example.org)")
    return Parsed(text)


def _parse_code(value, field: Field, _is_percent: bool) -> Parsed:
    return Parsed(_as_text(value).upper())


def _parse_iso3(value, field: Field, _is_percent: bool) -> Parsed:
    text = _as_text(value).upper()
    if not re.fullmatch(r"[A-Z]{3}", text):
        return Parsed(None, f"{field.code} is {_show(value)}, not a three-letter ISO code such as BRN")
    return Parsed(text)


def _parse_yes_no(value, field: Field, _is_percent: bool) -> Parsed:
    if isinstance(value, bool):
        return Parsed("yes" if value else "no")
    text = _as_text(value).lower()
    if text in _YES:
        return Parsed("yes")
    if text in _NO:
        return Parsed("no")
    return Parsed(None, f"{field.code} is {_show(value)}: answer yes or no (or leave blank if not reported)")


def _parse_choice(value, field: Field, _is_percent: bool) -> Parsed:
    text = _as_text(value).lower()
    for choice in field.choices:
        if text == choice.lower():
            return Parsed(choice)
    return Parsed(None, f"{field.code} is {_show(value)}: choose one of {', '.join(field.choices)}")


def _parse_date(value, field: Field, _is_percent: bool) -> Parsed:
    if isinstance(value, dt.datetime):
        return Parsed(value.date())
    if isinstance(value, dt.date):
        return Parsed(value)
    if isinstance(value, str):
        try:
            return Parsed(dt.datetime.fromisoformat(value).date())
        except ValueError:
            pass
    return Parsed(None, f"{field.code} is {_show(value)}, not a date: type it as a date or as YYYY-MM-DD")


def _parse_number(value, field: Field, is_percent: bool) -> Parsed:
    number, from_percent_text = _read_number(value)
    if number is None:
        return Parsed(None, f"{field.code} is {_show(value)}, not a number")
    warning = None
    if field.type == "percent":
        if is_percent and not from_percent_text:
            number = _tidy(number * 100)
        elif 0 < number < 1 and not from_percent_text:
            warning = (f"{field.code} is {_show(number)}, read as {_show(number)} %: "
                       f"if {_show(_tidy(number * 100))} % was meant, type {_show(_tidy(number * 100))}")
    elif from_percent_text:
        return Parsed(None, f"{field.code} is {_show(value)}: type a number without %")
    if field.type in ("integer", "year"):
        if number != int(number):
            return Parsed(None, f"{field.code} is {_show(number)}: it must be a whole number")
        number = int(number)
    error = _check_range(number, field)
    return Parsed(None, error) if error else Parsed(_tidy(number), None, warning)


def _read_number(value) -> tuple[float | int | None, bool]:
    """Return (number, written as text with a % sign) or (None, False) when it is not a number."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        return (value if math.isfinite(value) else None), False
    if not isinstance(value, str):
        return None, False
    text = value.replace(" ", "")
    from_percent_text = text.endswith("%")
    text = text.removesuffix("%")
    if _GROUPED_NUMBER.match(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.match(text):
        return None, False
    number = float(text)
    return (number if math.isfinite(number) else None), from_percent_text


def _check_range(number: float, field: Field) -> str | None:
    if field.minimum is not None and number < field.minimum:
        return f"{field.code} is {_show(number)}, less than the minimum {_show(field.minimum)}"
    if field.maximum is not None and number > field.maximum:
        return f"{field.code} is {_show(number)}, more than the maximum {_show(field.maximum)}"
    return None


def _tidy(number: float | int) -> float | int:
    """Drop binary noise (0.45 * 100 = 45.00000000000001) and give whole numbers as int."""
    if isinstance(number, int):
        return number
    number = round(number, 9)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _show(value) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, float):
        return f"{_tidy(value):.12g}" if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def report_hidden_sheets(workbook: Workbook, data_sheets: tuple[str, ...], result: Validation) -> None:
    """Record hidden sheets: an error when it is one that holds data (it is never read), else a warning."""
    for sheet in workbook.sheets:
        if sheet.state == "visible":
            continue
        if sheet.name in data_sheets:
            result.add_error(sheet.name, None, "the sheet is hidden, so it was not read: unhide it "
                             "(right-click a sheet tab > Unhide) and upload again")
        else:
            result.add_warning(sheet.name, None, "hidden sheet ignored: its content was not read")


def find_sheet(workbook: Workbook, name: str, result: Validation) -> Sheet | None:
    """Return the visible sheet with this name, or None after recording why it cannot be read."""
    sheet = workbook.sheet(name)
    if sheet is None:
        result.add_error(name, None, f"the sheet {name!r} is missing: use a template made by the secretariat")
        return None
    return sheet if sheet.state == "visible" else None


def read_header(sheet: Sheet, columns: tuple[Field, ...], result: Validation) -> dict[str, int] | None:
    """Return code -> column from row 1 of a list sheet, or None after recording every header problem.

    A merged range over the header row or over a column found in it is an error too (see report_merges).
    """
    found: dict[str, int] = {}
    expected = [c.code for c in columns]
    ok = True
    for col in range(1, sheet.max_col + 1):
        cell = sheet.cell(1, col)
        if cell is None or cell.value is None or str(cell.value).strip() == "":
            continue
        code = str(cell.value).strip()
        if code not in expected:
            result.add_error(sheet.name, cell_ref(1, col), f"unknown column {code!r}: the header row must be "
                             f"{' | '.join(expected)}")
            ok = False
        elif code in found:
            result.add_error(sheet.name, cell_ref(1, col), f"column {code!r} appears twice in the header row")
            ok = False
        else:
            found[code] = col
    report_merges(sheet, (header_area(), *(column_area(code, col) for code, col in found.items())), result)
    for position, code in enumerate(expected, start=1):
        if code not in found:
            result.add_error(sheet.name, cell_ref(1, position), f"column {code!r} is missing from the header row")
            ok = False
    return found if ok else None


class Row(NamedTuple):
    """One row under a header: its number, and code -> cell and code -> reference (A12) for messages."""

    number: int
    cells: dict[str, Cell | None]
    refs: dict[str, str]


def read_rows(sheet: Sheet, columns: dict[str, int]) -> Iterator[Row]:
    """Yield every row below the header row (row 1) with something in one of `columns` (code -> column, as
    read_header returns it); blank rows are skipped, so a gap between rows is not an error."""
    for number in range(2, sheet.max_row + 1):
        cells = {code: sheet.cell(number, col) for code, col in columns.items()}
        if all(is_blank(c) for c in cells.values()):
            continue
        yield Row(number, cells, {code: cell_ref(number, col) for code, col in columns.items()})


def parse_row(sheet_name: str, row: Row, fields: Iterable[Field], result: Validation, *,
              required_message: str | None = None, warnings: bool = True) -> dict[str, object]:
    """Return code -> parsed value of the row's cells for these fields, recording each cell's error (and warning,
    unless `warnings` is False) at its reference; a required field left blank is an error when `required_message`
    (formatted with the field's code) says what to do."""
    values = {}
    for field in fields:
        ref = row.refs[field.code]
        parsed = parse_cell(row.cells[field.code], field)
        if parsed.error:
            result.add_error(sheet_name, ref, parsed.error)
        elif parsed.value is None and field.required and required_message:
            result.add_error(sheet_name, ref, required_message.format(code=field.code))
        if parsed.warning and warnings:
            result.add_warning(sheet_name, ref, parsed.warning)
        values[field.code] = parsed.value
    return values


def is_blank(cell: Cell | None) -> bool:
    """Return True for an empty cell or one holding only spaces (not for n/a, which was typed on purpose)."""
    if cell is not None and cell.problem:
        return False
    return cell is None or (cell.value is None and not cell.error and not cell.formula_without_value) or (
        isinstance(cell.value, str) and cell.value.strip() == "")


_PARSERS = {
    "text": _parse_text,
    "email": _parse_email,
    "iso3": _parse_iso3,
    "scope": _parse_code,
    "indicator": _parse_code,
    "yes_no": _parse_yes_no,
    "choice": _parse_choice,
    "date": _parse_date,
    "integer": _parse_number,
    "number": _parse_number,
    "percent": _parse_number,
    "year": _parse_number,
}


def plain_value(value):
    """Return one plain form for a value from a cell or from the store: 640.0 -> 640, dates -> ISO text, NaN -> None."""
    if is_missing(value):
        return None
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):  # numpy scalars from the store's frames
        return plain_value(value.item())
    return value


def read_identity(workbook: Workbook, fields: dict[str, Field], result: Validation) -> dict[str, object]:
    """Return code -> parsed value of the identity block of the Instructions sheet, recording what is wrong."""
    sheet = workbook.sheet(layout.INSTRUCTIONS_SHEET)
    found: dict[str, object] = {}
    if sheet is None:
        result.add_error(layout.INSTRUCTIONS_SHEET, None, "the Instructions sheet is missing: use a template "
                         "made by the secretariat")
        return found
    rows = {str(sheet.cell(r, 1).value).strip(): r for r in range(1, sheet.max_row + 1)
            if sheet.cell(r, 1) is not None and sheet.cell(r, 1).value is not None}
    for code, field in fields.items():
        if code not in rows:
            result.add_error(layout.INSTRUCTIONS_SHEET, None, f"the cell naming {code!r} is missing from column A: "
                             "use a template made by the secretariat")
            continue
        ref = cell_ref(rows[code], 2)
        parsed = parse_cell(sheet.cell(rows[code], 2), field)
        if parsed.error:
            result.add_error(layout.INSTRUCTIONS_SHEET, ref, parsed.error)
        elif parsed.value is None:
            result.add_error(layout.INSTRUCTIONS_SHEET, ref, f"{code} is blank: {field.label}")
        else:
            found[code] = parsed.value
    return found


# --- ambiguous workbooks ----------------------------------------------------------------------

class Area(NamedTuple):
    """Cells a validator reads, for people: rows and columns 1-based and inclusive, None = to the sheet's end."""

    label: str
    first_row: int
    first_col: int
    last_row: int | None = None
    last_col: int | None = None


def header_area() -> Area:
    """Return the header row of a sheet, every column of it."""
    return Area("the header row", 1, 1, 1, None)


def column_area(code: str, col: int) -> Area:
    """Return the cells below the header of the column headed `code`."""
    return Area(f"the {code} column ({column_letter(col)})", 2, col, None, col)


_RANGE = re.compile(r"^([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)$")


def report_merges(sheet: Sheet, areas: Iterable[Area], result: Validation) -> None:
    """Record an error for every merged range touching cells the validator reads.

    A merged cell keeps only its top-left cell's content and shows it across the range, so the value a person
    sees over a code or value cell is not what that cell holds; such a file says two things at once.
    """
    areas = tuple(areas)
    for ref in sheet.merged_ranges:
        match = _RANGE.match(ref)
        if not match:
            continue
        first_row, first_col = int(match[2]), _column(match[1])
        last_row, last_col = int(match[4]), _column(match[3])
        if (first_row, first_col) == (last_row, last_col):
            continue  # a single cell "merged" with itself hides nothing
        touched = [a.label for a in areas
                   if first_row <= (a.last_row or math.inf) and last_row >= a.first_row
                   and first_col <= (a.last_col or math.inf) and last_col >= a.first_col]
        if touched:
            top_left = cell_ref(first_row, first_col)
            result.add_error(sheet.name, ref, f"cells {ref} are merged over {_and(touched)}, which hides what "
                             f"each cell holds: a merged cell keeps only {top_left}'s content and the other cells "
                             "read as blank; unmerge them (Home > Merge & Center > Unmerge Cells), put each value "
                             "in its own cell and upload again")


def check_workbook(workbook: Workbook, read_sheets: Iterable[str], result: Validation,
                   identity_rows: Iterable[int] = ()) -> None:
    """Record what makes a workbook ambiguous; every validator calls it once, after reading its sheets.

    - sheets whose names differ only in case or spaces (Excel treats "Return" and "RETURN" as one name);
    - in the Instructions sheet and the sheets read: cells and rows the reader flagged (saved twice or out of
      order, a number that is not finite, text longer than a cell can hold), each reported once at its place
      in place of anything else said about that cell (what else was said follows from the flagged content);
    - merged ranges over the Instructions cells that say what the workbook is (A2:B3 and the identity rows).
    """
    _report_sheets_named_alike(workbook, result)
    names = {layout.INSTRUCTIONS_SHEET, *read_sheets}
    instructions_end = max((3, *identity_rows))
    for sheet in workbook.sheets:
        if sheet.name == layout.INSTRUCTIONS_SHEET:
            report_merges(sheet, (Area(f"the cells A2:B{instructions_end} that say what the workbook is", 2, 1,
                                       instructions_end, 2),), result)
        if sheet.name in names:
            _report_reading_problems(sheet, result)


def _report_sheets_named_alike(workbook: Workbook, result: Validation) -> None:
    groups: dict[str, list[str]] = {}
    for sheet in workbook.sheets:
        groups.setdefault(" ".join(sheet.name.split()).casefold(), []).append(sheet.name)
    for names in groups.values():
        if len(names) > 1:
            result.add_error(names[0], None, f"the workbook has {len(names)} sheets named alike "
                             f"({_and([repr(n) for n in names])}), so which one to read is ambiguous: delete or "
                             "rename all but one (right-click the sheet tab > Delete or Rename) and upload again")


MAX_AMBIGUOUS_SHOWN = 30  # per sheet; a generated file can flag thousands of cells, which nobody reads one by one


def _report_reading_problems(sheet: Sheet, result: Validation) -> None:
    flagged = sheet.problems
    if not flagged:
        return
    # A validator's own message about a flagged cell is kept when it already says the reader's problem (it names
    # the field); anything else said about that cell only follows from the flagged content and is dropped.
    said: dict[str, Message] = {}
    others: list[Message] = []
    for message in result.errors:
        if message.sheet == sheet.name and message.cell in flagged:
            cell = _cell_at(sheet, message.cell)
            if cell is not None and cell.problem and cell.problem in message.text:
                said.setdefault(message.cell, message)
        else:
            others.append(message)
    result.errors[:] = others
    result.warnings[:] = [m for m in result.warnings if not (m.sheet == sheet.name and m.cell in flagged)]
    for count, (ref, sentence) in enumerate(flagged.items()):
        if count == MAX_AMBIGUOUS_SHOWN:
            result.add_error(sheet.name, None, f"{len(flagged) - count:,} more cells or rows of this sheet are "
                             "ambiguous in the same ways; the file looks machine-made or damaged: open it in Excel "
                             "or LibreOffice, check the sheet, save it and upload again")
            break
        result.errors.append(said.get(ref) or Message(sheet.name, ref, sentence))


def _cell_at(sheet: Sheet, ref: str) -> Cell | None:
    match = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    return sheet.cell(int(match[2]), _column(match[1])) if match else None


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
