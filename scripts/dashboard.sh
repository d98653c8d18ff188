#!/usr/bin/env bash
# Install the Python packages and serve the dashboard on the embedded SQLite database (demo data on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --disable-pip-version-check -r requirements.txt
exec python3 -m streamlit run app.py --browser.gatherUsageStats false "$@"
