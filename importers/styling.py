"""The look of every template: header cells, the cells people type in, their input messages and checks, wrapped text
and sheet protection."""

from __future__ import annotations

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpi.fields import Field

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")  # yellow: the cells to fill in
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(horizontal="center")
COMMENT_AUTHOR = "ACCSM secretariat"


def style_header(cell, comment: str | None = None, comment_size: tuple[int, int] = (260, 60),
                 alignment: Alignment | None = None) -> None:
    """Make a header cell bold on blue; a comment says what the code means to the person hovering over it."""
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    if alignment is not None:
        cell.alignment = alignment
    if comment is not None:
        width, height = comment_size
        cell.comment = Comment(comment, COMMENT_AUTHOR, width=width, height=height)


def unlock(cell, highlight: bool = False) -> None:
    """Let people type in a cell of a protected sheet; `highlight` colours it as a cell to fill in."""
    cell.protection = UNLOCKED
    if highlight:
        cell.fill = INPUT_FILL


def protect(sheet: Worksheet) -> None:
    """Protect the sheet without a password, leaving columns and rows resizable."""
    # No password: protection guards against accidental edits of codes, not against the AMS.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def add_validation(sheet: Worksheet, field: Field, cells: str, prompt: str | None = None) -> None:
    """Give `cells` the field's input message (`prompt`, else what describe_field says) and Excel's own check of
    its choices or range; a blank always passes (blank is "not reported")."""
    validation = _make_validation(field)
    validation.promptTitle = field.code[:32]
    validation.prompt = (prompt or describe_field(field))[:255]
    validation.showInputMessage = True
    validation.allow_blank = True
    sheet.add_data_validation(validation)
    validation.add(cells)


def _make_validation(field: Field) -> DataValidation:
    if field.choices:
        return DataValidation(type="list", formula1='"' + ",".join(field.choices) + '"', showErrorMessage=True,
                              errorTitle="Choose from the list", error="Choose one of: " + ", ".join(field.choices))
    if field.type in ("integer", "year", "number", "percent") and (field.minimum is not None or field.maximum is not None):
        kind = "whole" if field.type in ("integer", "year") else "decimal"
        low = field.minimum if field.minimum is not None else -1e12
        high = field.maximum if field.maximum is not None else 1e12
        return DataValidation(type=kind, operator="between", formula1=_number(low), formula2=_number(high),
                              showErrorMessage=True, errorTitle="Out of range", error=_describe_range(field) + ".")
    return DataValidation(type=None)


def describe_field(field: Field) -> str:
    """Return the input message of a field: its label, how to type it, its range and what blank means."""
    parts = [field.label]
    if field.type == "yes_no":
        parts.append("Choose yes or no.")
    elif field.type == "percent":
        parts.append("Type 45 for 45 %.")
    elif field.type == "date":
        parts.append("A date, e.g. 2018-03-31.")
    if field.is_numeric and (field.minimum is not None or field.maximum is not None):
        parts.append(_describe_range(field) + ".")
    if field.at_most:
        parts.append(f"At most {field.at_most}.")
    if field.help:
        parts.append(field.help)
    if field.type not in ("iso3", "year") and not field.required:
        parts.append("Blank = not reported.")
    return " ".join(parts)


def _describe_range(field: Field) -> str:
    if field.minimum is not None and field.maximum is not None:
        return f"A number from {_number(field.minimum)} to {_number(field.maximum)}"
    if field.minimum is not None:
        return f"A {'whole ' if field.type == 'integer' else ''}number of at least {_number(field.minimum)}"
    return f"A number of at most {_number(field.maximum)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
