"""Worker jobs for the import rows: the project's importer, python-calamine alone, and naive pandas + to_sql."""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from pathlib import Path


def import_files(files: list[str], keep_as: str | None = None, start_from: str | None = None,
                 timed: list[str] | None = None) -> dict:
    """Load files in order through importers.load.load_file into a fresh store (or a copy of start_from).

    Returns the seconds of every file, how many were accepted, and the schema set-up time (not in the files').
    `keep_as` keeps the filled store at that path; `timed` limits the per-file list to those names.
    """
    from importers.load import load_file
    from kpi.db import open_store

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        path = folder / "store.db"
        if start_from:
            shutil.copyfile(start_from, path)
        started = time.perf_counter()
        engine = open_store(f"sqlite:///{path}")
        setup = time.perf_counter() - started
        seconds, accepted, rejected = {}, 0, []
        for name in files:
            data = Path(name).read_bytes()
            started = time.perf_counter()
            report = load_file(engine, data, Path(name).name, "local", is_demo=True)
            seconds[Path(name).name] = time.perf_counter() - started
            if report.accepted:
                accepted += 1
            else:
                rejected.append(f"{Path(name).name}: {'; '.join(str(m) for m in report.errors)[:200]}")
        engine.dispose()
        if keep_as:
            shutil.copyfile(path, keep_as)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if timed is not None:
        seconds = {k: v for k, v in seconds.items() if k in set(timed)}
    return {"seconds": seconds, "accepted": accepted, "files": len(files), "rejected": rejected[:5],
            "setup": setup}


def calamine_files(files: list[str]) -> dict:
    """Read every sheet of every file with python-calamine (values only); return the seconds of each file."""
    from python_calamine import CalamineWorkbook

    seconds, cells = {}, 0
    for name in files:
        data = Path(name).read_bytes()
        started = time.perf_counter()
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet in workbook.sheet_names:
            cells += sum(len(row) for row in workbook.get_sheet_by_name(sheet).to_python())
        seconds[Path(name).name] = time.perf_counter() - started
    return {"seconds": seconds, "cells": cells}


def naive_files(files: list[str]) -> dict:
    """pandas.read_excel(engine="openpyxl", sheet_name=None) + DataFrame.to_sql into a fresh SQLite, per file."""
    import pandas as pd
    from sqlalchemy import create_engine

    folder = Path(tempfile.mkdtemp(prefix="bench-naive-"))
    try:
        engine = create_engine(f"sqlite:///{folder / 'naive.db'}")
        seconds = {}
        for n, name in enumerate(files):
            data = Path(name).read_bytes()
            started = time.perf_counter()
            sheets = pd.read_excel(io.BytesIO(data), engine="openpyxl", sheet_name=None)
            with engine.begin() as connection:
                for k, (sheet, frame) in enumerate(sheets.items()):
                    frame.columns = [str(c) for c in frame.columns]
                    try:
                        frame.to_sql(f"f{n}_s{k}", connection, index=False)
                    except Exception:  # noqa: BLE001 - a type sqlite3 cannot bind: store it as text
                        frame.astype(str).to_sql(f"f{n}_s{k}", connection, index=False, if_exists="replace")
            seconds[Path(name).name] = time.perf_counter() - started
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": seconds}
