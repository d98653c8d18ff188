"""Tables as CSV and Excel for officials, with formula-injection escaping: the KPI table and every stored return."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Connection

from kpi import store
from kpi.catalogue import Framework
from kpi.charts import DEMO_MARKER, describe_provisional, provisional_marker
from kpi.engine import REPORT_COLUMNS
from kpi.fields import (EXPORT_KIND, IDENTITY_SHEET, KIND_CODE, LIST_SHEETS, LIST_SHEETS_BY_CODE,
                        RETURN_FIELDS_BY_CODE, VERSION_CODE)
from kpi.progress import is_missing

# OWASP CSV injection: a cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (Lao, Khmer, Vietnamese names) correctly
MAX_COLUMN_WIDTH = 60
EXCEL_SHEET_NAME_LENGTH = 31

RETURN_VALUE_COLUMNS = ["country", "country name", "year", "submission_id", "status", "demo", "submitted_at",
                        "file_name", "field", "label", "value", "unit", "cell"]
LIST_PREFIX_COLUMNS = ["country", "country name", "year", "submission_id", "status", "demo"]

DEMO_SUFFIX = "-DEMO"  # in the file name of every export made while demo data is stored
NOTE_COLUMN = "note"  # the first column of a table exported from demo data: DEMO_MARKER on every row
DEMO_EXPLANATION = (f"{DEMO_MARKER}: this export was made while the fictional demo returns were stored. "
                    "Its figures are not official; remove the demo data before reporting.")
# Columns that hold an ISO3 code (or the ASEAN / every-AMS scope): each gets a name column beside it.
CODE_COLUMNS = ("country", "scope", "iso3", "AMS")
SCOPE_NAMES = {"ASEAN": "ASEAN (region)", "AMS": "every AMS"}
# Columns that hold a figure in the indicator's unit, and the headers of figures with a fixed meaning.
FIGURE_COLUMNS = ("value", "baseline", "target", "expected", "projected", "change")
FIXED_HEADERS = {"progress": "progress (share of the distance to the target, 1 = reached)",
                 "progress_pct": "progress (%)", "pace": "pace (1 = on the straight path)",
                 "coverage": "coverage (AMS with a value)"}


def escape_formula(text: str) -> str:
    """Return text that no spreadsheet evaluates: a leading formula character gets a `'` in front (OWASP)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


PROVISIONAL_SUFFIX = "-PROVISIONAL"  # in the file name of every export of a provisional framework


def export_file_name(stem: str, extension: str, demo: bool = False, framework: Framework | None = None) -> str:
    """Return the file name of an export: `stem.extension`, with PROVISIONAL_SUFFIX for a provisional framework and
    DEMO_SUFFIX for demo data before the dot."""
    return f"{export_stem(stem, demo, framework)}.{extension}"


def export_stem(stem: str, demo: bool = False, framework: Framework | None = None) -> str:
    """Return the file name of an export without its extension (see export_file_name)."""
    provisional = framework is not None and framework.is_provisional
    return f"{stem}{PROVISIONAL_SUFFIX if provisional else ''}{DEMO_SUFFIX if demo else ''}"


def provisional_explanation(framework: Framework) -> str:
    """Return what an export of a provisional framework says about it ("" for an adopted framework)."""
    marker = provisional_marker(framework)
    if not marker:
        return ""
    return f"{marker}: {describe_provisional(framework)}"


def mark_table(df: pd.DataFrame, demo: bool = False, framework: Framework | None = None) -> pd.DataFrame:
    """Return the table with a first column `note` saying, on every row, DEMO_MARKER (demo data) and the
    provisional marker (a provisional framework); the table as it is when neither applies."""
    notes = [n for n in (DEMO_MARKER if demo else "", provisional_marker(framework) if framework else "") if n]
    if not notes:
        return df.copy()
    frame = df.copy()
    if not len(frame):
        frame = pd.DataFrame([{c: None for c in frame.columns}], columns=frame.columns)
    frame.insert(0, NOTE_COLUMN if NOTE_COLUMN not in frame.columns else f"{NOTE_COLUMN} (export)", " · ".join(notes))
    return frame


def mark_demo_table(df: pd.DataFrame) -> pd.DataFrame:
    """Return the table with a first column `note` holding DEMO_MARKER on every row (one row if it has none).

    A column rather than a line above the header: a CSV reader or a spreadsheet filter keeps reading the header
    as the header, and every row copied elsewhere still says it is fictional.
    """
    return mark_table(df, demo=True)


def label_columns(df: pd.DataFrame, names: dict[str, str] | None = None,
                  units: dict[str, str] | None = None) -> pd.DataFrame:
    """Return the table for a reader: a name column beside each ISO3 code column, the unit in the figure headers.

    `names` maps ISO3 codes to names (ASEAN and the every-AMS scope are named too); `units` maps indicator codes
    to units, for a table with an `indicator` or `code` column but no `unit` one. Where the table holds one unit
    the figure columns are headed "value (%)", "target (policies)"; where it mixes units they are headed
    "value (see unit)" and the `unit` column says it per row.
    """
    frame = df.copy()
    for column in [c for c in frame.columns if c in CODE_COLUMNS]:
        name_column = f"{column} name"
        if name_column in frame.columns or not frame[column].map(lambda v: isinstance(v, str)).any():
            continue
        frame.insert(frame.columns.get_loc(column) + 1, name_column,
                     [(names or {}).get(v, SCOPE_NAMES.get(v, "")) if isinstance(v, str) else None
                      for v in frame[column]])
    code_column = next((c for c in ("indicator", "code") if c in frame.columns), None)
    if "unit" not in frame.columns and units and code_column is not None:
        frame["unit"] = [units.get(c) for c in frame[code_column]]
    figures = [c for c in frame.columns if c in FIGURE_COLUMNS]
    renames = {c: header for c, header in FIXED_HEADERS.items() if c in frame.columns}
    if figures and "unit" in frame.columns:
        present = {u for u in frame["unit"] if isinstance(u, str) and u}
        suffix = f"({present.pop()})" if len(present) == 1 else "(see unit)"
        renames.update({c: f"{c} {suffix}" for c in figures})
    return frame.rename(columns=renames)


def table_to_csv(df: pd.DataFrame, demo: bool = False, framework: Framework | None = None) -> bytes:
    """Return the table as UTF-8 CSV with a BOM; text cells that would be formulas are escaped, numbers kept.

    With `demo`, or a provisional `framework`, the first column says so on every row (mark_table).
    """
    frame = mark_table(df, demo, framework)
    for column in frame.columns:
        frame[column] = [_csv_cell(v) for v in frame[column]]
    return frame.to_csv(index=False, lineterminator="\r\n").encode(CSV_ENCODING)


def table_to_excel(df: pd.DataFrame, sheet_name: str = "Table", demo: bool = False,
                   framework: Framework | None = None) -> bytes:
    """Return the table as an .xlsx: bold frozen header, fitted widths, text never a formula, and a last sheet
    saying it is an export.

    With `demo`, or a provisional `framework`, the first column says so on every row and the last sheet says it
    in red.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_sheet(workbook, sheet_name, mark_table(df, demo, framework))
    return _save(workbook, f"ACCSM dashboard export: {sheet_name}", demo, framework)


def _add_identity_sheet(workbook: Workbook, title: str, demo: bool = False,
                        framework: Framework | None = None) -> None:
    # The importer reads the kind back and explains that an export is for reading, not for loading.
    sheet = workbook.create_sheet(IDENTITY_SHEET)
    sheet["A1"] = title
    sheet["A2"], sheet["B2"] = KIND_CODE, EXPORT_KIND
    sheet["A3"], sheet["B3"] = VERSION_CODE, "1"
    sheet["A5"] = (f"Written {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC for reading and analysis. "
                   "To change data, fill a blank template from the dashboard and upload that.")
    if demo:
        sheet["A7"] = DEMO_EXPLANATION
        sheet["A7"].font = Font(bold=True, color="C53030")
    provisional = provisional_explanation(framework) if framework is not None else ""
    if provisional:
        sheet["A8"] = provisional
        sheet["A8"].font = Font(bold=True, color="9C4221")
    sheet.column_dimensions["A"].width = 20


def write_sheet(workbook: Workbook, sheet_name: str, df: pd.DataFrame) -> None:
    """Add a sheet holding the table: header row bold and frozen, widths fitted, text cells stored as text."""
    sheet = workbook.create_sheet(_sheet_title(sheet_name))
    headers = [str(c) for c in df.columns]
    for column_index, header in enumerate(headers, start=1):
        _write_cell(sheet.cell(row=1, column=column_index), header).font = Font(bold=True)
    widths = [len(h) for h in headers]
    for row_index, row in enumerate(df.itertuples(index=False, name=None), start=2):
        for column_index, value in enumerate(row, start=1):
            cell = _write_cell(sheet.cell(row=row_index, column=column_index), value)
            if cell.value is not None:
                widths[column_index - 1] = max(widths[column_index - 1], _shown_length(cell.value))
    for column_index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column_index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(df) + 1, 1)}"


def kpi_table_workbook(report: pd.DataFrame, demo: bool = False, framework: Framework | None = None) -> bytes:
    """Return the KPI table (interfaces.md columns, unrounded; details as JSON text) as an .xlsx."""
    return table_to_excel(format_kpi_table(report), "KPI table", demo, framework)


def format_kpi_table(report: pd.DataFrame) -> pd.DataFrame:
    """Return the KPI table in REPORT_COLUMNS order with blanks for no value and `details` as JSON text."""
    frame = report.reindex(columns=REPORT_COLUMNS).copy()
    frame["coverage"] = [None if _is_blank(v) else int(v) for v in frame["coverage"]]
    frame["details"] = [json.dumps(d, sort_keys=True, default=str) if isinstance(d, dict) and d else None
                        for d in frame["details"]]
    return frame


def returns_workbook(connection: Connection) -> bytes:
    """Return every stored country return, current and superseded, as an .xlsx.

    Sheet `Values`: one row per single value with country, year, submission id, status, field, value and
    the `Sheet!Cell` it came from; then one sheet per list (Policies, ARC projects, Reform measures).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_sheet(workbook, "Values", read_all_return_values(connection))
    for list_sheet in LIST_SHEETS:
        write_sheet(workbook, list_sheet.sheet, read_all_return_items(connection, list_sheet.code))
    return _save(workbook, "ACCSM dashboard export: every stored country return", store.has_demo_data(connection))


def read_all_return_values(connection: Connection) -> pd.DataFrame:
    """Return the single values of every stored return (current and superseded) in RETURN_VALUE_COLUMNS."""
    values = store.read_return_values(connection, current_only=False)
    names = _country_names(connection)
    rows = []
    for r in values.itertuples(index=False):
        field = RETURN_FIELDS_BY_CODE.get(r.field_code)
        rows.append({
            "country": r.country, "country name": names.get(r.country, ""), "year": r.year,
            "submission_id": r.submission_id, "status": r.status,
            "demo": "yes" if r.is_demo else "no", "submitted_at": r.submitted_at, "file_name": r.file_name,
            "field": r.field_code, "label": field.label if field else None,
            # yes/no answers are stored as 1/0 and "yes"/"no": officials read the words
            "value": r.value_text if not _is_blank(r.value_text) else r.value_number,
            "unit": (field.unit or None) if field else None,
            "cell": f"{r.sheet}!{r.cell}",
        })
    return pd.DataFrame(rows, columns=RETURN_VALUE_COLUMNS)


def read_all_return_items(connection: Connection, list_code: str) -> pd.DataFrame:
    """Return the rows of one list sheet over every stored return (current and superseded)."""
    codes = [c.code for c in LIST_SHEETS_BY_CODE[list_code].columns]
    items = store.read_return_items(connection, list_code, current_only=False)
    names = _country_names(connection)
    frame = pd.DataFrame({
        "country": items["country"], "country name": [names.get(c, "") for c in items["country"]],
        "year": items["year"], "submission_id": items["submission_id"],
        "status": items["status"], "demo": ["yes" if d else "no" for d in items["is_demo"]],
        **{c: items[c] for c in codes},
        "row": [f"{sheet} row {row}" for sheet, row in zip(items["sheet"], items["row"])],
    })
    return frame.reindex(columns=[*LIST_PREFIX_COLUMNS, *codes, "row"])


def _country_names(connection: Connection) -> dict[str, str]:
    states = store.read_member_states(connection, group=None)
    return dict(zip(states["iso3"], states["name"]))


def _csv_cell(value):
    if _is_blank(value):
        return None
    if isinstance(value, str):
        return escape_formula(value)
    if isinstance(value, (dict, list)):
        return escape_formula(json.dumps(value, sort_keys=True, default=str))
    return value


def _write_cell(cell, value):
    value = _plain(value)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl turns any "=…" string into a formula; forcing the type keeps it a text cell, and the
        # quote prefix keeps Excel from evaluating it when someone edits the cell later.
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _plain(value):
    if _is_blank(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones; the store keeps UTC
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime, dt.time)):
        return value
    return str(value)


def _is_blank(value) -> bool:
    return is_missing(value)


def _shown_length(value) -> int:
    if isinstance(value, float):
        return len(f"{value:.6g}")
    if isinstance(value, dt.datetime):
        return 19
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet_title(name: str) -> str:
    for character in "[]:*?/\\":
        name = name.replace(character, " ")
    return name[:EXCEL_SHEET_NAME_LENGTH] or "Sheet"


def _save(workbook: Workbook, title: str, demo: bool = False, framework: Framework | None = None) -> bytes:
    _add_identity_sheet(workbook, title, demo, framework)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
