"""The upload flow shared by the returns and targets pages: validate (dry run), show the report, confirm, store."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import data, state, widgets
from dashboard.text import literal
from importers.safe_read import Limits
from kpi import review
from kpi.store_errors import StoreUnavailable

_REJECTED = "rejected_uploads"  # (country, year) of returns rejected in this session: never stored
_TITLE = re.compile(r"return\s+([A-Z]{3})\s+(\d{4})")
MAX_UPLOAD_MB = Limits().max_bytes // (1024 * 1024)  # .streamlit/config.toml server.maxUploadSize is the same


def size_limit_note() -> str:
    """Return the upload size limit in words, for an uploader's help text."""
    return f"At most {MAX_UPLOAD_MB} MB per file."


def draw_upload_flow(key: str, label: str, help: str) -> None:
    """Draw the uploader, each file's import report and the "Confirm and store" button."""
    url = data.get_database_url()
    counter = st.session_state.setdefault(f"{key}_round", 0)
    files = st.file_uploader(label, type=["xlsx", "ods"], accept_multiple_files=True, key=f"{key}_{counter}",
                             help=f"{help} {size_limit_note()}", max_upload_size=MAX_UPLOAD_MB)
    _draw_stored_results(key)
    if not files:
        return
    checked = st.session_state.setdefault(f"{key}_checked", {})
    reports = []
    for file in files:
        cache_key = (file.name, file.size, getattr(file, "file_id", ""))
        if cache_key not in checked:
            report = _load(url, file.getvalue(), file.name, dry_run=True)
            _remember_rejection(report)
            if report.store_error:  # the store failed, not the file: check it again on the next run
                reports.append((file, report))
                continue
            checked[cache_key] = report
        reports.append((file, checked[cache_key]))
    st.subheader("Check before storing")
    for _file, report in reports:
        draw_report(report)
    ready = [(f, r) for f, r in reports if r.accepted and not r.is_unchanged]
    if not ready:
        st.info("Nothing to store: fix the errors listed above and upload the files again.")
        return
    rejected = len([r for _f, r in reports if not r.accepted])
    note = f" ({rejected} rejected file(s) will not be stored)" if rejected else ""
    locked = _confirmed_among(url, [r for _f, r in ready])
    if locked:
        # Only the secretariat gets here: anyone else's check of a confirmed return is refused above.
        st.text_area(f"Reason for replacing the confirmed return(s) {', '.join(locked)} (kept in the audit trail)",
                     key=f"{key}_reason", max_chars=review.TEXT_LENGTH,
                     help="A confirmed return is locked: a new version replaces it only with a reason.")
    needs_reason = bool(locked) and not (st.session_state.get(f"{key}_reason") or "").strip()
    st.button(f"Confirm and store {len(ready)} file(s){note}", type="primary", key=f"{key}_confirm",
              on_click=_store, args=(url, key, [(f.name, f.getvalue()) for f, _r in ready]), disabled=needs_reason,
              help="Give the reason for replacing the confirmed return first." if needs_reason else None)


@widgets.guard_callback("storing the files")
def _store(url: str, key: str, files: list[tuple[str, bytes]]) -> None:
    # A callback runs before the rerun: the page then shows the result and the fresh figures.
    results = []
    reason = (st.session_state.pop(f"{key}_reason", None) or "").strip() or None  # read before the rerun redraws it
    for name, content in files:
        results.append(_load(url, content, name, dry_run=False, reason=reason))
        if results[-1].store_error:
            break  # the store failed, not the file: the next files would fail the same way
    st.session_state[f"{key}_results"] = results
    data.clear_caches()
    st.session_state[f"{key}_checked"] = {}
    if results and results[-1].store_error:
        # Keep the uploaded files, checked again on the rerun, so "Confirm and store" can be pressed once more.
        raise StoreUnavailable(results[-1].store_error)
    st.session_state[f"{key}_round"] = st.session_state.get(f"{key}_round", 0) + 1


def draw_report(report) -> None:
    """Draw one import report: the verdict, errors and warnings by cell, and what would change.

    The verdict quotes the file name and what the file is about (a project title): shown as written. Messages
    that quote cells, and the changes, are table cells, which are never read as markup.
    """
    line = literal(report.summarise())
    if not report.accepted:
        st.error(line, icon=":material/block:")
    elif report.is_unchanged:
        st.info(line, icon=":material/equal:")
    else:
        st.success(line, icon=":material/check_circle:")
    problems = describe_problems(report)
    if len(problems):
        st.dataframe(problems, hide_index=True, key=f"problems_{id(report)}")
    if report.changes:
        heading, before, after = (("What would change", "stored now", "in this file") if report.dry_run
                                  else ("What changed", "before", "now"))
        with st.expander(f"{heading} ({len(report.changes)})", expanded=report.dry_run):
            st.dataframe(pd.DataFrame([{"item": c.item, before: _text(c.old), after: _text(c.new)}
                                       for c in report.changes]), hide_index=True)


def describe_problems(report) -> pd.DataFrame:
    """Return errors and warnings of a report as a table: kind, sheet, cell, message."""
    rows = [{"kind": kind, "sheet": m.sheet or "(file)", "cell": m.cell or "", "message": m.text}
            for kind, messages in (("error", report.errors), ("warning", report.warnings)) for m in messages]
    return pd.DataFrame(rows, columns=["kind", "sheet", "cell", "message"])


def read_rejections() -> list[tuple[str, int]]:
    """Return (country, year) of the returns rejected in this session."""
    return list(st.session_state.get(_REJECTED, []))


def _load(url: str, content: bytes, file_name: str, dry_run: bool, reason: str | None = None):
    from importers.load import load_file
    return load_file(data.get_engine(url), content, file_name, state.current_user(), dry_run=dry_run, reason=reason)


def _confirmed_among(url: str, reports) -> list[str]:
    """Return "BRN 2019" for each checked return that would replace a confirmed one (which needs a reason)."""
    from importers.kinds import KINDS
    keys = [(m.group(1), int(m.group(2))) for r in reports if r.kind in KINDS and KINDS[r.kind].locks_confirmed
            for m in [_TITLE.search(r.title or "")] if m]
    if not keys:
        return []
    with data.get_engine(url).connect() as connection:
        return [f"{c} {y}" for c, y in keys if review.read_state(connection, c, y).state == review.CONFIRMED]


def _remember_rejection(report) -> None:
    if report.accepted or report.store_error:  # a store failure is no rejection of the file
        return
    match = _TITLE.search(getattr(report, "title", "") or getattr(report, "subject", "") or "")
    if match:
        st.session_state.setdefault(_REJECTED, []).append((match.group(1), int(match.group(2))))


def _draw_stored_results(key: str) -> None:
    results = st.session_state.get(f"{key}_results")
    if not results:
        return
    st.subheader("Result")
    for report in results:
        draw_report(report)
    st.button("Done", key=f"{key}_done", on_click=st.session_state.pop, args=(f"{key}_results", None))


def _text(value) -> str:
    return "(blank)" if value is None else str(value)
