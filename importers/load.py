"""Load one workbook into the store: read, identify, validate, then store all of it or nothing."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import Engine

from importers import layout, versions
from importers.kinds import KINDS, Kind  # noqa: F401 - re-exported: the registry lives in importers.kinds
from importers.report import ImportReport, Message, file_message
from importers.safe_read import UnreadableFile, Workbook, cell_ref, read_workbook
from kpi import access, review, store, store_errors
from kpi.db import write_transaction
from kpi.store import SubmissionInfo


def load_file(engine: Engine, data: bytes, file_name: str, user: str, dry_run: bool = False,
              is_demo: bool = False, reason: str | None = None) -> ImportReport:
    """Validate a workbook and, unless dry_run or rejected, store it in one transaction; never raises.

    `reason` is needed (and kept in the audit trail) when the file is a new version of a confirmed return, which
    only the secretariat may store (kpi.review).
    """
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    try:
        _load(engine, bytes(data), report, user, is_demo, reason)
    except Exception as exc:  # noqa: BLE001 - the uploader gets a message, the database keeps its state
        _record_failure(engine, report, exc)
    return report


_LOG = logging.getLogger(__name__)


def _record_failure(engine: Engine, report: ImportReport, exc: Exception) -> None:
    """Record why loading stopped: a store failure in words about the store, anything else without its text.

    Neither message repeats the exception (it can hold SQL, parameters or the file's content); the log has it.
    """
    report.accepted, report.submission_id, report.duplicate_of = False, None, None
    report.changes, report.nothing_to_change = [], False
    if store_errors.is_store_error(exc):
        problem = store_errors.explain(exc, engine.url)
        _LOG.error("the store failed while loading %s (%s): %s", report.file_name, problem.kind, problem.message,
                   exc_info=exc)
        report.store_error = problem.message
        report.errors.append(file_message(problem.message))
        return
    _LOG.error("unexpected error while loading %s", report.file_name, exc_info=exc)
    report.errors.append(file_message(
        f"{report.file_name} could not be loaded because of an unexpected error in this software; nothing was "
        "stored. Please send the file to the ACCSM secretariat."))


def compute_content_digest(kind: str, canonical: object) -> str:
    """Return the sha256 of the canonical JSON of a file's parsed content (the same however it was re-saved)."""
    text = json.dumps({"kind": kind, "content": canonical}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load(engine: Engine, data: bytes, report: ImportReport, user: str, is_demo: bool, reason: str | None) -> None:
    try:
        workbook = read_workbook(data, report.file_name)
    except UnreadableFile as exc:
        report.errors.append(file_message(exc.message))
        return
    report.warnings.extend(file_message(w) for w in workbook.warnings)
    identity = _read_identity(workbook, report)
    if identity is None:
        return
    report.kind, version = identity
    kind = KINDS[report.kind]
    try:
        _store(engine, data, report, user, is_demo, workbook, kind, version, reason)
    except access.AccessRefused as refusal:  # recorded in the audit log after the rollback: nothing was stored
        report.accepted, report.submission_id, report.duplicate_of = False, None, None
        report.changes, report.nothing_to_change = [], False
        report.errors.append(file_message(f"{refusal}; nothing was stored"))


def _store(engine: Engine, data: bytes, report: ImportReport, user: str, is_demo: bool, workbook: Workbook,
           kind: Kind, version: str, reason: str | None) -> None:
    # The write lock comes first, so validation, the comparison and the supersession all see the store as it
    # is when this file is stored: two uploads of the same AMS and year run one after the other.
    with access.refusals_recorded(engine), write_transaction(engine) as connection:
        validation = kind.validate(workbook, connection)
        report.errors.extend(_in_reading_order(workbook, validation.errors))
        report.warnings.extend(_in_reading_order(workbook, validation.warnings))
        report.title = validation.title
        if report.errors:
            return
        # A dry run asks too, so the check on the page says at once what the upload would say.
        access.require(connection, user, access.ACTION_OF_KIND[report.kind], validation.country)
        digest = compute_content_digest(report.kind, kind.canonicalise(validation.content))
        report.changes = kind.compare(connection, validation.content)
        same = store.find_submission_by_digest(connection, report.kind, digest)
        report.accepted = True
        if same is not None and same.status == "current" and not report.changes:
            report.duplicate_of = same.id
            report.duplicate_loaded_at = f"{same.submitted_at:%Y-%m-%d %H:%M}"
            return
        if kind.read_stored is not None and not report.changes:
            report.nothing_to_change = True
            return
        before = None
        if kind.locks_confirmed:
            # A confirmed return is locked: refused (and audited) for anyone but the secretariat, who gives a reason.
            try:
                before, reason = review.check_new_version(connection, user, validation.country, validation.year,
                                                          reason)
            except review.ReviewError as problem:
                if not report.dry_run:
                    report.accepted = False
                    report.errors.append(file_message(f"{problem}; nothing was stored"))
                    return
                report.warnings.append(file_message(str(problem)))
        if report.dry_run:
            return
        info = SubmissionInfo(
            kind=report.kind, file_name=_base_name(report.file_name), sha256=hashlib.sha256(data).hexdigest(),
            content_digest=digest, template_version=version, user=user, is_demo=is_demo,
            warnings=tuple(str(w) for w in report.warnings), country=validation.country, year=validation.year,
            subject=validation.subject,
        )
        report.submission_id = kind.store(connection, validation.content, info)
        if before is not None:
            review.record_new_version(connection, before, report.submission_id, user, reason)


def _in_reading_order(workbook: Workbook, messages: list[Message]) -> list[Message]:
    """Sort messages as a person reads the file: by sheet, then row, then column."""
    sheets = [s.name for s in workbook.sheets]

    def position(message: Message) -> tuple:
        match = re.fullmatch(r"([A-Z]+)([0-9]+)", message.cell or "")
        row, column = (int(match[2]), (len(match[1]), match[1])) if match else (0, (0, ""))
        sheet = sheets.index(message.sheet) if message.sheet in sheets else -1
        return sheet, row, column

    return sorted(messages, key=position)


def _read_identity(workbook: Workbook, report: ImportReport) -> tuple[str, str] | None:
    """Return (kind, template version) from the Instructions sheet, or None after recording why not."""
    sheet = workbook.sheet(layout.INSTRUCTIONS_SHEET)
    if sheet is None:
        report.errors.append(file_message(
            "this workbook is not an ACCSM template (it has no Instructions sheet saying what it is): "
            "copy the answers into a blank template (Country returns page, or `python -m importers template …`) "
            "and upload that"))
        return None
    kind = _text(sheet.cell(*layout.KIND_VALUE_CELL))
    version = _text(sheet.cell(*layout.VERSION_VALUE_CELL))
    where = layout.INSTRUCTIONS_SHEET
    if kind == layout.EXPORT_KIND:
        report.errors.append(file_message(
            f"this is a data export from the ACCSM dashboard ({_text(sheet.cell(1, 1)) or 'a table'}), made for "
            "reading: it cannot be loaded back. To change data, fill a blank template and upload that"))
        return None
    if _text(sheet.cell(*layout.KIND_LABEL_CELL)) != layout.KIND_CODE or kind not in KINDS:
        report.errors.append(_message(where, layout.KIND_VALUE_CELL, f"{layout.KIND_CODE} is {kind!r}: this "
                                      f"software reads {', '.join(KINDS)}; do not edit cells A2:B3 of this sheet"))
        return None
    if _text(sheet.cell(*layout.VERSION_LABEL_CELL)) != layout.VERSION_CODE or versions.find(kind, version) is None:
        known = ", ".join(v.version for v in versions.released(kind))
        report.errors.append(_message(where, layout.VERSION_VALUE_CELL, f"{layout.VERSION_CODE} is {version!r}, "
                                      f"which this software cannot read (it reads {kind} version {known}): use "
                                      "a new template"))
        return None
    return kind, version


def _base_name(file_name: str) -> str:
    """Return the file's own name: the folder it was loaded from (a path on someone's machine) is not stored."""
    return PureWindowsPath(file_name).name if "\\" in file_name else PurePosixPath(file_name).name


def _text(cell) -> str | None:
    if cell is None or cell.value is None:
        return None
    value = cell.value
    # A version typed again by hand becomes the number 1.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _message(sheet: str, position: tuple[int, int], text: str) -> Message:
    return Message(sheet, cell_ref(*position), text)
