"""Write the workbook templates people fill in, driven by the field declarations in kpi.fields."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importers import layout, versions
from importers.styling import WRAP, add_validation, protect, style_header, unlock
from kpi.catalogue import CURRENT_FRAMEWORK, Framework
from kpi.fields import (LIST_SHEETS, LIST_SHEETS_BY_CODE, RETURN_FIELDS, RETURN_KIND, TARGET_FIELDS, TARGETS_KIND,
                        Field)
from kpi.plans import plan_for_year
from kpi.progress import is_missing

_MAX_WIDTH = 70

_RETURN_INSTRUCTIONS = (
    "How to fill in this country return",
    "1. Go to the Return sheet and type each answer in the yellow 'value' column. Codes and labels are "
    "protected; country and year are filled in by the secretariat.",
    "2. Leave a cell blank (or type n/a) when the figure is not available: blank means 'not reported', "
    "which is not the same as 0. Type 0 when the answer is zero.",
    "3. Yes/no questions: choose yes or no from the drop-down list.",
    "4. Percentages: type 45 for 45 % (45% also works).",
    "5. Counts of agencies cannot exceed the number of agencies covered by the return (agencies_total).",
    "6. List every policy, ARC project and reform measure on its own row of the Policies, ARC projects and "
    "Reform measures sheets, and give the total in the Return sheet (b2_policies_count, d2_projects_count, "
    "e1_measures_count). Type 0 there when there are none. The totals must match the rows listed.",
    "7. Do not rename, hide or reorder the sheets and do not change the header rows or the cells A2:B3 "
    "of this sheet: the secretariat's software reads them.",
    "8. Save as Excel Workbook (.xlsx) or OpenDocument (.ods) and send the file to the ACCSM secretariat.",
)

_TARGETS_INSTRUCTIONS = (
    "How to fill in the targets workbook",
    "Each row of the Targets sheet sets the entered baseline and the target of one indicator for one scope: "
    "ASEAN, an AMS's ISO3 code, or AMS for every Member State without a row of its own.",
    "Loading this workbook updates only the rows it contains. A blank baseline or target in a row clears "
    "that figure, so delete the rows you do not want to change before loading.",
    "Leave baseline blank to use the value computed from the baseline-year returns.",
    "Percentages are typed as 45 for 45 %. Yes-count indicators (A.1, B.1, C.1, C.2, D.1, E.2) have a "
    "target for ASEAN only.",
    "Indicators:",
)


def write_return_template(path: Path | str, country: str, year: int, version: str | None = None) -> Path:
    """Write a blank country return for one AMS and year (in the newest layout, or a released `version`); return
    the path. Raises ValueError for an unknown AMS or version."""
    country = country.upper()
    if country not in layout.read_ams_codes():
        raise ValueError(f"{country} is not an AMS; use one of {', '.join(layout.read_ams_codes())}")
    refusal = layout.describe_membership_refusal(country, int(year))
    if refusal:
        raise ValueError(refusal)
    released = versions.find(RETURN_KIND, version) if version else versions.latest(RETURN_KIND)
    if released is None:
        raise ValueError(f"return version {version} was never released")
    identity = {"country": country, "year": int(year)}
    if "plan" in released.identity:
        identity["plan"] = plan_for_year(int(year)).code
    workbook = Workbook()
    write_instructions(workbook.active, RETURN_KIND, _RETURN_INSTRUCTIONS, identity, released.identity_rows,
                       released.version)
    _write_return_sheet(workbook.create_sheet(layout.RETURN_SHEET), country, int(year), released.fields)
    for list_sheet in LIST_SHEETS:
        _write_list_sheet(workbook.create_sheet(list_sheet.sheet), list_sheet.columns, layout.LIST_ROWS_PREPARED)
    return _save(workbook, path)


def write_targets_template(path: Path | str, framework: Framework = CURRENT_FRAMEWORK,
                           stored: pd.DataFrame | None = None, version: str | None = None) -> Path:
    """Write a targets workbook: a row per indicator for ASEAN and for every AMS, holding the stored figures.

    `stored` is `kpi.store.read_targets`; pre-filling it means a workbook downloaded, edited and loaded back
    changes only what was edited (a blank cell in a loaded row clears that figure).
    """
    workbook = Workbook()
    indicator_lines = tuple(f"{i.code} ({i.unit}): {i.wording}" for i in framework.indicators)
    released = versions.find(TARGETS_KIND, version) if version else versions.latest(TARGETS_KIND)
    if released is None:
        raise ValueError(f"targets version {version} was never released")
    if "plan" not in released.identity and framework.code != CURRENT_FRAMEWORK.code:
        raise ValueError(f"targets version {released.version} is for the {CURRENT_FRAMEWORK.code} plan only")
    identity = {"plan": framework.code} if "plan" in released.identity else {}
    write_instructions(workbook.active, TARGETS_KIND, _TARGETS_INSTRUCTIONS + indicator_lines, identity,
                       released.identity_rows, released.version)
    sheet = workbook.create_sheet(layout.TARGETS_SHEET)
    _write_list_sheet(sheet, _target_columns(framework), layout.TARGETS_ROWS_PREPARED)
    figures = {} if stored is None else {(r["indicator_code"], r["scope"]): r for r in stored.to_dict("records")}
    row = 2
    for indicator in framework.indicators:
        scopes = [layout.ASEAN_SCOPE] if indicator.is_yes_count else [layout.ASEAN_SCOPE, layout.AMS_SCOPE]
        scopes += sorted(s for (code, s) in figures if code == indicator.code and s not in scopes)
        for scope in scopes:
            sheet.cell(row, 1, indicator.code)
            sheet.cell(row, 2, scope)
            for col, figure in ((3, "baseline"), (4, "target"), (5, "note")):
                value = figures.get((indicator.code, scope), {}).get(figure)
                if not is_missing(value):
                    sheet.cell(row, col, value)
            row += 1
    return _save(workbook, path)


def fill_return(template_path: Path | str, out_path: Path | str, values: dict[str, object],
                items: dict[str, list[dict]] | None = None) -> Path:
    """Write values into the Return sheet by field code and list rows under their headers; return out_path.

    `items` is keyed by list code (policies) or sheet name (Policies). Raises KeyError for an unknown code.
    """
    workbook = load_workbook(template_path)
    sheet = workbook[layout.RETURN_SHEET]
    rows = {sheet.cell(r, layout.RETURN_CODE_COLUMN).value: r for r in range(2, sheet.max_row + 1)}
    for code, value in values.items():
        if code not in rows:
            raise KeyError(f"no field {code!r} in the Return sheet")
        sheet.cell(rows[code], layout.RETURN_VALUE_COLUMN, value)
    for key, list_rows in (items or {}).items():
        sheet_name = LIST_SHEETS_BY_CODE[key].sheet if key in LIST_SHEETS_BY_CODE else key
        write_rows(workbook[sheet_name], list_rows)
    return _save(workbook, out_path)


def fill_targets(template_path: Path | str, out_path: Path | str, rows: list[dict]) -> Path:
    """Replace the rows of a targets workbook with these (keys: the Targets header codes); return out_path."""
    workbook = load_workbook(template_path)
    sheet = workbook[layout.TARGETS_SHEET]
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in row:
            cell.value = None
    write_rows(sheet, rows)
    return _save(workbook, out_path)


def write_rows(sheet: Worksheet, rows: list[dict]) -> None:
    """Write item rows (keys: the header codes of row 1) from row 2 down; raise KeyError for an unknown code."""
    header = {sheet.cell(1, c).value: c for c in range(1, sheet.max_column + 1)}
    for offset, item in enumerate(rows):
        for code, value in item.items():
            if code not in header:
                raise KeyError(f"no column {code!r} in sheet {sheet.title!r}")
            sheet.cell(2 + offset, header[code], value)


def write_instructions(sheet: Worksheet, kind: str, lines: tuple[str, ...], identity: dict[str, object] | None = None,
                       identity_rows: dict[str, int] | None = None, version: str | None = None) -> None:
    """Write the Instructions sheet: kind and version in A2:B3, an identity block below (code in A, value in B,
    e.g. an evaluations file's country, year and project), then the lines for people. `version` defaults to the
    kind's newest released layout (importers.versions)."""
    identity, identity_rows = identity or {}, identity_rows or {}
    sheet.title = layout.INSTRUCTIONS_SHEET
    sheet.cell(1, 1, "ACCSM KPI framework: " + lines[0]).font = Font(bold=True, size=14)
    sheet.cell(*layout.KIND_LABEL_CELL, layout.KIND_CODE)
    sheet.cell(*layout.KIND_VALUE_CELL, kind)
    sheet.cell(*layout.VERSION_LABEL_CELL, layout.VERSION_CODE)
    sheet.cell(*layout.VERSION_VALUE_CELL, version or versions.latest(kind).version)
    for code, value in identity.items():
        sheet.cell(identity_rows[code], 1, code)
        sheet.cell(identity_rows[code], 2, value)
    first_line_row = max(identity_rows.values(), default=3) + 2
    for offset, line in enumerate(lines[1:]):
        sheet.cell(first_line_row + offset, 1, line).alignment = Alignment(wrap_text=False)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 60 if identity else 14
    sheet.protection.sheet = True


def _write_return_sheet(sheet: Worksheet, country: str, year: int, codes: tuple[str, ...]) -> None:
    for col, code in enumerate(layout.RETURN_HEADER, start=1):
        style_header(sheet.cell(1, col, code))
    prefilled = {"country": country, "year": year}
    asked = [field for field in RETURN_FIELDS if field.code in codes]  # the version's fields, in today's order
    for row, field in enumerate(asked, start=2):
        sheet.cell(row, layout.RETURN_CODE_COLUMN, field.code)
        sheet.cell(row, layout.RETURN_LABEL_COLUMN, field.label).alignment = WRAP
        sheet.cell(row, layout.RETURN_UNIT_COLUMN, _describe_unit(field))
        value = sheet.cell(row, layout.RETURN_VALUE_COLUMN, prefilled.get(field.code))
        # Country and year are what the return is for: they stay locked like the codes.
        if field.code not in prefilled:
            unlock(value, highlight=True)
            add_validation(sheet, field, value.coordinate)
    _fit_columns(sheet, {layout.RETURN_VALUE_COLUMN: 18})
    sheet.freeze_panes = "A2"
    protect(sheet)


def _write_list_sheet(sheet: Worksheet, columns: tuple[Field, ...], prepared_rows: int) -> None:
    for col, field in enumerate(columns, start=1):
        style_header(sheet.cell(1, col, field.code))
        letter = get_column_letter(col)
        cells = f"{letter}2:{letter}{prepared_rows + 1}"
        add_validation(sheet, field, cells)
        for row in range(2, prepared_rows + 2):
            cell = sheet.cell(row, col)
            unlock(cell)
            if field.type == "date":
                cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = 40 if field.type == "text" else max(16, len(field.code) + 4)
    sheet.freeze_panes = "A2"
    protect(sheet)
    sheet.protection.insertRows = False
    sheet.protection.deleteRows = False


def _target_columns(framework: Framework) -> tuple[Field, ...]:
    scopes = (layout.ASEAN_SCOPE, layout.AMS_SCOPE, *layout.read_ams_codes())
    by_code = {f.code: f for f in TARGET_FIELDS}
    # The drop-downs list the framework's codes; the fields stay declared once in kpi.fields.
    return tuple(
        replace(f, choices=framework.codes) if f.code == "indicator"
        else replace(f, choices=scopes) if f.code == "scope" else f
        for f in (by_code[c] for c in layout.TARGETS_HEADER)
    )


def _describe_unit(field: Field) -> str:
    if field.type == "yes_no":
        return "yes/no"
    return field.unit


def _fit_columns(sheet: Worksheet, minimum_widths: dict[int, int]) -> None:
    for col in range(1, sheet.max_column + 1):
        longest = max((len(str(c.value)) for c in next(sheet.iter_cols(col, col)) if c.value is not None), default=8)
        width = min(max(longest + 2, minimum_widths.get(col, 8)), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(col)].width = width


def _save(workbook: Workbook, path: Path | str) -> Path:
    path = Path(path)
    workbook.save(path)
    return path
