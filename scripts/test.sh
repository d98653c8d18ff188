#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run every test.
# Debian packages (as root): chromium, LibreOffice, poppler, fonts and PostgreSQL; Python packages: into the
# project's own virtual environment (.venv), never the system Python. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(chromium libreoffice-calc libreoffice-impress poppler-utils fonts-dejavu-core postgresql)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]} (run as root, or install them with sudo apt-get install)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

source scripts/venv.sh
ensure_venv requirements-test.txt

# Every test on SQLite, then again with every store on a PostgreSQL server the run starts itself (tests/postgres.py),
# but for the browser tests, which drive the same pages and store code as the page tests (see README, "Tests").
# ACCSM_TEST_DATABASES="sqlite" (or "postgresql") runs one pass only.
status=0
for database in ${ACCSM_TEST_DATABASES:-sqlite postgresql}; do
  echo "== the tests with their stores on $database"
  extra=()
  [ "$database" = "postgresql" ] && extra=(--ignore=tests/e2e)
  code=0
  "$VENV_PYTHON" -m pytest --database "$database" "${extra[@]}" "$@" || code=$?
  # 5: nothing to run in this pass (only browser tests were asked for); not a failure of the PostgreSQL pass.
  if [ "$code" -ne 0 ] && ! { [ "$code" -eq 5 ] && [ "$database" = "postgresql" ]; }; then status=$code; fi
done
exit "$status"
