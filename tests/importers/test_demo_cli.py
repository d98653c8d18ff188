"""`python -m importers demo`: the demo data prepared ahead of the first visit, with progress, once only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from kpi import schema
from kpi.db import open_store

ROOT = Path(__file__).resolve().parents[2]


def _demo(url: str):
    return subprocess.run([sys.executable, "-m", "importers", "demo", "--db", url], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_demo__loads_a_never_used_store_with_progress_then_leaves_it_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'never_used.db'}"
    first = _demo(url)
    assert first.returncode == 0, first.stderr
    total = len(list((ROOT / "data" / "demo").glob("*.xlsx")))
    assert first.stdout == f"loaded {total} demo files\n"
    assert f"demo data: {total} of {total} files loaded" in first.stderr
    engine = open_store(url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(schema.submission)).scalar_one()
    engine.dispose()
    assert stored == total

    again = _demo(url)
    assert again.returncode == 0 and again.stdout == "the store has been used already: no demo data loaded\n"


def test_dashboard_script_prepares_the_demo_before_serving():
    script = (ROOT / "scripts" / "dashboard.sh").read_text()
    assert script.index("-m importers demo") < script.index("-m dashboard.launch")
