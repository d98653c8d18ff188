"""Regenerate docs/indicators.md from the indicator and field declarations."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python scripts/make_docs.py` from anywhere

from kpi.docs import DOCS_PATH, render_reference  # noqa: E402

if __name__ == "__main__":
    path = ROOT / DOCS_PATH
    path.write_text(render_reference(), encoding="utf-8")
    print(f"wrote {path}")
