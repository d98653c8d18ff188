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
exec "$VENV_PYTHON" -m pytest "$@"
