"""Regenerate docs/indicators.md from the indicator and field declarations."""

from pathlib import Path

from kpi.config import PROJECT_ROOT
from kpi.docs import DOCS_PATH, render_reference

if __name__ == "__main__":
    path = Path(PROJECT_ROOT, DOCS_PATH)
    path.write_text(render_reference(), encoding="utf-8")
    print(f"wrote {path}")
