"""Real store failures for the tests: a locked, read-only or full SQLite database, and the CLIs run against them.

The tests run as root, who may write a file of mode 0444, so read-only is SQLite's own `mode=ro` URI, a full
disk is `PRAGMA max_page_count` at the database's size (SQLite then answers SQLITE_FULL, "database or disk is
full", exactly as on a full disk), and a locked database is another connection holding BEGIN EXCLUSIVE.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from kpi.db import open_store

ROOT = Path(__file__).resolve().parents[1]

# Run `python -m MODULE ARGS` after installing test hooks in the same process (argv: hooks, module, args...).
_HOOKED = r"""
import runpy, sys
hooks = set(filter(None, sys.argv[1].split(",")))
if "busy_300ms" in hooks:  # wait 0.3 s, not 10 s, for another program's write lock
    import kpi.db
    kpi.db.SQLITE_BUSY_TIMEOUT_MS = 300
if "disk_full" in hooks:  # the database file may not grow: SQLite answers "database or disk is full"
    from sqlalchemy import event, pool
    @event.listens_for(pool.Pool, "connect")
    def _no_room_to_grow(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()
if "interrupt" in hooks:  # Ctrl-C while the command works
    def _interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    import importers.load, kpi.engine
    importers.load.load_file = _interrupted
    kpi.engine.compute_report = _interrupted
module = sys.argv[2]
sys.argv = [module, *sys.argv[3:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_cli(module: str, *args: str, hooks: tuple[str, ...] = (), cwd: Path | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m module args` in a subprocess, as users run it (with `hooks` from _HOOKED installed)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    command = ([sys.executable, "-c", _HOOKED, ",".join(hooks), module, *args] if hooks
               else [sys.executable, "-m", module, *args])
    return subprocess.run(command, cwd=cwd or ROOT, env=environment, capture_output=True, text=True, timeout=180)


def make_store(path: Path) -> str:
    """Create a real store at `path` with the app's own open_store, compacted (no free pages); return its URL."""
    url = f"sqlite:///{path}"
    open_store(url).dispose()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("VACUUM")
    return url


def dump(path: Path) -> list[str]:
    """Return the whole content of a SQLite database as SQL text: equal dumps mean an unchanged database."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


@contextlib.contextmanager
def write_lock_held(path: Path):
    """Hold the write lock of a SQLite database, as another program in the middle of writing does."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def assert_one_sentence(result: subprocess.CompletedProcess, *words: str) -> str:
    """Check stderr is one line `error: ...` naming the problem (every one of `words`), no traceback, no SQL."""
    both = result.stdout + result.stderr
    assert "Traceback" not in both, both
    for leak in ("SQL:", "[parameters", "sqlite3.", "OperationalError", "psycopg."):
        assert leak not in both, both
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
