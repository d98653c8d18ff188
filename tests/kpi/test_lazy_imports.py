"""The command lines answer --help without the heavy libraries, and a report on an up-to-date store never migrates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from importers import layout
from importers.load import KINDS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "openpyxl", "sqlalchemy", "alembic", "plotly", "streamlit")


def _modules_after(code: str) -> list[str]:
    """Run `code` in a fresh interpreter of this project; return which of HEAVY it imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", ["kpi", "importers"])
def test_help__imports_no_heavy_library(command):
    code = (f"import contextlib, io, sys, runpy\nsys.argv = ['{command}', '--help']\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        runpy.run_module('{command}', run_name='__main__')\n"
            f"    except SystemExit:\n        pass")
    assert _modules_after(code) == []


def test_report__up_to_date_store__alembic_never_imported(engine):
    code = (f"import contextlib, io, sys\nfrom kpi.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['report', '--db', {str(engine.url)!r}]) == 0")
    imported = _modules_after(code)
    assert "alembic" not in imported and "pandas" in imported


def test_workbook_kinds__the_loaders_kinds():
    assert tuple(KINDS) == layout.WORKBOOK_KINDS
