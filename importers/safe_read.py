"""Read an uploaded spreadsheet safely into plain cells, or reject it with a message a person can act on."""

from __future__ import annotations

import datetime
import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator
from xml.etree.ElementTree import iterparse as _iterparse
from xml.parsers import expat

from importers.plain_sheet import plain_cells

__all__ = [
    "MAX_CELL_TEXT",
    "Cell",
    "Limits",
    "Sheet",
    "UnreadableFile",
    "Workbook",
    "cell_ref",
    "column_letter",
    "read_workbook",
]


@dataclass(frozen=True)
class Limits:
    """Product limits for an uploaded workbook; a country return is ~40 rows x 4 columns plus three short lists."""

    max_bytes: int = 10 * 1024 * 1024  # the upload itself
    max_entries: int = 1000  # ZIP entries
    max_uncompressed_bytes: int = 25 * 1024 * 1024  # sum of all ZIP entries once unpacked
    max_part_bytes: int = 20 * 1024 * 1024  # any single unpacked part
    max_sheet_part_bytes: int = 8 * 1024 * 1024  # one worksheet's XML; bounds parse time to a few seconds
    max_ratio: int = 200  # per-entry compression ratio ...
    ratio_min_bytes: int = 1024 * 1024  # ... checked only for parts at least this large unpacked
    max_rows: int = 5000
    max_cols: int = 200
    max_cells: int = 100_000  # non-empty cells in the whole workbook
    max_merged_ranges: int = 2000  # per sheet
    max_cell_elements: int = 150_000  # whole workbook, empty formatted cells included; bounds parse time
    max_sheets: int = 100
    max_shared_strings: int = 200_000


MAX_CELL_TEXT = 32_767  # the most characters an Excel cell can hold; longer text was not typed in a spreadsheet


@dataclass(frozen=True)
class Cell:
    """One cell as saved: cached value for formulas; errors and uncalculated formulas are flagged, not blank.

    `problem` says why the cell cannot be taken at face value, as the end of a sentence about it ("holds 1E+309,
    which is not a finite number; ..."): saved twice or out of order, a number that is not finite, text longer than
    a cell can hold. `value` is then None, or for a cell saved twice the first of its values; the importer rejects
    the cell either way.
    """

    value: str | float | int | bool | datetime.datetime | datetime.date | datetime.time | None
    is_percent: bool = False
    error: str | None = None
    formula_without_value: bool = False
    problem: str | None = None


@dataclass
class Sheet:
    """A worksheet's non-empty or flagged cells keyed by 1-based (row, col).

    `merged_ranges` are normalised A1 ranges ("B8:C9"). `problems` maps a cell ("C8") or row ("8:8") reference to
    a sentence saying why what the sheet holds there is ambiguous; every flagged cell has its entry.
    """

    name: str
    state: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged_ranges: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)

    def cell(self, row: int, col: int) -> Cell | None:
        """Return the cell at (row, col), or None when it is blank."""
        return self.cells.get((row, col))

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)


@dataclass
class Workbook:
    """Sheets in workbook order, hidden ones included with their state."""

    file_name: str
    format: str
    sheets: list[Sheet]
    warnings: list[str] = field(default_factory=list)

    def sheet(self, name: str) -> Sheet | None:
        """Return the first sheet with exactly this name, or None (importers.cells rejects sheets named alike)."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        return None

    @property
    def visible_sheets(self) -> list[Sheet]:
        return [s for s in self.sheets if s.state == "visible"]


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; str(exc) is the message for the uploader."""

    def __init__(self, file_name: str, message: str, reason: str):
        self.file_name = file_name
        self.message = message
        self.reason = reason
        super().__init__(f"{file_name}: {message}")


class _Reject(Exception):
    """Internal: carries a message and reason code until the file name is attached."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


_RESAVE = "open it in Excel, save it as Excel Workbook (.xlsx) and upload it again."
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ERROR_LITERALS = {
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
    "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
}
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLS = 16_384


def column_letter(col: int) -> str:
    """Return the Excel column letters for a 1-based column number: 1 -> "A", 28 -> "AB"."""
    if col < 1:
        raise ValueError(f"column must be >= 1, got {col}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Return the A1-style reference of a 1-based (row, col): (14, 3) -> "C14"."""
    return f"{column_letter(col)}{row}"


def read_workbook(data: bytes, file_name: str, limits: Limits = Limits()) -> Workbook:
    """Read an .xlsx or .ods upload into a Workbook, or raise UnreadableFile saying what is wrong and what to do."""
    try:
        return _read_checked(bytes(data), file_name, limits)
    except UnreadableFile:
        raise
    except _Reject as exc:
        raise UnreadableFile(file_name, exc.message, exc.reason) from None
    except MemoryError:
        raise UnreadableFile(
            file_name, f"the file is too large to read; {_RESAVE}", "too-large"
        ) from None
    except Exception:  # noqa: BLE001 - any library failure must reach the user as a message, not a traceback
        raise UnreadableFile(
            file_name,
            "the file is damaged or is not a spreadsheet this site can read; " + _RESAVE,
            "corrupt",
        ) from None


def _read_checked(data: bytes, file_name: str, limits: Limits) -> Workbook:
    if not data:
        raise _Reject("the file is empty (0 bytes); upload the saved workbook again.", "empty")
    if len(data) > limits.max_bytes:
        raise _Reject(
            f"the file is larger than a country return can be: {_megabytes(len(data))} MB, "
            f"limit {_megabytes(limits.max_bytes)} MB; remove unneeded sheets or images and upload it again.",
            "too-large",
        )
    if data.startswith(_OLE_MAGIC):
        _reject_ole(data)
    if not data.startswith(_ZIP_MAGICS):
        raise _Reject(
            "the file is not a spreadsheet (it is not an Excel .xlsx or OpenDocument .ods file); "
            "upload the country return as an Excel Workbook (.xlsx).",
            "not-spreadsheet",
        )
    package = _Package(data, limits)
    if package.find("mimetype") is not None and package.read("mimetype").strip().decode("ascii", "replace") == _ODS_MIMETYPE:
        return _OdsReader(package, file_name, limits).read()
    if package.find("[Content_Types].xml") is not None:
        return _XlsxReader(package, file_name, limits).read()
    raise _Reject(
        "the file is a ZIP archive, not a spreadsheet; upload the country return as an Excel Workbook (.xlsx).",
        "not-spreadsheet",
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}" if size >= 10 * 1024 * 1024 else f"{size / (1024 * 1024):.1f}"


def _reject_ole(data: bytes) -> None:
    """OLE2 containers are either password-protected OOXML or legacy .xls; neither can be read."""
    try:
        import olefile

        ole = olefile.OleFileIO(io.BytesIO(data))
        try:
            streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=False)}
        finally:
            ole.close()
    except Exception:  # noqa: BLE001 - a broken container is reported as damaged below
        raise _Reject(
            "the file looks like an old Excel 97-2003 (.xls) file but it is damaged; " + _RESAVE, "corrupt"
        ) from None
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        raise _Reject(
            "the file is password-protected; remove the password (File > Info > Protect Workbook > "
            "Encrypt with Password, clear it) and upload it again.",
            "password",
        )
    if "workbook" in streams or "book" in streams:
        raise _Reject(
            "the file is an old Excel 97-2003 workbook (.xls); open it in Excel, choose File > Save As > "
            "Excel Workbook (.xlsx) and upload the .xlsx.",
            "legacy-xls",
        )
    raise _Reject(
        "the file is an Office document but not a spreadsheet this site can read; "
        "upload the country return as an Excel Workbook (.xlsx).",
        "not-spreadsheet",
    )


class _Package:
    """A ZIP checked for bombs and ambiguity before any part is parsed; parts are looked up case-insensitively."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError, OSError):
            raise _Reject(
                "the file is damaged or incomplete (the upload may have been cut off); "
                "save the workbook again and re-upload it.",
                "corrupt",
            ) from None
        if len(infos) > limits.max_entries:
            raise _Reject(
                f"the workbook has too many internal parts ({len(infos)}, limit {limits.max_entries}); " + _RESAVE,
                "too-large",
            )
        self.entries: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            key = _normalise_part(info.filename).lower()
            if key in self.entries:
                raise _Reject(
                    f"the workbook contains the part {info.filename!r} twice, so its content is ambiguous; " + _RESAVE,
                    "zip-duplicate",
                )
            self.entries[key] = info
            total += info.file_size
            if info.file_size > limits.max_part_bytes or total > limits.max_uncompressed_bytes:
                raise _Reject(
                    "the file is larger than a country return can be: "
                    f"{_megabytes(sum(i.file_size for i in infos))} MB uncompressed, "
                    f"limit {_megabytes(limits.max_uncompressed_bytes)} MB; "
                    "remove unneeded sheets, rows or images and upload it again.",
                    "too-large",
                )
            if info.file_size >= limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise _Reject(
                    f"the part {info.filename!r} unpacks to {info.file_size // max(info.compress_size, 1)} times "
                    "its stored size, which a spreadsheet never needs (possible ZIP bomb); " + _RESAVE,
                    "too-large",
                )
        self._cache: dict[str, bytes] = {}

    def find(self, name: str) -> str | None:
        """Return the lower-case key of a part, or None; OPC part names are case-insensitive."""
        key = _normalise_part(name).lower()
        return key if key in self.entries else None

    def names(self) -> list[str]:
        return [info.filename for info in self.entries.values()]

    def read(self, name: str) -> bytes:
        key = self.find(name)
        if key is None:
            raise _Reject(f"the workbook is missing its part {name!r}; " + _RESAVE, "corrupt")
        if key not in self._cache:
            try:
                self._cache[key] = self.zip.read(self.entries[key])
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
                raise _Reject(
                    "the file is damaged or incomplete (the upload may have been cut off); "
                    "save the workbook again and re-upload it.",
                    "corrupt",
                ) from None
        return self._cache[key]

    def reject_unsafe_xml(self) -> None:
        """Refuse any XML part that declares a DOCTYPE or ENTITY, before any parser sees a part."""
        for key, info in self.entries.items():
            content = self.read(key)
            if not _looks_like_xml(key, content):
                continue
            text = _xml_bytes_as_ascii(content)
            if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                raise _Reject(
                    f"the file contains unsafe XML (a DOCTYPE/ENTITY declaration in {info.filename!r}), "
                    "which is used in attacks and never written by Excel; " + _RESAVE,
                    "unsafe-xml",
                )


def _normalise_part(name: str) -> str:
    name = name.replace("\\", "/").lstrip("/")
    return posixpath.normpath(name) if name else name


def _looks_like_xml(key: str, content: bytes) -> bool:
    if key.endswith((".xml", ".rels", ".vml", ".xsd")):
        return True
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or content.startswith((b"\xff\xfe", b"\xfe\xff"))


def _xml_bytes_as_ascii(content: bytes) -> bytes:
    """Markup is ASCII in UTF-8; UTF-16 parts are narrowed so the DOCTYPE scan also sees them."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or content[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        try:
            return content.decode("utf-16").encode("ascii", "replace")
        except UnicodeDecodeError:
            return content.replace(b"\x00", b"")
    return content


def _parse_events(content: bytes, events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, object]]:
    """Yield iterparse events of one XML part, after _refuse_declarations has found no DTD or entity in it."""
    _refuse_declarations(content)
    yield from _iterparse(io.BytesIO(content), events=events)


def _refuse_declarations(content: bytes) -> bool:
    """Refuse a part that declares a DTD or an entity, or refers to an external one, as defusedxml does.

    defusedxml sets these four handlers on expat and then builds the tree in pure Python, which was half of a
    return's reading time. Here expat runs once with only those handlers (at C speed, building nothing), and the
    tree comes from the standard library's C parser, which then never meets a declaration. Returns whether the part
    is well formed, namespaces included, as the tree parser will find it.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _unsafe_declaration
    parser.EntityDeclHandler = _unsafe_declaration
    parser.UnparsedEntityDeclHandler = _unsafe_declaration
    parser.ExternalEntityRefHandler = _unsafe_declaration
    try:
        parser.Parse(content, True)
    except expat.ExpatError:
        return False  # damaged XML: the tree parser stops at the same place and the part is reported as damaged
    return True


def _unsafe_declaration(*_args) -> None:
    raise _Reject("the file contains unsafe XML (DTD/entity declarations); " + _RESAVE, "unsafe-xml")


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < 10_000:
            _LOCAL_NAMES[tag] = name
    return name


def _attr(element, name: str) -> str | None:
    """Return an attribute by local name, whatever its namespace (transitional, Strict or a custom prefix)."""
    value = element.attrib.get(name)
    if value is not None:
        return value
    suffix = "}" + name
    for key, value in element.attrib.items():
        if key.endswith(suffix):
            return value
    return None


def _parse_tree(content: bytes):
    root = None
    for _event, element in _parse_events(content):
        root = element
    if root is None:
        raise _Reject("the workbook has an empty XML part; " + _RESAVE, "corrupt")
    return root


def _parse_number(text: str) -> int | float:
    """Return the number a cell saved; may be inf or nan (see _number_problem). Raises ValueError for non-numbers."""
    text = text.strip()
    if re.fullmatch(r"[+-]?[0-9]{1,15}", text):
        return int(text)
    return float(text)


def _number_problem(raw: str, number: int | float) -> str | None:
    """Return what is wrong with a saved number that is not finite (1E+309, NaN, INF), else None."""
    if isinstance(number, int) or math.isfinite(number):
        return None
    shown = raw.strip() if len(raw.strip()) <= 40 else raw.strip()[:37] + "..."
    return f"holds {shown}, which is not a finite number; type the figure again"


def _text_cell(text: str, is_percent: bool = False) -> Cell:
    """Return a text cell, flagged when it is longer than any spreadsheet cell can hold."""
    if len(text) > MAX_CELL_TEXT:
        return Cell(None, is_percent, problem=f"holds {len(text):,} characters of text, more than a spreadsheet "
                                              f"cell can hold ({MAX_CELL_TEXT:,}); shorten it and upload again")
    return Cell(text, is_percent)


def _flag(sheet: Sheet, row: int, col: int, cell: Cell) -> None:
    """Store a flagged cell and its sentence in the sheet's problems."""
    sheet.cells[(row, col)] = cell
    sheet.problems.setdefault(cell_ref(row, col), f"the cell {cell.problem}")


# --- number formats -----------------------------------------------------------------------------

_BUILTIN_PERCENT_IDS = {9, 10}
_BUILTIN_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59)) | set(range(71, 82))
_BUILTIN_TIME_ONLY_IDS = {18, 19, 20, 21, 45, 46, 47}
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def _format_kind(code: str) -> tuple[bool, str | None]:
    """Return (is_percent, "date"/"time"/None) for a number format code."""
    first = code.split(";", 1)[0]
    elapsed = re.search(r"\[(h+|m+|s+)\]", first, re.IGNORECASE) is not None
    stripped = _FORMAT_NOISE.sub("", first).lower()
    is_percent = "%" in _FORMAT_NOISE.sub("", code)
    if stripped in ("general", "@") or elapsed:
        # Elapsed durations ([h]:mm) are amounts, not moments: keep the number of days.
        return is_percent, None
    has_date = "d" in stripped or "y" in stripped
    has_time = "h" in stripped or "s" in stripped or elapsed
    if has_date or (("m" in stripped) and not has_time):
        if "m" in stripped or has_date:
            return is_percent, "date"
    if has_time:
        return is_percent, "time"
    return is_percent, None


def _from_serial(value: float, date1904: bool, kind: str) -> datetime.datetime | datetime.time | float | int:
    if value < 0 or value > 2_958_465:
        return value
    if kind == "time" and value < 1:
        moment = datetime.datetime(1900, 1, 1) + datetime.timedelta(days=value)
        return _round_time(moment).time()
    if date1904:
        base = datetime.datetime(1904, 1, 1)
    elif value < 60:
        # Excel's phantom 1900-02-29: serials below 60 are one day off the 1899-12-30 epoch.
        base = datetime.datetime(1899, 12, 31)
    else:
        base = datetime.datetime(1899, 12, 30)
    return _round_time(base + datetime.timedelta(days=value))


def _round_time(moment: datetime.datetime) -> datetime.datetime:
    """Excel serials are doubles; round to the millisecond so 10:00 does not read as 09:59:59.999999."""
    micro = moment.microsecond
    rounded = int(round(micro / 1000.0)) * 1000
    return moment.replace(microsecond=0) + datetime.timedelta(microseconds=rounded)


def _parse_iso(text: str) -> datetime.datetime | datetime.time:
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1]
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.datetime.fromisoformat(text)
    if "-" not in text[:5] and ":" in text and "T" not in text:
        return datetime.time.fromisoformat(text)
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


# --- shared sheet bookkeeping --------------------------------------------------------------------

class _CellBudget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.count = 0
        self.elements = 0

    def take(self, amount: int = 1) -> None:
        self.count += amount
        if self.count > self.limits.max_cells:
            raise _Reject(
                f"the workbook holds more than {self.limits.max_cells:,} filled cells, far more than a "
                "country return; remove unneeded sheets or rows and upload it again.",
                "too-many-cells",
            )


def _check_position(sheet: str, row: int, col: int, limits: Limits) -> None:
    if row > limits.max_rows:
        raise _Reject(
            f"sheet {sheet!r} has data beyond row {limits.max_rows:,} (row {row:,}), more than a country return "
            "can have; delete the extra rows and upload it again.",
            "too-many-cells",
        )
    if col > limits.max_cols:
        raise _Reject(
            f"sheet {sheet!r} has data beyond column {column_letter(min(limits.max_cols, _EXCEL_MAX_COLS))} "
            f"(column {column_letter(min(col, _EXCEL_MAX_COLS))}), more than a country return can have; "
            "delete the extra columns and upload it again.",
            "too-many-cells",
        )


_AMBIGUOUS_FIX = "check what it should hold, type it again in Excel or LibreOffice, save and upload again"


def _describe(cell: Cell | None) -> str:
    """Return a cell's content for a message: blank, 640, 'text', the error #N/A."""
    if cell is None or (cell.value is None and not cell.error and not cell.formula_without_value):
        return "blank"
    if cell.error:
        return f"the error {cell.error}"
    if cell.value is None:
        return "a formula without a value"
    if isinstance(cell.value, str):
        return repr(cell.value) if len(cell.value) <= 40 else repr(cell.value[:37] + "...")
    if isinstance(cell.value, (datetime.date, datetime.time)):
        return cell.value.isoformat()
    return str(cell.value)


def _normalise_range(ref: str) -> str:
    """Return "B8:C9" for a merged range as saved ("$b$8:$c$9"); raise _BadSheet when it is not a range."""
    parts = ref.strip().split(":")
    if len(parts) not in (1, 2) or not all(_CELL_REF.match(p.strip()) for p in parts):
        raise _BadSheet(f"it has an invalid merged cell range {ref[:40]!r}")
    corners = []
    for part in parts:
        match = _CELL_REF.match(part.strip())
        row, col = int(match.group(2)), _column_number(match.group(1))
        if not (1 <= row <= _EXCEL_MAX_ROWS and 1 <= col <= _EXCEL_MAX_COLS):
            raise _BadSheet(f"it has an invalid merged cell range {ref[:40]!r}")
        corners.append((row, col))
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return f"{cell_ref(min(r1, r2), min(c1, c2))}:{cell_ref(max(r1, r2), max(c1, c2))}"


def _reject_merges(sheet: str, count: int, limits: Limits) -> None:
    raise _Reject(
        f"sheet {sheet!r} has {count:,} merged cell ranges, limit {limits.max_merged_ranges:,}, far more than a "
        "country return needs; unmerge the cells and upload it again.",
        "too-many-cells",
    )


# --- OOXML ------------------------------------------------------------------------------------------

_REL_OFFICE_DOCUMENT = "/officedocument"
_REL_WORKSHEET = "/worksheet"
_REL_SHARED_STRINGS = "/sharedstrings"
_REL_STYLES = "/styles"
_REL_EXTERNAL_LINK = "/externallink"
_STRICT_NS = "http://purl.oclc.org/ooxml/"


class _XlsxReader:
    def __init__(self, package: _Package, file_name: str, limits: Limits):
        self.package = package
        self.file_name = file_name
        self.limits = limits
        self.budget = _CellBudget(limits)
        self.warnings: list[str] = []

    def read(self) -> Workbook:
        self._reject_active_content()
        self.package.reject_unsafe_xml()
        workbook_part = self._find_workbook_part()
        self._reject_by_content_type(workbook_part)
        workbook_root = _parse_tree(self.package.read(workbook_part))
        strict = isinstance(workbook_root.tag, str) and workbook_root.tag.startswith("{" + _STRICT_NS)
        rels = self._read_rels(workbook_part)
        date1904 = False
        declared: list[tuple[str, str, str | None]] = []
        for element in workbook_root.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                date1904 = (_attr(element, "date1904") or "").strip().lower() in ("1", "true")
            elif name == "sheet":
                declared.append((_attr(element, "name") or "", _attr(element, "state") or "visible", _attr(element, "id")))
        if len(declared) > self.limits.max_sheets:
            raise _Reject(
                f"the workbook has {len(declared)} sheets, limit {self.limits.max_sheets}; "
                "delete the extra sheets and upload it again.",
                "too-large",
            )
        strings = self._read_shared_strings(rels)
        formats = self._read_styles(rels)
        if any(rel_type.endswith(_REL_EXTERNAL_LINK) for rel_type, _ in rels.values()):
            self.warnings.append(
                "the workbook links to other workbooks (external links); their values are used as last saved"
            )
        sheets: list[Sheet] = []
        for name, state, rel_id in declared:
            rel = rels.get(rel_id or "")
            if rel is None or not rel[0].endswith(_REL_WORKSHEET):
                continue  # chart sheets and dialog sheets hold no data; macro sheets were rejected above
            if state not in ("visible", "hidden", "veryHidden"):
                state = "hidden"
            sheet = Sheet(name=name, state=state, cells={})
            info = self.package.entries.get(self.package.find(rel[1]) or "")
            if info is not None and info.file_size > self.limits.max_sheet_part_bytes:
                raise _Reject(
                    f"sheet {name!r} is larger than a country return can be: {_megabytes(info.file_size)} MB of "
                    f"sheet data, limit {_megabytes(self.limits.max_sheet_part_bytes)} MB; delete unneeded rows, "
                    "columns or formatting and upload it again.",
                    "too-large",
                )
            _XlsxSheetParser(sheet, strings, formats, date1904, self.limits, self.budget).parse(
                self.package.read(rel[1])
            )
            sheets.append(sheet)
        if not sheets:
            raise _Reject("the workbook contains no worksheets; " + _RESAVE, "no-sheets")
        return Workbook(
            file_name=self.file_name, format="xlsx-strict" if strict else "xlsx", sheets=sheets, warnings=self.warnings
        )

    def _reject_active_content(self) -> None:
        for name in self.package.names():
            lower = name.lower()
            if lower.endswith("vbaproject.bin") or lower.endswith("vbaprojectsignature.bin"):
                raise _Reject(
                    "the file is a macro-enabled workbook (it contains VBA macros), which is not accepted; "
                    "save it as Excel Workbook (.xlsx) without macros and upload it again.",
                    "macro",
                )
            if "/macrosheets/" in "/" + lower or "/intlmacrosheets/" in "/" + lower:
                raise _Reject(
                    "the file contains an Excel 4.0 macro sheet, which is not accepted; delete the macro sheet, "
                    "save it as Excel Workbook (.xlsx) and upload it again.",
                    "macro",
                )
            if "/embeddings/" in "/" + lower or "/activex/" in "/" + lower:
                raise _Reject(
                    "the file contains embedded objects (attached documents or controls), which are not accepted; "
                    "delete them, save the workbook and upload it again.",
                    "embedded",
                )

    def _reject_by_content_type(self, workbook_part: str) -> None:
        content_type = self._content_type(workbook_part)
        if "macroenabled" in content_type and "binary" not in content_type:
            raise _Reject(
                "the file is a macro-enabled workbook (.xlsm), which is not accepted; "
                "save it as Excel Workbook (.xlsx) and upload it again.",
                "macro",
            )
        if "sheet.binary" in content_type:
            raise _Reject("the file is an Excel Binary Workbook (.xlsb); " + _RESAVE, "not-spreadsheet")
        if "spreadsheetml" not in content_type and "ms-excel" not in content_type:
            raise _Reject(
                "the file is an Office document but not an Excel workbook; "
                "upload the country return as an Excel Workbook (.xlsx).",
                "not-spreadsheet",
            )

    def _content_type(self, part: str) -> str:
        """Return the declared content type of a part: its Override, else the Default for its extension."""
        root = _parse_tree(self.package.read("[Content_Types].xml"))
        wanted = _normalise_part(part).lower()
        extension = posixpath.splitext(wanted)[1].lstrip(".")
        default = ""
        for element in root.iter():
            name = _local(element.tag)
            if name == "Override" and _normalise_part(_attr(element, "PartName") or "").lower() == wanted:
                return (_attr(element, "ContentType") or "").lower()
            if name == "Default" and (_attr(element, "Extension") or "").lower() == extension:
                default = (_attr(element, "ContentType") or "").lower()
        return default

    def _find_workbook_part(self) -> str:
        if self.package.find("_rels/.rels") is None:
            raise _Reject("the file is not an Excel workbook (it has no package relationships); " + _RESAVE, "not-spreadsheet")
        for rel_type, target in self._read_rels("").values():
            if rel_type.endswith(_REL_OFFICE_DOCUMENT):
                if self.package.find(target) is None:
                    break
                return target
        raise _Reject("the file is not an Excel workbook (it names no workbook part); " + _RESAVE, "not-spreadsheet")

    def _read_rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Return rId -> (lower-case type, resolved part name) for a part's relationships."""
        directory, base = posixpath.split(part)
        rels_name = posixpath.join(directory, "_rels", base + ".rels")
        if self.package.find(rels_name) is None:
            return {}
        try:
            root = _parse_tree(self.package.read(rels_name))
        except _Reject:
            raise
        except Exception:  # noqa: BLE001 - name the damaged part instead of the generic message
            raise _Reject(
                f"the workbook's part {rels_name!r} is damaged, so the sheets cannot be located reliably; " + _RESAVE,
                "corrupt",
            ) from None
        rels: dict[str, tuple[str, str]] = {}
        for element in root.iter():
            if _local(element.tag) != "Relationship":
                continue
            if (_attr(element, "TargetMode") or "").lower() == "external":
                rels[_attr(element, "Id") or ""] = ((_attr(element, "Type") or "").lower(), "")
                continue
            target = (_attr(element, "Target") or "").replace("\\", "/")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(directory, target)
            rels[_attr(element, "Id") or ""] = ((_attr(element, "Type") or "").lower(), _normalise_part(resolved))
        return rels

    def _read_shared_strings(self, rels: dict[str, tuple[str, str]]) -> list[str]:
        part = next((t for ty, t in rels.values() if ty.endswith(_REL_SHARED_STRINGS) and t), None)
        if part is None or self.package.find(part) is None:
            return []
        strings: list[str] = []
        pieces: list[str] = []
        in_phonetic = 0
        for event, element in _parse_events(self.package.read(part), ("start", "end")):
            name = _local(element.tag)
            if name == "rPh":
                in_phonetic += 1 if event == "start" else -1
            elif event == "end" and name == "t" and not in_phonetic:
                pieces.append(element.text or "")
            elif event == "end" and name == "si":
                strings.append("".join(pieces))
                pieces = []
                element.clear()
                if len(strings) > self.limits.max_shared_strings:
                    raise _Reject(
                        f"the workbook holds more than {self.limits.max_shared_strings:,} distinct texts, far more "
                        "than a country return; remove unneeded sheets and upload it again.",
                        "too-many-cells",
                    )
        return strings

    def _read_styles(self, rels: dict[str, tuple[str, str]]) -> list[tuple[bool, str | None]]:
        """Return (is_percent, date kind) for each cellXfs index."""
        part = next((t for ty, t in rels.values() if ty.endswith(_REL_STYLES) and t), None)
        if part is None or self.package.find(part) is None:
            return []
        root = _parse_tree(self.package.read(part))
        custom: dict[int, str] = {}
        formats: list[tuple[bool, str | None]] = []
        for element in root.iter():
            if _local(element.tag) == "numFmts":
                for fmt in element:
                    try:
                        custom[int(_attr(fmt, "numFmtId") or "")] = _attr(fmt, "formatCode") or ""
                    except ValueError:
                        continue
            elif _local(element.tag) == "cellXfs":
                for xf in element:
                    if _local(xf.tag) != "xf":
                        continue
                    try:
                        fmt_id = int(_attr(xf, "numFmtId") or "0")
                    except ValueError:
                        fmt_id = 0
                    if fmt_id in custom:
                        formats.append(_format_kind(custom[fmt_id]))
                    elif fmt_id in _BUILTIN_PERCENT_IDS:
                        formats.append((True, None))
                    elif fmt_id in _BUILTIN_DATE_IDS:
                        formats.append((False, "time" if fmt_id in _BUILTIN_TIME_ONLY_IDS else "date"))
                    else:
                        formats.append((False, None))
        return formats


_CELL_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


class _BadSheet(Exception):
    """Internal: a sheet's XML breaks the format in a way worth naming to the uploader."""


class _XlsxSheetParser:
    """Stream one worksheet part; positions come from r= when present, else from element order."""

    def __init__(self, sheet: Sheet, strings: list[str], formats: list[tuple[bool, str | None]],
                 date1904: bool, limits: Limits, budget: _CellBudget):
        self.sheet = sheet
        self.strings = strings
        self.formats = formats
        self.date1904 = date1904
        self.limits = limits
        self.budget = budget

    def parse(self, content: bytes) -> None:
        # Counting first keeps a sheet with tens of thousands of merges from costing a full parse.
        merges = content.count(b"mergeCell ") + content.count(b"mergeCell/")
        if merges > self.limits.max_merged_ranges:
            _reject_merges(self.sheet.name, merges, self.limits)
        elements = len(_CELL_ELEMENT.findall(content))
        self.budget.elements += elements
        if self.budget.elements > self.limits.max_cell_elements:
            raise _Reject(
                f"sheet {self.sheet.name!r} brings the workbook to {self.budget.elements:,} cells (counting empty "
                f"formatted ones), limit {self.limits.max_cell_elements:,}; clear the formatting of unused rows and "
                "columns (select them, Home > Clear > Clear All) and upload it again.",
                "too-many-cells",
            )
        try:
            # The bytes' way is for well-formed parts only (in a damaged one, a match could sit inside a tag or a
            # quoted value): the expat pass that refuses declarations says which they are.
            if _refuse_declarations(content) and self._take_plain_cells(content):
                return
            self._parse(content)
        except (_Reject, MemoryError):
            raise
        except _BadSheet as exc:
            raise _Reject(f"sheet {self.sheet.name!r} is damaged: {exc}; " + _RESAVE, "corrupt") from None
        except Exception:  # noqa: BLE001 - any parser failure is reported against the sheet
            raise _Reject(f"sheet {self.sheet.name!r} is damaged (its XML cannot be read); " + _RESAVE, "corrupt") from None

    def _parse(self, content: bytes) -> None:
        """Walk the sheet's XML, once parse() has refused declarations in it."""
        # Excel saves rows, and cells within a row, in increasing order, each once. A position saved twice, or
        # out of that order, could mean either of two things, so it is flagged rather than silently resolved.
        row = 0
        col = 0
        row_declared: int | None = None  # r= of the current <row>, when it has one
        previous_row = 0
        rows_seen: set[int] = set()
        last = (0, 0)  # the furthest position a <c> has taken so far
        seen: set[tuple[int, int]] = set()
        position_problem: str | None = None
        merges = 0
        for event, element in _iterparse(io.BytesIO(content), events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    r = _attr(element, "r")
                    row = int(r) if r else row + 1
                    if row < 1 or row > _EXCEL_MAX_ROWS:
                        raise _BadSheet(f"it has a row numbered {r}, which Excel does not allow")
                    row_declared = row if r else None
                    self._check_row(row, previous_row, rows_seen)
                    rows_seen.add(row)
                    previous_row = max(previous_row, row)
                    col = 0
                elif name == "c":
                    ref = _attr(element, "r")
                    position_problem = None
                    if ref:
                        match = _CELL_REF.match(ref.strip())
                        if not match:
                            raise _BadSheet(f"it has an invalid cell reference {ref!r}")
                        col = _column_number(match.group(1))
                        row = int(match.group(2))
                        if row < 1 or row > _EXCEL_MAX_ROWS:
                            raise _BadSheet(f"it has an invalid cell reference {ref!r}")
                    else:
                        col += 1
                    if col > _EXCEL_MAX_COLS:
                        raise _BadSheet("it has a cell beyond Excel's last column")
                    if (row, col) in seen:
                        position_problem = "twice"
                    elif row_declared is not None and row != row_declared:
                        # Not taken as the order's new furthest point, so the cells after it are judged as saved.
                        position_problem = (f"is saved inside row {row_declared}, so whether it belongs in row "
                                            f"{row_declared} or row {row} is ambiguous; {_AMBIGUOUS_FIX}")
                    elif (row, col) < last:
                        position_problem = (f"is saved after {cell_ref(*last)}, out of the order spreadsheets "
                                            f"save cells in, so where it belongs is ambiguous; {_AMBIGUOUS_FIX}")
                    else:
                        last = (row, col)
                    seen.add((row, col))
                continue
            if name == "c":
                cell = self._cell(element) if len(element) else None
                element.clear()
                if position_problem is not None:
                    self._flag_position(row, col, cell, position_problem)
                elif cell is not None:
                    self._store(row, col, cell)
            elif name == "row":
                element.clear()
            elif name == "mergeCell":
                merges += 1
                if merges > self.limits.max_merged_ranges:
                    _reject_merges(self.sheet.name, merges, self.limits)
                self.sheet.merged_ranges.append(_normalise_range(_attr(element, "ref") or ""))
                element.clear()
            elif name == "sheetData":
                element.clear()

    def _store(self, row: int, col: int, cell: Cell) -> None:
        """Keep a cell saved once and in order (within the limits), flagged when its content is a problem."""
        _check_position(self.sheet.name, row, col, self.limits)
        self.budget.take()
        if cell.problem:
            _flag(self.sheet, row, col, cell)
        else:
            self.sheet.cells[(row, col)] = cell

    def _check_row(self, row: int, previous_row: int, rows_seen: set[int]) -> None:
        if row in rows_seen:
            self.sheet.problems.setdefault(f"{row}:{row}", f"row {row} is saved twice in this sheet, so what it "
                                           f"holds is ambiguous; {_AMBIGUOUS_FIX}")
        elif row < previous_row:
            self.sheet.problems.setdefault(f"{row}:{row}", f"row {row} is saved after row {previous_row}, out of "
                                           "the order spreadsheets save rows in, so what it holds is ambiguous; "
                                           + _AMBIGUOUS_FIX)

    def _flag_position(self, row: int, col: int, cell: Cell | None, problem: str) -> None:
        """Flag a position saved twice or out of order, keeping the first value saved there for the identity cells."""
        _check_position(self.sheet.name, row, col, self.limits)
        earlier = self.sheet.cells.get((row, col))
        if problem == "twice":
            if earlier is not None and earlier.problem:
                problem = f"is saved more than once in this sheet, so what it holds is ambiguous; {_AMBIGUOUS_FIX}"
            else:
                problem = (f"is saved twice in this sheet ({_describe(earlier)}, then {_describe(cell)}), so what "
                           f"it holds is ambiguous; {_AMBIGUOUS_FIX}")
            first = earlier
            self.sheet.problems.pop(cell_ref(row, col), None)
        else:
            first = cell
        if earlier is None:
            self.budget.take()
        value = first.value if first is not None and not first.problem else None
        _flag(self.sheet, row, col, Cell(value, first.is_percent if first else False, problem=problem))

    def _take_plain_cells(self, content: bytes) -> bool:
        """Store the cells of a plainly saved, well-formed sheet read from its bytes; False (nothing stored) if not.

        The same cells as _parse, in the same order, through the same checks, without walking the XML in Python.
        """
        found = plain_cells(content)
        if found is None:
            return False
        cells, merges = found
        for letters, row, style, cell_type, has_formula, raw, inline in cells:
            cell = self._make_cell(cell_type, style, has_formula, raw, None if inline is None else [inline])
            if cell is not None:
                self._store(row, _column_number(letters), cell)
        if len(merges) > self.limits.max_merged_ranges:  # parse() counted them first: kept as _parse has it
            _reject_merges(self.sheet.name, self.limits.max_merged_ranges + 1, self.limits)
        self.sheet.merged_ranges.extend(_normalise_range(ref) for ref in merges)
        return True

    def _cell(self, element) -> Cell | None:
        has_formula = False
        raw: str | None = None
        inline: list[str] | None = None
        for child in element:
            child_name = _local(child.tag)
            if child_name == "f":
                has_formula = True
            elif child_name == "v":
                raw = child.text or ""
            elif child_name == "is":
                inline = _rich_text_pieces(child)
        return self._make_cell(_attr(element, "t") or "n", _attr(element, "s"), has_formula, raw, inline)

    def _make_cell(self, cell_type: str, style: str | None, has_formula: bool, raw: str | None,
                   inline: list[str] | None) -> Cell | None:
        """Return the cell a <c> saved (its t=, s=, whether it has an <f>, its <v> text, its <is> texts), or None."""
        is_percent, kind = self._format(style)
        if cell_type == "inlineStr":
            text = "".join(inline) if inline is not None else raw
            if has_formula and not text:
                return Cell(None, is_percent, formula_without_value=True)
            return _text_cell(text, is_percent) if text else None
        if raw is None or (raw == "" and cell_type != "str"):
            return Cell(None, is_percent, formula_without_value=True) if has_formula else None
        if cell_type == "e":
            return Cell(None, is_percent, error=raw.strip() or "#N/A")
        if cell_type == "s":
            index = int(raw)
            if not 0 <= index < len(self.strings):
                raise _BadSheet(f"a cell refers to text number {index}, which the workbook does not contain")
            text = self.strings[index]
            return _text_cell(text, is_percent) if text != "" else None
        if cell_type == "str":
            if raw in _ERROR_LITERALS and has_formula:
                return Cell(None, is_percent, error=raw)
            return _text_cell(raw, is_percent) if raw != "" else None
        if cell_type == "b":
            return Cell(raw.strip() in ("1", "true", "TRUE"), is_percent)
        if cell_type == "d":
            return Cell(_parse_iso(raw), is_percent)
        number = _parse_number(raw)
        problem = _number_problem(raw, number)
        if problem:
            return Cell(None, is_percent, problem=problem)
        if kind is not None:
            return Cell(_from_serial(number, self.date1904, kind), is_percent)
        return Cell(number, is_percent)

    def _format(self, style: str | None) -> tuple[bool, str | None]:
        if not style:
            return self.formats[0] if self.formats else (False, None)
        index = int(style)
        return self.formats[index] if 0 <= index < len(self.formats) else (False, None)


def _rich_text_pieces(element) -> list[str]:
    """Return the <t> texts of a string item, leaving out phonetic (rPh) guides."""
    pieces: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            pieces.append(child.text or "")
        elif name == "r":
            pieces.extend(_rich_text_pieces(child))
    return pieces


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


# --- OpenDocument -------------------------------------------------------------------------------------

_ODS_REPEAT_CAP = 10**9
_ODS_CELL_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:covered-)?table-cell[\s/>]")


class _OdsReader:
    def __init__(self, package: _Package, file_name: str, limits: Limits):
        self.package = package
        self.file_name = file_name
        self.limits = limits
        self.budget = _CellBudget(limits)

    def read(self) -> Workbook:
        self._reject_encrypted_or_active()
        self.package.reject_unsafe_xml()
        content = self.package.read("content.xml")
        elements = len(_ODS_CELL_ELEMENT.findall(content))
        if elements > self.limits.max_cell_elements:
            raise _Reject(
                f"the spreadsheet has {elements:,} cells (counting empty formatted ones), limit "
                f"{self.limits.max_cell_elements:,}; delete unused rows and columns and upload it again.",
                "too-many-cells",
            )
        sheets = self._parse_content(content)
        if not sheets:
            raise _Reject("the spreadsheet contains no sheets; " + _RESAVE, "no-sheets")
        return Workbook(file_name=self.file_name, format="ods", sheets=sheets)

    def _reject_encrypted_or_active(self) -> None:
        if self.package.find("META-INF/manifest.xml") is not None:
            manifest = self.package.read("META-INF/manifest.xml")
            if b"encryption-data" in manifest:
                raise _Reject(
                    "the file is password-protected; open it, save it without a password as Excel Workbook (.xlsx) "
                    "and upload it again.",
                    "password",
                )
        for name in self.package.names():
            lower = name.lower()
            if lower.startswith(("basic/", "scripts/")):
                raise _Reject(
                    "the file contains macros, which are not accepted; save it as Excel Workbook (.xlsx) "
                    "without macros and upload it again.",
                    "macro",
                )
        if self.package.find("content.xml") is None:
            raise _Reject("the OpenDocument file has no content; " + _RESAVE, "corrupt")

    def _parse_content(self, content: bytes) -> list[Sheet]:
        hidden_styles: set[str] = set()
        sheets: list[Sheet] = []
        sheet: Sheet | None = None
        row = 0
        col = 0
        row_repeat = 1
        row_cells: list[tuple[int, int, Cell]] = []
        style_name: str | None = None
        for event, element in _parse_events(content, ("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "style":
                    style_name = _attr(element, "name")
                elif name == "table-properties" and (_attr(element, "display") or "").lower() == "false" and style_name:
                    hidden_styles.add(style_name)
                elif name == "table" and sheet is None:
                    state = "hidden" if _attr(element, "style-name") in hidden_styles else "visible"
                    sheet = Sheet(name=_attr(element, "name") or f"Sheet{len(sheets) + 1}", state=state, cells={})
                    if len(sheets) >= self.limits.max_sheets:
                        raise _Reject(
                            f"the workbook has more than {self.limits.max_sheets} sheets; "
                            "delete the extra sheets and upload it again.",
                            "too-large",
                        )
                    row = 0
                elif name == "table-row" and sheet is not None:
                    row_repeat = _repeat(element, "number-rows-repeated")
                    row += 1
                    col = 0
                    row_cells = []
                continue
            if sheet is None:
                if name == "style":
                    style_name = None
                continue
            if name in ("table-cell", "covered-table-cell"):
                repeat = _repeat(element, "number-columns-repeated")
                cell = self._cell(element) if name == "table-cell" else None
                if cell is not None:
                    last_col = col + repeat
                    _check_position(sheet.name, row, last_col, self.limits)
                    _check_position(sheet.name, row + row_repeat - 1, last_col, self.limits)
                    self.budget.take(repeat * row_repeat)
                    for offset in range(1, repeat + 1):
                        row_cells.append((row, col + offset, cell))
                if name == "table-cell":
                    self._record_span(sheet, element, row, col, repeat, row_repeat)
                col += repeat
                element.clear()
            elif name == "table-row":
                for offset in range(row_repeat if row_cells else 0):
                    for r, c, cell in row_cells:
                        if cell.problem:
                            _flag(sheet, r + offset, c, cell)
                        else:
                            sheet.cells[(r + offset, c)] = cell
                row += row_repeat - 1
                row_cells = []
                element.clear()
            elif name == "table":
                sheets.append(sheet)
                sheet = None
                element.clear()
        return sheets

    def _record_span(self, sheet: Sheet, element, row: int, col: int, repeat: int, row_repeat: int) -> None:
        """Record a cell spanning several columns or rows (LibreOffice's merged cells) as a merged range."""
        columns = _repeat(element, "number-columns-spanned")
        rows = _repeat(element, "number-rows-spanned")
        if columns == 1 and rows == 1:
            return
        if len(sheet.merged_ranges) + repeat * row_repeat > self.limits.max_merged_ranges:
            _reject_merges(sheet.name, len(sheet.merged_ranges) + repeat * row_repeat, self.limits)
        for row_offset in range(row_repeat):
            for offset in range(repeat):
                first_row, first_col = row + row_offset, col + offset + 1
                last_row = min(first_row + rows - 1, _EXCEL_MAX_ROWS)
                last_col = min(first_col + columns - 1, _EXCEL_MAX_COLS)
                sheet.merged_ranges.append(f"{cell_ref(first_row, first_col)}:{cell_ref(last_row, last_col)}")

    def _cell(self, element) -> Cell | None:
        value_type = (_attr(element, "value-type") or "").lower()
        calc_type = ""
        for key, value in element.attrib.items():
            if key.endswith("}value-type") and "calcext" in key:
                calc_type = value.lower()
        has_formula = _attr(element, "formula") is not None
        text = _ods_text(element)
        if calc_type == "error" or (has_formula and text in _ERROR_LITERALS and value_type in ("", "string")):
            return Cell(None, error=text or "#N/A")
        if not value_type:
            if has_formula:
                return Cell(None, formula_without_value=True)
            return _text_cell(text) if text else None
        is_percent = value_type == "percentage"
        if value_type in ("float", "percentage", "currency"):
            raw = _attr(element, "value")
            if raw is None:
                return Cell(None, is_percent, formula_without_value=True) if has_formula else None
            number = _parse_number(raw)
            problem = _number_problem(raw, number)
            return Cell(None, is_percent, problem=problem) if problem else Cell(number, is_percent)
        if value_type == "date":
            raw = _attr(element, "date-value")
            return Cell(_parse_iso(raw)) if raw else None
        if value_type == "time":
            raw = _attr(element, "time-value")
            return Cell(_parse_ods_duration(raw)) if raw else None
        if value_type == "boolean":
            raw = (_attr(element, "boolean-value") or "").strip().lower()
            return Cell(raw == "true")
        string_value = _attr(element, "string-value")
        text = string_value if string_value is not None else text
        return _text_cell(text) if text else None


def _repeat(element, name: str) -> int:
    raw = _attr(element, name)
    if not raw:
        return 1
    value = int(raw)
    if value < 1 or value > _ODS_REPEAT_CAP:
        raise ValueError("bad repeat count")
    return value


def _ods_text(element) -> str:
    paragraphs: list[str] = []
    for child in element:
        if _local(child.tag) in ("p", "h"):
            paragraphs.append(_ods_inline_text(child))
    return "\n".join(paragraphs)


def _ods_inline_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name == "s":
            parts.append(" " * min(int(_attr(child, "c") or "1"), 1000))
        elif name == "tab":
            parts.append("\t")
        elif name == "line-break":
            parts.append("\n")
        elif name != "annotation":
            parts.append(_ods_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _parse_ods_duration(text: str) -> datetime.time | float:
    match = re.fullmatch(r"-?P(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", text.strip())
    if not match:
        return _parse_iso(text)  # type: ignore[return-value]
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total >= 86400:
        return total / 86400
    moment = datetime.datetime(1900, 1, 1) + datetime.timedelta(seconds=total)
    return _round_time(moment).time()
