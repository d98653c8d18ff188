"""Validate a country return workbook into kpi.store.ReturnContent, collecting every failure at once."""

from __future__ import annotations


from sqlalchemy import Connection

from importers import layout, versions
from importers.cells import (Area, check_workbook, column_area, find_sheet, header_area, is_blank, parse_cell,
                             parse_row, plain_value, read_header, read_identity, read_rows, report_hidden_sheets,
                             report_merges)
from importers.report import Change, Validation
from importers.safe_read import Sheet, Workbook, cell_ref
from kpi import store
from kpi.catalogue import AGENCY_SHARE, CURRENT_FRAMEWORK, FRAMEWORKS, REPORTED_PCT, SHARE
from kpi.fields import (LIST_SHEETS, LIST_SHEETS_BY_CODE, RETURN_FIELDS, RETURN_FIELDS_BY_CODE, RETURN_KIND,
                        RETURN_PLAN_FIELDS, ListSheet)
from kpi.store import CellValue, ReturnContent, SubmissionInfo
from kpi.plans import in_plan, plan_for_year
from kpi.progress import is_missing

PERCENT_MOVE_WARNING_POINTS = 30
_DATA_SHEETS = (layout.RETURN_SHEET, *layout.LIST_SHEET_NAMES)
_KNOWN_SHEETS = (layout.INSTRUCTIONS_SHEET, *_DATA_SHEETS)


def validate_return(workbook: Workbook, connection: Connection) -> Validation:
    """Return the validated ReturnContent (as Validation.content when there are no errors) with every problem."""
    result = Validation()
    report_hidden_sheets(workbook, _DATA_SHEETS, result)
    for sheet in workbook.visible_sheets:
        if sheet.name not in _KNOWN_SHEETS:
            result.add_warning(sheet.name, None, "this sheet is not part of the template and was not read")
    released = versions.find(RETURN_KIND, versions.version_of(workbook)) or versions.latest(RETURN_KIND)
    return_sheet = find_sheet(workbook, layout.RETURN_SHEET, result)
    values, value_cells = _read_values(return_sheet, released.fields, result) if return_sheet else ({}, {})
    country = _check_country(values, value_cells, result)
    year = values["year"].value if "year" in values else None
    if "year" in value_cells and year is None and not _has_error_at(result, value_cells["year"]):
        result.add_error(layout.RETURN_SHEET, value_cells["year"], "year is missing: use the template made for "
                         "this return")
    _check_made_for(workbook, released, values, value_cells, result)
    _check_plan(workbook, released, year, result)
    if country and isinstance(year, int):
        refusal = layout.describe_membership_refusal(country, year)
        if refusal:
            result.add_error(layout.RETURN_SHEET, value_cells["country"], f"country is {country}: {refusal}")
    _check_bounds(values, result)
    _check_survey(values, value_cells, result)
    _warn_contradictions(values, result)
    items = {}
    for list_sheet in LIST_SHEETS:
        sheet = find_sheet(workbook, list_sheet.sheet, result)
        rows = _read_list(sheet, list_sheet, result) if sheet else None
        if rows is not None:
            items[list_sheet.code] = rows
            _check_declared_total(list_sheet, values, value_cells, rows, result)
    result.country, result.year = country, year
    if country and year:
        result.title = f"return {country} {year}"
        _warn_percent_moves(connection, country, year, values, result)
    check_workbook(workbook, _DATA_SHEETS, result, released.identity_rows.values())
    if not result.errors:
        reported = {code: cell for code, cell in values.items() if cell.value is not None}
        result.content = ReturnContent(country=country, year=year, values=reported, items=items)
    return result


def compare_return(connection: Connection, content: ReturnContent) -> list[Change]:
    """Return what storing this return would change against the current return for its AMS and year."""
    # Most files are the first return of their AMS and year: one lookup then stands for the four reads.
    stored = store.has_current_return(connection, content.country, content.year)
    old = {row.field_code: _stored_value(row)
           for row in store.read_values_of_return(connection, content.country, content.year)} if stored else {}
    changes = []
    for field in RETURN_FIELDS:
        new = content.values[field.code].value if field.code in content.values else None
        if plain_value(old.get(field.code)) != plain_value(new):
            changes.append(Change(field.code, plain_value(old.get(field.code)), plain_value(new)))
    for list_sheet in LIST_SHEETS:
        old_rows = _stored_items(connection, list_sheet, content.country, content.year) if stored else []
        new_rows = [_item_key(list_sheet, row) for row in content.items.get(list_sheet.code, [])]
        if old_rows != new_rows:
            changes.append(Change(f"{list_sheet.sheet} (rows)", len(old_rows), len(new_rows)))
    return changes


def store_validated_return(connection: Connection, content: ReturnContent, info: SubmissionInfo) -> int:
    """Store the return as the current one for its AMS and year; return the submission id."""
    return store.store_return(connection, content, info)


def canonicalise_return(content: ReturnContent) -> dict:
    """Return the content as plain data without cell positions: equal for the same return however re-saved."""
    return {
        "country": content.country,
        "year": content.year,
        "values": {code: plain_value(cell.value) for code, cell in sorted(content.values.items())},
        "items": {code: [_item_key(LIST_SHEETS_BY_CODE[code], row) for row in rows]
                  for code, rows in sorted(content.items.items())},
    }


# --- the Return sheet -------------------------------------------------------------------------

def _read_values(sheet: Sheet, asked: tuple[str, ...],
                 result: Validation) -> tuple[dict[str, CellValue], dict[str, str]]:
    """Return code -> parsed CellValue and code -> value cell reference for every field row found; `asked` are the
    field codes of the workbook's own version (a field it did not ask is not reported, never zero)."""
    code_col, value_col = _find_return_columns(sheet, result)
    if code_col is None:
        return {}, {}
    values: dict[str, CellValue] = {}
    value_cells: dict[str, str] = {}
    code_cells: dict[str, str] = {}
    for row in range(2, sheet.max_row + 1):
        code_cell, value_cell = sheet.cell(row, code_col), sheet.cell(row, value_col)
        ref = cell_ref(row, value_col)
        if is_blank(code_cell):
            if not is_blank(value_cell):
                result.add_error(sheet.name, ref, "a value in a row without a field code: "
                                 "type values only beside a code")
            continue
        code = str(code_cell.value).strip()
        field = RETURN_FIELDS_BY_CODE.get(code) if code in asked else None
        if field is None:
            result.add_error(sheet.name, cell_ref(row, code_col), f"unknown field code {code!r}: "
                             "do not change the codes; use a template made by the secretariat")
            continue
        if code in code_cells:
            result.add_error(sheet.name, cell_ref(row, code_col), f"field code {code} appears twice "
                             f"(also in {code_cells[code]}): keep one row per field")
            continue
        code_cells[code] = cell_ref(row, code_col)
        value_cells[code] = ref
        parsed = parse_cell(value_cell, field)
        if parsed.error:
            result.add_error(sheet.name, ref, parsed.error)
        if parsed.warning:
            result.add_warning(sheet.name, ref, parsed.warning)
        values[code] = CellValue(parsed.value, sheet.name, ref)
    for field in RETURN_FIELDS:
        if field.code in asked and field.code not in code_cells:
            result.add_error(sheet.name, None, f"the row for field {field.code} is missing: "
                             "use a template made by the secretariat")
    return values, value_cells


def _find_return_columns(sheet: Sheet, result: Validation) -> tuple[int | None, int | None]:
    header = {}
    for col in range(1, sheet.max_col + 1):
        cell = sheet.cell(1, col)
        if not is_blank(cell):
            header.setdefault(str(cell.value).strip().lower(), col)
    read: list[Area] = [header_area()]
    read += [column_area(code, header[code]) for code in ("code", "value") if code in header]
    report_merges(sheet, read, result)
    if "code" not in header or "value" not in header:
        result.add_error(sheet.name, "A1", f"the header row must be {' | '.join(layout.RETURN_HEADER)}: "
                         "use a template made by the secretariat")
        return None, None
    return header["code"], header["value"]


def _check_country(values: dict[str, CellValue], value_cells: dict[str, str], result: Validation) -> str | None:
    if "country" not in values:
        return None
    country = values["country"].value
    ref = value_cells["country"]
    if country is None:
        if not _has_error_at(result, ref):
            result.add_error(layout.RETURN_SHEET, ref, "country is missing: use the template made for this return")
        return None
    if country not in layout.read_ams_codes():
        result.add_error(layout.RETURN_SHEET, ref, f"country is {country}, not an AMS "
                         f"({', '.join(layout.read_ams_codes())}): use the template made for this return")
        return None
    return country


def _check_made_for(workbook: Workbook, released: versions.Layout, values: dict[str, CellValue],
                    value_cells: dict[str, str], result: Validation) -> None:
    """Record an error where the Return sheet's country or year is not the one the template was made for."""
    instructions = workbook.sheet(layout.INSTRUCTIONS_SHEET)
    for code, row in released.identity_rows.items():
        if code not in RETURN_FIELDS_BY_CODE:
            continue  # the plan row has no Return-sheet twin (_check_plan)
        label = instructions.cell(row, 1) if instructions else None
        if label is None or label.value != code or code not in values or values[code].value is None:
            continue  # a template without the block (made before it existed) is checked on its values only
        made_for = plain_value(parse_cell(instructions.cell(row, 2), RETURN_FIELDS_BY_CODE[code]).value)
        typed = plain_value(values[code].value)
        if made_for is not None and typed != made_for:
            result.add_error(layout.RETURN_SHEET, value_cells[code], f"{code} is {typed}, but this template was made "
                             f"for {made_for} ({layout.INSTRUCTIONS_SHEET}!{cell_ref(row, 2)}): use the template "
                             f"made for {typed}, or put {made_for} back")


def _check_plan(workbook: Workbook, released: versions.Layout, year: object, result: Validation) -> None:
    """Record an error where a return that names its work plan (version 2 on) names none, an unknown one, or one
    its year is no reporting year of; a version 1 return is read under the plan of its year."""
    if "plan" not in released.identity:
        return
    code = read_identity(workbook, RETURN_PLAN_FIELDS, result).get("plan")
    if code is None:
        return
    ref = cell_ref(released.identity_rows["plan"], 2)
    if code not in FRAMEWORKS:
        result.add_error(layout.INSTRUCTIONS_SHEET, ref, f"plan is {code!r}: use one of {', '.join(FRAMEWORKS)} "
                         "(or the template made for this return)")
    elif isinstance(year, int) and not in_plan(FRAMEWORKS[code], year):
        result.add_error(layout.INSTRUCTIONS_SHEET, ref, f"plan is {code}, but {year} is a reporting year of the "
                         f"{plan_for_year(year).code} plan: use the template made for this return, or put "
                         f"{plan_for_year(year).code} back")


def _has_error_at(result: Validation, ref: str) -> bool:
    return any(m.cell == ref for m in result.errors)


def _check_bounds(values: dict[str, CellValue], result: Validation) -> None:
    for field in RETURN_FIELDS:
        if not field.at_most:
            continue
        value, bound = _value(values, field.code), _value(values, field.at_most)
        if value is not None and bound is not None and value > bound:
            cell = values[field.code]
            result.add_error(cell.sheet, cell.cell, f"{field.code} is {value}, more than {field.at_most} ({bound})")


def _check_survey(values: dict[str, CellValue], value_cells: dict[str, str], result: Validation) -> None:
    if _value(values, "e3_satisfaction_pct") is not None and _value(values, "e3_survey") is None \
            and "e3_survey" in value_cells:
        result.add_error(layout.RETURN_SHEET, value_cells["e3_survey"],
                         "e3_survey is missing: name the third-party survey (and its year) behind "
                         "e3_satisfaction_pct")


def _warn_contradictions(values: dict[str, CellValue], result: Validation) -> None:
    """A 'no' beside a positive count of the same indicator family (A.1 and A.1.1, ...)."""
    for answer in RETURN_FIELDS:
        if answer.type != "yes_no":
            continue
        for count in RETURN_FIELDS:
            if count.feeds == f"{answer.feeds}.1" and count.type == "integer":
                number = _value(values, count.code)
                if _value(values, answer.code) == "no" and number:
                    cell = values[count.code]
                    result.add_warning(cell.sheet, cell.cell, f"{answer.code} is no but {count.code} is "
                                       f"{number}: check which answer is right")


def _warn_percent_moves(connection: Connection, country: str, year: int, values: dict[str, CellValue],
                        result: Validation) -> None:
    previous_year = store.read_latest_return_year(connection, country, year)
    if previous_year is None:
        return
    previous = {r.field_code: r.value_number
                for r in store.read_values_of_return(connection, country, previous_year)}
    for indicator in CURRENT_FRAMEWORK.indicators:
        if indicator.kind not in (AGENCY_SHARE, SHARE, REPORTED_PCT):
            continue
        new = _percent(indicator, lambda code: _value(values, code))
        old = _percent(indicator, lambda code: None if is_missing(previous.get(code)) else previous.get(code))
        if new is not None and old is not None and abs(new - old) > PERCENT_MOVE_WARNING_POINTS:
            cell = values[indicator.inputs[0]]
            result.add_warning(cell.sheet, cell.cell, f"{indicator.code} is {new:.1f} %, {new - old:+.1f} points "
                               f"against the {previous_year} return ({old:.1f} %): please check")


def _percent(indicator, read) -> float | None:
    if indicator.kind == REPORTED_PCT:
        return read(indicator.inputs[0])
    numerator, denominator = (read(code) for code in indicator.inputs)
    if numerator is None or not denominator:
        return None
    return 100 * numerator / denominator


def _value(values: dict[str, CellValue], code: str):
    return values[code].value if code in values else None


# --- the list sheets --------------------------------------------------------------------------

def _read_list(sheet: Sheet, list_sheet: ListSheet, result: Validation) -> list[dict] | None:
    """Return the items of a list sheet (with their sheet and row), or None when its header is wrong."""
    columns = read_header(sheet, list_sheet.columns, result)
    if columns is None:
        return None
    rows = []
    for row in read_rows(sheet, columns):
        item = {"sheet": sheet.name, "row": row.number}
        item.update(parse_row(sheet.name, row, list_sheet.columns, result,
                              required_message="{code} is required for every row that lists an item"))
        for field in list_sheet.columns:
            value, bound = item[field.code], item.get(field.at_most) if field.at_most else None
            if value is not None and bound is not None and value > bound:
                result.add_error(sheet.name, row.refs[field.code],
                                 f"{field.code} is {value}, more than {field.at_most} ({bound})")
        rows.append(item)
    return rows


def _check_declared_total(list_sheet: ListSheet, values: dict[str, CellValue], value_cells: dict[str, str],
                          rows: list[dict], result: Validation) -> None:
    """Apply the declared-totals table of indicators.md: only a total contradicting a non-empty list is an error."""
    declared = _value(values, list_sheet.declared_total)
    if declared is None or declared == len(rows):
        return
    ref = value_cells[list_sheet.declared_total]
    if not rows:
        result.add_warning(layout.RETURN_SHEET, ref, f"{list_sheet.declared_total} is {declared} but no detail "
                           f"is listed on the {list_sheet.sheet} sheet")
    else:
        result.add_error(layout.RETURN_SHEET, ref, f"{list_sheet.declared_total} is {declared} but the "
                         f"{list_sheet.sheet} sheet lists {len(rows)}: the return contradicts itself; "
                         "correct the total or the list")


# --- comparing with the store -----------------------------------------------------------------



def _stored_value(row):
    if not is_missing(row.value_text):
        return row.value_text
    return None if is_missing(row.value_number) else row.value_number


def _stored_items(connection: Connection, list_sheet: ListSheet, country: str, year: int) -> list[list]:
    rows = store.read_items_of_return(connection, list_sheet.code, country, year)
    return [_item_key(list_sheet, row) for row in rows]


def _item_key(list_sheet: ListSheet, row: dict) -> list:
    return [plain_value(row.get(c.code)) for c in list_sheet.columns]
