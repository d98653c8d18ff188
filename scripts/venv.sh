# Sourced by dashboard.sh and test.sh: make the project's own virtual environment (.venv) and install a
# requirements file into it, never into the system Python (Debian and Ubuntu refuse system-wide pip installs).
# Sets VENV_PYTHON. Installs again only when the requirements files changed since the last install.

VENV_DIR="${ACCSM_VENV:-$PWD/.venv}"
VENV_PYTHON="$VENV_DIR/bin/python"

ensure_venv() {
  local requirements="$1"
  if [ ! -x "$VENV_PYTHON" ]; then
    if ! python3 -m venv "$VENV_DIR" 2>/dev/null; then
      rm -rf "$VENV_DIR"
      if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's python3-venv (needed to create the project's virtual environment)..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >/dev/null \
          || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
               apt-get install -y -q --no-install-recommends python3-venv >/dev/null; }
        python3 -m venv "$VENV_DIR"
      else
        echo "Cannot create a virtual environment: install Python's venv module (on Debian or Ubuntu:" \
             "sudo apt-get install python3-venv) and run this command again." >&2
        exit 1
      fi
    fi
  fi
  # A stamp of the requirements files' contents skips pip when nothing changed (a second start is quick).
  local stamp="$VENV_DIR/.requirements-$(basename "$requirements").sha256"
  local wanted
  wanted="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing the pinned Python packages into $VENV_DIR ..." >&2
    "$VENV_PYTHON" -m pip install -q --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$stamp"
  fi
}
