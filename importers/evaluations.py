"""The evaluations workbook: one ARC project's participant ratings (Annex 1 items and the Annex 2 overall rating)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
from importers.styling import CENTRED, add_validation, protect, style_header, unlock
from importers.templates import write_instructions, write_rows
from kpi import store
from kpi.fields import (ANNEX1_ITEMS, EVALUATION_FIELDS, EVALUATION_IDENTITY_FIELDS, EVALUATIONS_KIND,
                        SATISFIED_MEAN_RATING, Field)
from kpi.indicators import normalise_title

KIND = EVALUATIONS_KIND
EVALUATIONS_SHEET = "Evaluations"
EVALUATIONS_ROWS_PREPARED = 300
# What the file is about, below the kind and version on the Instructions sheet: code in A, value in B.
IDENTITY_ROWS = {"country": 4, "year": 5, "project": 6}
_IDENTITY_FIELDS = EVALUATION_IDENTITY_FIELDS  # declared in kpi.fields
_RATING_SCALE = ("5 Excellent: your expectations have been consistently exceeded; "
                 "4 Highly Satisfactory: exceeded; 3 Satisfactory: met; 2 Fair: somewhat not met; "
                 "1 Poor: not met")
_INSTRUCTIONS = (
    "How to fill in the participant evaluations of an ARC project",
    "1. Country, year and project (cells B4:B6) are filled in by the secretariat. The project title must be the "
    "title listed on the ARC projects sheet of that country's return for that year.",
    "2. On the Evaluations sheet, type one row per participant who returned the forms: a participant number "
    "(no names), the 20 Annex 1 ratings (a1_01 to a1_20) and the Annex 2 overall rating (a2_overall).",
    "3. Ratings are whole numbers from 1 to 5. " + _RATING_SCALE + ".",
    "4. Leave a rating blank when the participant did not answer that item. Hover over a column code to read "
    "the item it stands for.",
    f"5. A participant counts as satisfied when the mean of their Annex 1 ratings is {SATISFIED_MEAN_RATING} or "
    "more. Loaded evaluations replace the project's evaluations/satisfied counts in the return (indicator D.1.1).",
    "6. Do not rename the sheets or change the header row or the cells A2:B6 of this sheet.",
)


@dataclass(frozen=True)
class EvaluationsContent:
    """One project's validated participant rows (each with its sheet and row) and what they are about."""

    country: str
    year: int
    project: str
    rows: list[dict]


def write_evaluations_template(path: Path | str, country: str, year: int, project: str) -> Path:
    """Write a blank evaluations workbook for one ARC project; return the path.

    Raises ValueError for an unknown AMS or an empty project title.
    """
    country = country.upper()
    if country not in layout.read_ams_codes():
        raise ValueError(f"{country} is not an AMS; use one of {', '.join(layout.read_ams_codes())}")
    if not str(project).strip():
        raise ValueError("the project title is empty: give it as listed on the ARC projects sheet of the return")
    workbook = OpenpyxlWorkbook()
    write_instructions(workbook.active, KIND, _INSTRUCTIONS,
                       {"country": country, "year": int(year), "project": " ".join(str(project).split())},
                       IDENTITY_ROWS)
    _write_evaluations_sheet(workbook.create_sheet(EVALUATIONS_SHEET))
    path = Path(path)
    workbook.save(path)
    return path


def fill_evaluations(template_path: Path | str, out_path: Path | str, rows: list[dict]) -> Path:
    """Write participant rows (keys: the header codes) under the Evaluations header; return out_path."""
    workbook = load_workbook(template_path)
    write_rows(workbook[EVALUATIONS_SHEET], rows)
    workbook.save(out_path)
    return Path(out_path)


def validate_evaluations(workbook: Workbook, connection: Connection) -> Validation:
    """Return the EvaluationsContent (as Validation.content when there are no errors) with every problem.

    A project that the current return of its AMS and year does not list is a warning, not an error: the
    evaluations may arrive before the return.
    """
    result = Validation()
    report_hidden_sheets(workbook, (EVALUATIONS_SHEET,), result)
    identity = read_identity(workbook, _IDENTITY_FIELDS, result)
    if "country" in identity and identity["country"] not in layout.read_ams_codes():
        result.add_error(layout.INSTRUCTIONS_SHEET, cell_ref(IDENTITY_ROWS["country"], 2),
                         f"{identity['country']} is not an AMS; use one of {', '.join(layout.read_ams_codes())}")
        identity.pop("country")
    if "project" in identity:
        identity["project"] = " ".join(str(identity["project"]).split())
    country, year, project = identity.get("country"), identity.get("year"), identity.get("project")
    if country and year and project:
        project = _resolve_project(connection, country, year, project, result)
        result.title = f"evaluations {country} {year} {project!r}"
    result.country, result.year, result.subject = country, year, project
    sheet = find_sheet(workbook, EVALUATIONS_SHEET, result)
    header = read_header(sheet, EVALUATION_FIELDS, result) if sheet else None
    rows = _read_rows(sheet, header, result) if header else None
    if rows == [] and not result.errors:
        result.add_error(EVALUATIONS_SHEET, None, "no participant is listed: type one row per participant "
                         "under the header row")
    check_workbook(workbook, (EVALUATIONS_SHEET,), result, IDENTITY_ROWS.values())
    if rows and not result.errors:
        result.content = EvaluationsContent(country, year, project, rows)
    return result


def compare_evaluations(connection: Connection, content: EvaluationsContent) -> list[Change]:
    """Return what storing these rows would change against the current evaluations of the same project."""
    project = normalise_title(content.project)
    stored = [r for r in store.read_evaluations_of(connection, content.country, content.year)
              if normalise_title(r["project_title"]) == project]
    old = sorted((_rating_key(r) for r in stored), key=repr)
    new = sorted((_rating_key(r) for r in content.rows), key=repr)
    return [] if old == new else [Change(f"{content.project} (participants)", len(old), len(new))]


def store_validated_evaluations(connection: Connection, content: EvaluationsContent,
                                info: store.SubmissionInfo) -> int:
    """Store the rows as the current evaluations of the project (superseding an earlier file); return the id."""
    return store.store_evaluations(connection, content.rows, info)


def canonicalise_evaluations(content: EvaluationsContent) -> dict:
    """Return the content as plain data without cell positions: equal for the same ratings however re-saved."""
    return {"country": content.country, "year": content.year, "project": content.project,
            "rows": sorted((_rating_key(r) for r in content.rows), key=repr)}


def _rating_key(row: dict) -> list:
    return [plain_value(row.get(f.code)) for f in EVALUATION_FIELDS]


def _resolve_project(connection: Connection, country: str, year: int, project: str, result: Validation) -> str:
    """Return the project's title as the return lists it (or as earlier evaluations stored it), else as typed.

    One spelling per project keeps a later file superseding the earlier one instead of adding to it.
    """
    key = normalise_title(project)
    projects = store.read_items_of_return(connection, "arc_projects", country, year)
    listed = [p["title"] for p in projects if normalise_title(p["title"]) == key]
    if listed:
        return listed[0]
    result.add_warning(layout.INSTRUCTIONS_SHEET, cell_ref(IDENTITY_ROWS["project"], 2),
                       f"the project {project!r} is not listed on the ARC projects sheet of the current "
                       f"{country} {year} return: its evaluations count for D.1.1 only once it is")
    earlier = store.read_submissions(connection, kind=KIND, country=country)
    earlier = [s for s in earlier.loc[(earlier["year"] == year) & (earlier["status"] == "current"), "subject"]
               if normalise_title(s) == key]
    return earlier[0] if earlier else project


def _read_rows(sheet: Sheet, header: dict[str, int], result: Validation) -> list[dict]:
    rows: list[dict] = []
    seen: dict[str, str] = {}
    for row in read_rows(sheet, header):
        record: dict = {"sheet": EVALUATIONS_SHEET, "row": row.number}
        record.update(parse_row(EVALUATIONS_SHEET, row, EVALUATION_FIELDS, result))
        participant_ref = row.refs["participant"]
        participant = record["participant"]
        if participant is None:
            result.add_error(EVALUATIONS_SHEET, participant_ref, "participant is blank: give each row a "
                             "participant number")
        elif participant in seen:
            result.add_error(EVALUATIONS_SHEET, participant_ref, f"participant {participant!r} is listed twice "
                             f"(also at {seen[participant]})")
        else:
            seen[participant] = participant_ref
        if all(record[item.code] is None for item in ANNEX1_ITEMS):
            result.add_warning(EVALUATIONS_SHEET, participant_ref, f"participant {participant!r} gave no Annex 1 "
                               "rating, so does not count as an evaluation for D.1.1")
        rows.append(record)
    return rows


def _write_evaluations_sheet(sheet: Worksheet) -> None:
    last_row = EVALUATIONS_ROWS_PREPARED + 1
    for col, field in enumerate(EVALUATION_FIELDS, start=1):
        # The code is what the importer reads; the comment and input message are what people read.
        style_header(sheet.cell(1, col, field.code), field.label, (300, 80), CENTRED)
        letter = get_column_letter(col)
        add_validation(sheet, field, f"{letter}2:{letter}{last_row}",
                       f"{field.label}. Rating 1 (Poor) to 5 (Excellent); blank = not answered."
                       if field.type == "integer" else field.label)
        for row in range(2, last_row + 1):
            unlock(sheet.cell(row, col))
        sheet.column_dimensions[letter].width = 14 if field.code == "participant" else 7.5
    sheet.column_dimensions[get_column_letter(len(EVALUATION_FIELDS))].width = 11
    sheet.freeze_panes = "B2"
    protect(sheet)
