"""The look of every template: header cells, the cells people type in, wrapped text and sheet protection."""

from __future__ import annotations

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.worksheet import Worksheet

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
