"""A throwaway PostgreSQL server for the tests: its own cluster in a temp folder, on a free local port.

`running_postgres()` starts one (initdb + postgres as the `postgres` user when the tests run as root) and
yields its SQLAlchemy URL; `fresh_database(url)` gives each test an empty database of its own. Without the
PostgreSQL binaries the tests that need them are skipped, except under CI (the CI variable set), where
PostgreSQL is installed and its absence is a failure.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

START_TIMEOUT_S = 60
_database_names = itertools.count(1)


def find_binaries() -> Path | None:
    """Return the folder holding initdb, pg_ctl, postgres and pg_isready (PATH first, then Debian's), or None."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).parent] if on_path else []
    # Debian keeps the server binaries out of PATH, one folder per major version: prefer the newest.
    candidates += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres", "pg_isready")):
            return folder
    return None


def skip_or_fail(reason: str) -> None:
    """Skip the test locally; fail it under CI, which installs PostgreSQL."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: CI installs postgresql (scripts/test.sh), so this is an error")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a PostgreSQL cluster in a temp folder; yield `postgresql+psycopg://postgres@127.0.0.1:<port>/postgres`."""
    binaries = find_binaries()
    if binaries is None:
        skip_or_fail("PostgreSQL binaries (initdb, pg_ctl, postgres, pg_isready) not found")
    # initdb refuses to run as root: run the server as the postgres user, in a folder it owns.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="accsm-pg-"))
    data = folder / "data"
    server = None
    try:
        if as_postgres:
            shutil.chown(folder, "postgres", "postgres")
        _run([*as_postgres, str(binaries / "initdb"), "--no-sync", "-A", "trust", "-U", "postgres",
              "-E", "UTF8", "--locale=C", "-D", str(data)], "initdb")
        port = _free_port()
        log = (folder / "server.log").open("wb")
        server = subprocess.Popen(
            [*as_postgres, str(binaries / "postgres"), "-D", str(data), "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-k", str(folder), "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        _wait_until_ready(binaries, server, port, folder / "server.log")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if server is not None:
            if server.poll() is None:
                subprocess.run([*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                "-w", "stop"], capture_output=True, timeout=60)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stdout}{result.stderr}")


def _wait_until_ready(binaries: Path, server: subprocess.Popen, port: int, log: Path) -> None:
    """Poll pg_isready until the server accepts connections; fail at once if the server exits."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        ready = subprocess.run([str(binaries / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port),
                                "-U", "postgres", "-d", "postgres", "-t", "5"], timeout=30).returncode == 0
        if ready:
            return
        if server.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited ({server.returncode}) before accepting connections:\n"
                               f"{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not accept connections within {START_TIMEOUT_S} s:\n"
                               f"{log.read_text(errors='replace')}")
        time.sleep(0.05)  # between polls of the state, not a guess at how long start-up takes


@contextlib.contextmanager
def fresh_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """Create an empty database on the server (or a copy of the database `template`, which nothing may be
    connected to); yield its URL; drop it (closing what still uses it) afterwards."""
    name = f"accsm_test_{os.getpid()}_{next(_database_names)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
