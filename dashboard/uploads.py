"""The upload flow shared by the returns and targets pages: validate (dry run), show the report, confirm, store."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import data, state

_REJECTED = "rejected_uploads"  # (country, year) of returns rejected in this session: never stored
_TITLE = re.compile(r"return\s+([A-Z]{3})\s+(\d{4})")


def draw_upload_flow(key: str, label: str, help: str) -> None:
    """Draw the uploader, each file's import report and the "Confirm and store" button."""
    url = data.get_database_url()
    counter = st.session_state.setdefault(f"{key}_round", 0)
    files = st.file_uploader(label, type=["xlsx", "ods"], accept_multiple_files=True, key=f"{key}_{counter}",
                             help=help)
    _draw_stored_results(key)
    if not files:
        return
    checked = st.session_state.setdefault(f"{key}_checked", {})
    reports = []
    for file in files:
        cache_key = (file.name, file.size, getattr(file, "file_id", ""))
        if cache_key not in checked:
            checked[cache_key] = _load(url, file.getvalue(), file.name, dry_run=True)
            _remember_rejection(checked[cache_key])
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
    st.button(f"Confirm and store {len(ready)} file(s){note}", type="primary", key=f"{key}_confirm",
              on_click=_store, args=(url, key, [(f.name, f.getvalue()) for f, _r in ready]))


def _store(url: str, key: str, files: list[tuple[str, bytes]]) -> None:
    # A callback runs before the rerun: the page then shows the result and the fresh figures.
    st.session_state[f"{key}_results"] = [_load(url, content, name, dry_run=False) for name, content in files]
    data.clear_caches()
    st.session_state[f"{key}_round"] = st.session_state.get(f"{key}_round", 0) + 1
    st.session_state[f"{key}_checked"] = {}


def draw_report(report) -> None:
    """Draw one import report: the verdict, errors and warnings by cell, and what would change."""
    line = report.summarise()
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


def _load(url: str, content: bytes, file_name: str, dry_run: bool):
    from importers.load import load_file
    return load_file(data.get_engine(url), content, file_name, state.current_user(), dry_run=dry_run)


def _remember_rejection(report) -> None:
    if report.accepted:
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
