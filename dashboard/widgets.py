"""Widgets shared by the pages: figures with their downloads, status labels, no-data-aware numbers, error guard."""

from __future__ import annotations

import contextlib
import logging
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi import charts
from kpi.exports import images, tables
from kpi.progress import ACCELERATION_NEEDED, ACHIEVED, DETERIORATION, LIMITED_PROGRESS, NO_DATA, ON_TRACK

NO_DATA_TEXT = NO_DATA
_BADGE_COLOURS = {ACHIEVED: "green", ON_TRACK: "green", ACCELERATION_NEEDED: "orange", LIMITED_PROGRESS: "red",
                  DETERIORATION: "red"}
_LOG = logging.getLogger(__name__)


def format_number(value, unit: str = "", percent: bool | None = None) -> str:
    """Return a value for display: percentages with one decimal, "no data" for None/NaN (never 0)."""
    return charts.format_value(value, unit, percent)


def show_figure(fig: go.Figure, key: str, data: pd.DataFrame | None = None, file_stem: str | None = None) -> None:
    """Draw a plotly figure with PNG, SVG (rendered only when clicked), CSV and Excel downloads of its data."""
    st.plotly_chart(fig, key=key, theme=None, config={"displaylogo": False,
                                                      "toImageButtonOptions": {"filename": file_stem or key}})
    draw_downloads(key, fig=fig, data=data, file_stem=file_stem)


def draw_downloads(key: str, fig: go.Figure | None = None, data: pd.DataFrame | None = None,
                   file_stem: str | None = None) -> None:
    """Draw the download buttons of a figure (PNG, SVG) and of its data (CSV, Excel) in one row."""
    stem = _safe_name(file_stem or key)
    columns = iter(st.columns(4 if fig is not None else 2, width=560 if fig is not None else 280))
    if fig is not None:
        for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
            # Rendered only when clicked: a page run never waits for the renderer.
            next(columns).download_button(
                fmt.upper(), data=_deferred(images.render_figure, fig, fmt), file_name=f"{stem}.{fmt}", mime=mime,
                key=f"{key}_{fmt}", on_click="ignore", icon=":material/download:",
                help=f"Download this chart as {fmt.upper()}, with its title, legend, source and date")
    if data is not None:
        exported = _for_export(data)
        next(columns).download_button(
            "CSV", data=_deferred(tables.table_to_csv, exported), file_name=f"{stem}.csv", mime="text/csv",
            key=f"{key}_csv", on_click="ignore", icon=":material/download:",
            help="Download the data behind this view as CSV")
        next(columns).download_button(
            "Excel", data=_deferred(tables.table_to_excel, exported, stem[:31]), file_name=f"{stem}.xlsx",
            key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            help="Download the data behind this view as an Excel workbook")


def draw_table_downloads(key: str, data: pd.DataFrame, file_stem: str | None = None) -> None:
    """Draw CSV and Excel downloads for a table."""
    draw_downloads(key, data=data, file_stem=file_stem)


def status_badge(status: str | None) -> None:
    """Draw a status as a coloured badge that also prints the label (grey for anything not judged)."""
    label = status or NO_DATA
    st.badge(label, color=_BADGE_COLOURS.get(label, "gray"))


def status_markdown(status: str | None) -> str:
    """Return markdown for a status badge inline in text."""
    label = status or NO_DATA
    return f":{_BADGE_COLOURS.get(label, 'gray')}-badge[{label}]"


def style_status(frame: pd.DataFrame, columns: tuple[str, ...] = ("status",)):
    """Return a Styler colouring the status columns by status, label kept (white text on the status colour)."""
    def colour(value):
        if not isinstance(value, str) or value in ("", "yes", "no"):
            return ""
        return f"background-color: {charts.status_colour(value)}; color: white"
    present = [c for c in columns if c in frame.columns]
    return frame.style.map(colour, subset=present)


@contextlib.contextmanager
def explain_errors(what: str = "this page"):
    """Show an unexpected error in words instead of a traceback (st.stop and st.rerun pass through)."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - a page must never show a traceback to an official
        _LOG.exception("error while drawing %s", what)
        st.error(f"Something went wrong while drawing {what}: {_describe(error)}\n\n"
                 "Nothing was changed. Try reloading the page; if it happens again, send this message "
                 "to the secretariat's technical contact.", icon=":material/error:")


def _describe(error: Exception) -> str:
    name = type(error).__name__
    if "OperationalError" in name or "DatabaseError" in name:
        return "the database could not be read (is the database file or server available?)."
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{name}: {text}" if text else name


def _deferred(function, *args):
    return lambda: function(*args)


def _for_export(data: pd.DataFrame) -> pd.DataFrame:
    # Exports keep the unrounded figures; only dict/list cells are turned into text.
    frame = data.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (dict, list))).any():
            frame[column] = frame[column].map(lambda v: "" if v in ({}, []) else str(v))
    return frame


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "export"
