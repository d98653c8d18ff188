"""The work plan workbook: one row per programme of the plan, where the secretariat sets each status."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection

from importers import layout
from importers.cells import (check_workbook, find_sheet, parse_row, plain_value, read_header, read_identity,
                             read_rows, report_hidden_sheets)
from importers.report import Change, Validation
from importers.safe_read import Sheet, Workbook, cell_ref
from importers.styling import WRAP, add_validation, protect, style_header, unlock
from importers.templates import write_instructions
from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.config import DATA_DIR
from kpi.fields import (WORKPLAN_FIELDS, WORKPLAN_IDENTITY_FIELDS, WORKPLAN_PROGRAMME_FIELDS, WORKPLAN_STATUS_FIELDS,
                        WORKPLAN_KIND, WORKPLAN_STATUSES, Field)
from kpi.workplan import set_status

KIND = WORKPLAN_KIND
WORKPLAN_SHEET = "Work plan"
WORKPLAN_FILES = {"2016-2020": DATA_DIR / "workplan_2016_2020.csv"}  # plan code -> its programmes
IDENTITY_ROWS = {"plan": 4}

PROGRAMME_FIELDS, STATUS_FIELDS = WORKPLAN_PROGRAMME_FIELDS, WORKPLAN_STATUS_FIELDS  # declared in kpi.fields
_IDENTITY_FIELDS = WORKPLAN_IDENTITY_FIELDS
_INSTRUCTIONS = (
    "How to update the status of the work plan programmes",
    "1. The Work plan sheet has one row per programme. Only the yellow columns status and status_note are read; "
    "the programme columns are protected and shown for reference.",
    f"2. status: choose one of {', '.join(WORKPLAN_STATUSES)} from the drop-down list. status_note: what "
    "happened, when and why (optional).",
    "3. Loading this workbook updates only the programmes it contains. A blank status or note in a row clears "
    "it, so delete the rows you do not want to change before loading.",
    "4. Do not change the header row or the cells A2:B4 of this sheet: the secretariat's software reads them.",
)
_WIDTHS = {"no": 6, "plan": 10, "title": 50, "objectives": 40, "timeline": 22, "budget": 22, "partners": 22,
           "status": 14, "status_note": 50}


@dataclass(frozen=True)
class StatusRow:
    """One programme's status as loaded; None clears the status or the note."""

    no: int
    status: str | None
    status_note: str | None
    sheet: str
    row: int


@dataclass(frozen=True)
class WorkplanContent:
    """The validated status rows of a work plan workbook."""

    plan_code: str
    rows: list[StatusRow]


def read_programmes(plan_code: str = CURRENT_FRAMEWORK.code) -> list[dict]:
    """Return the programmes of a plan from the reference data, as dicts keyed by the CSV columns.

    Raises KeyError for a plan without reference data.
    """
    with WORKPLAN_FILES[plan_code].open(newline="", encoding="utf-8") as handle:
        return [{**row, "no": int(row["no"])} for row in csv.DictReader(handle)]


def write_workplan_template(path: Path | str, programmes: list[dict] | None = None,
                            plan_code: str = CURRENT_FRAMEWORK.code) -> Path:
    """Write the work plan workbook, one row per programme; return the path.

    `programmes` (e.g. kpi.store.read_workplan records, which carry the current status) defaults to the
    plan's reference data with no status.
    """
    programmes = read_programmes(plan_code) if programmes is None else programmes
    workbook = OpenpyxlWorkbook()
    write_instructions(workbook.active, KIND, _INSTRUCTIONS, {"plan": plan_code}, IDENTITY_ROWS)
    _write_workplan_sheet(workbook.create_sheet(WORKPLAN_SHEET), sorted(programmes, key=lambda p: int(p["no"])))
    path = Path(path)
    workbook.save(path)
    return path


def fill_workplan(template_path: Path | str, out_path: Path | str, statuses: dict[int, tuple]) -> Path:
    """Write {programme no: (status, status_note)} into a work plan workbook; return out_path.

    Raises KeyError for a programme the workbook does not list.
    """
    workbook = load_workbook(template_path)
    sheet = workbook[WORKPLAN_SHEET]
    header = {sheet.cell(1, c).value: c for c in range(1, sheet.max_column + 1)}
    rows = {sheet.cell(r, header["no"]).value: r for r in range(2, sheet.max_row + 1)}
    for no, (status, note) in statuses.items():
        if no not in rows:
            raise KeyError(f"no programme {no} in the Work plan sheet")
        sheet.cell(rows[no], header["status"], status)
        sheet.cell(rows[no], header["status_note"], note)
    workbook.save(out_path)
    return Path(out_path)


def validate_workplan(workbook: Workbook, connection: Connection) -> Validation:
    """Return the WorkplanContent (as Validation.content when there are no errors) with every problem."""
    result = Validation()
    report_hidden_sheets(workbook, (WORKPLAN_SHEET,), result)
    plan_code = read_identity(workbook, _IDENTITY_FIELDS, result).get("plan")
    stored = store.read_workplan(connection, plan_code) if plan_code else pd.DataFrame()
    if plan_code and stored.empty:
        result.add_error(layout.INSTRUCTIONS_SHEET, cell_ref(IDENTITY_ROWS["plan"], 2),
                         f"plan is {plan_code!r}, which has no programmes in the database: use a template made by "
                         "the secretariat")
        plan_code = None
    if plan_code:
        result.title = f"work plan {plan_code}"
    sheet = find_sheet(workbook, WORKPLAN_SHEET, result)
    header = read_header(sheet, WORKPLAN_FIELDS, result) if sheet else None
    rows = None
    if header is not None and plan_code is not None:
        titles = {int(r["no"]): r["title"] for r in stored.to_dict("records")}
        rows = _read_rows(sheet, header, titles, plan_code, result)
        if not rows and not result.errors:
            result.add_error(WORKPLAN_SHEET, None, "no programme is listed: keep a row per programme to update")
    check_workbook(workbook, (WORKPLAN_SHEET,), result, IDENTITY_ROWS.values())
    if rows and not result.errors:
        result.content = WorkplanContent(plan_code, rows)
    return result


def compare_workplan(connection: Connection, content: WorkplanContent) -> list[Change]:
    """Return every status and note these rows would change against the stored work plan."""
    stored = {int(r["no"]): r for r in store.read_workplan(connection, content.plan_code).to_dict("records")}
    changes = []
    for row in content.rows:
        for figure in ("status", "status_note"):
            was, now = plain_value(stored[row.no][figure]), getattr(row, figure)
            if was != now:
                changes.append(Change(f"programme {row.no} {figure}", was, now))
    return changes


def store_workplan(connection: Connection, content: WorkplanContent, info: store.SubmissionInfo) -> int:
    """Record the work plan file and set every row's status and note (blanks clear); return the submission id."""
    submission_id = store.record_submission(connection, info)
    for row in content.rows:
        set_status(connection, content.plan_code, row.no, row.status, row.status_note, info.user)
    return submission_id


def canonicalise_workplan(content: WorkplanContent) -> dict:
    """Return the content as plain data without cell positions."""
    return {"plan": content.plan_code,
            "rows": [[r.no, r.status, r.status_note] for r in sorted(content.rows, key=lambda r: r.no)]}


def _read_rows(sheet: Sheet, header: dict[str, int], titles: dict[int, str], plan_code: str,
               result: Validation) -> list[StatusRow]:
    fields = {f.code: f for f in WORKPLAN_FIELDS}
    rows: list[StatusRow] = []
    seen: dict[int, str] = {}
    for line in read_rows(sheet, header):
        row = line.number
        # Only the programme number and the two status columns are read; the others are there for people.
        parsed = parse_row(sheet.name, line, (fields[c] for c in ("no", "status", "status_note")), result,
                           warnings=False)
        no_ref = line.refs["no"]
        no = parsed["no"]
        if no is None:
            if not any(m.cell == no_ref for m in result.errors):
                result.add_error(sheet.name, no_ref, "no is blank: every row needs its programme number")
            continue
        if no not in titles:
            result.add_error(sheet.name, no_ref, f"programme {no} is not in work plan {plan_code} "
                             f"(programmes 1 to {max(titles)}): do not change the programme numbers")
            continue
        if no in seen:
            result.add_error(sheet.name, no_ref, f"programme {no} appears twice (also in {seen[no]}): keep one row "
                             "per programme")
            continue
        seen[no] = no_ref
        _warn_changed_title(sheet, row, header, no, titles[no], result)
        rows.append(StatusRow(no, parsed["status"], parsed["status_note"], sheet.name, row))
    return rows


def _warn_changed_title(sheet: Sheet, row: int, header: dict[str, int], no: int, title: str,
                        result: Validation) -> None:
    cell = sheet.cell(row, header["title"])
    typed = " ".join(str(cell.value).split()) if cell is not None and cell.value is not None else ""
    if typed and typed != " ".join(str(title).split()):
        result.add_warning(sheet.name, cell_ref(row, header["title"]), f"the title differs from programme {no}'s "
                           "title in the work plan; only status and status_note are read")


def _write_workplan_sheet(sheet: Worksheet, programmes: list[dict]) -> None:
    last_row = len(programmes) + 1
    for col, field in enumerate(WORKPLAN_FIELDS, start=1):
        style_header(sheet.cell(1, col, field.code), field.label, (260, 60))
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(field.code, 16)
    for row, programme in enumerate(programmes, start=2):
        for col, field in enumerate(WORKPLAN_FIELDS, start=1):
            value = plain_value(programme.get(field.code))
            cell = sheet.cell(row, col, value if value != "" else None)
            cell.alignment = WRAP
    for field in STATUS_FIELDS:
        col = WORKPLAN_FIELDS.index(field) + 1
        letter = get_column_letter(col)
        for row in range(2, last_row + 1):
            unlock(sheet.cell(row, col), highlight=True)
        add_validation(sheet, field, f"{letter}2:{letter}{last_row}", f"{field.label}. {field.help}".strip())
    sheet.freeze_panes = "D2"
    protect(sheet)
    # Deleting the rows not to change is how a partial update is made (see the instructions).
    sheet.protection.deleteRows = False
