#!/usr/bin/env bash
# Serve the dashboard on the embedded SQLite database (demo data on first start), from the project's own
# virtual environment (.venv, created and filled on first run). Extra arguments go to `streamlit run`
# (through dashboard/launch.py).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements.txt

address="127.0.0.1"
port="8501"
previous=""
for argument in "$@"; do  # the address and port given on the command line, if any, for the line below
  case "$previous" in
    --server.address) address="$argument" ;;
    --server.port) port="$argument" ;;
  esac
  case "$argument" in
    --server.address=*) address="${argument#*=}" ;;
    --server.port=*) port="${argument#*=}" ;;
  esac
  previous="$argument"
done
# A store that was never used gets its demo data now, with progress on this terminal, so the first page is quick.
"$VENV_PYTHON" -m importers demo || echo "The demo data could not be prepared now; the dashboard tries again on the first visit." >&2
echo "ACCSM KPI dashboard: open http://$address:$port in a browser (database: ${ACCSM_DATABASE_URL:-data/accsm.db}). Stop with Ctrl+C."
# `streamlit run app.py`, from a process that imports what the pages import first (dashboard/launch.py): the first
# visit then does not wait for pandas, plotly and the KPI modules.
exec "$VENV_PYTHON" -m dashboard.launch --server.headless true --browser.gatherUsageStats false "$@"
