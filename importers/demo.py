"""Load the fictional demo workbooks of data/demo/ through the real importer into an empty store."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from importers.load import load_file
from kpi import store
from kpi.cli import format_report
from kpi.config import DATA_DIR
from kpi.db import open_store, write_transaction
from kpi.engine import compute_report
from kpi.store_errors import StoreUnavailable

DEMO_DIR = DATA_DIR / "demo"
GOLDEN_DIGITS = 9
# Returns first, so evaluations find their project and the percentage checks see the previous year.
_LOAD_ORDER = ("return_", "evaluations_", "targets_")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def list_demo_files(demo_dir: Path = DEMO_DIR) -> list[Path]:
    """Return the demo workbooks in the order they load: returns, evaluations, then targets."""
    def order(path: Path) -> tuple[int, str]:
        rank = next((i for i, prefix in enumerate(_LOAD_ORDER) if path.name.startswith(prefix)), len(_LOAD_ORDER))
        return rank, path.name
    return sorted(demo_dir.glob("*.xlsx"), key=order)


def load_demo_data(engine: Engine, user: str = "demo", demo_dir: Path = DEMO_DIR,
                   progress: Callable[[int, int, str], None] | None = None) -> int:
    """Load every demo workbook, marked as demo, into a store that was never used; return the files loaded.

    `progress(done, total, file name)` is called after each file (for a progress bar or line).

    Returns 0 without loading anything once the store has any history (so demo data an official removed
    does not come back on the next start). Raises RuntimeError naming the file and its errors when one is
    rejected, after removing the demo files loaded before it; StoreUnavailable when the database fails.
    """
    with engine.connect() as connection:
        if store.has_history(connection):
            return 0
    files = list_demo_files(demo_dir)
    if not files:
        raise RuntimeError(f"no demo workbooks in {demo_dir}: run python scripts/make_demo_data.py")
    for done, path in enumerate(files, start=1):
        report = load_file(engine, path.read_bytes(), path.name, user, is_demo=True)
        if report.store_error:  # the database failed, not the file: say what to do about the database
            raise StoreUnavailable(report.store_error)
        if not report.accepted:
            with write_transaction(engine) as connection:
                store.remove_demo_data(connection, user)
            problems = "; ".join(str(m) for m in report.errors)
            raise RuntimeError(f"the demo file {path.name} was rejected, so no demo data was loaded: {problems}")
        if progress is not None:
            progress(done, len(files), path.name)
    return len(files)


def compute_report_text(engine: Engine) -> str:
    """Return the KPI report of the store as `python -m kpi report --format csv` prints it."""
    with engine.connect() as connection:
        return format_report(compute_report(connection), "csv")


def compute_demo_report(demo_dir: Path = DEMO_DIR) -> str:
    """Return the KPI report of a fresh SQLite store loaded with the demo data, figures rounded (round_figures)."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = open_store(f"sqlite:///{Path(scratch) / 'demo.db'}")
        try:
            load_demo_data(engine, demo_dir=demo_dir)
            return round_figures(compute_report_text(engine))
        finally:
            engine.dispose()


def round_figures(csv_text: str, digits: int = GOLDEN_DIGITS) -> str:
    """Return the CSV with every number (also inside JSON cells) to `digits` significant digits.

    Binary noise in the last digits differs between platforms; a change in a figure does not.
    """
    rows = list(csv.reader(io.StringIO(csv_text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_round_text(cell, digits) for cell in row])
    return out.getvalue()


def _round_text(text: str, digits: int) -> str:
    if _NUMBER.match(text):
        return _round_number(float(text), digits)
    if text.startswith("{"):
        try:
            return json.dumps(_round_json(json.loads(text), digits), sort_keys=True)
        except ValueError:
            return text
    return text


def _round_json(value, digits: int):
    if isinstance(value, dict):
        return {k: _round_json(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_json(v, digits) for v in value]
    if isinstance(value, float):
        return float(_round_number(value, digits))
    return value


def _round_number(number: float, digits: int) -> str:
    text = f"{number:.{digits}g}"
    return "0" if text == "-0" else text
