"""Where the database lives and who is making a change."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
DATABASE_URL_VARIABLE = "ACCSM_DATABASE_URL"
USER_VARIABLE = "ACCSM_USER"

# interfaces.md names `sqlite:///data/accsm.db`; it is anchored at the project root so a
# command run from another folder still finds the same database instead of a new empty one.
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'accsm.db'}"


def resolve_database_url(cli_url: str | None = None) -> str:
    """Return the database URL: the `--db` value, else $ACCSM_DATABASE_URL, else the default."""
    return cli_url or os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


def resolve_user(cli_user: str | None = None) -> str:
    """Return the name recorded against a change: `--user`, else $ACCSM_USER, else the login name."""
    if cli_user:
        return cli_user
    if os.environ.get(USER_VARIABLE):
        return os.environ[USER_VARIABLE]
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"
