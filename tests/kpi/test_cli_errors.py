"""Store failures in words: `python -m kpi` says what is wrong with the database in one sentence, never a traceback.

Exit codes: 2 for a database URL that cannot be used (a usage error), 3 for a store that cannot be used,
130 when interrupted. The sentences come from kpi.store_errors; they blame the store, never show SQL,
parameters or a password, and the details go to the log (stderr with --verbose, $ACCSM_LOG_FILE).
"""

from __future__ import annotations

import argparse

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from kpi import store_errors
from kpi.exports.cli import EXIT_STORE, add_export_parser, run_export
from tests.store_failures import assert_one_sentence, make_store, run_cli


@pytest.mark.parametrize("url, words", [
    ("notadialect://x", ['The database URL "notadialect://x" cannot be used',
                         'does not know the database kind "notadialect"', "--db"]),
    ("not a url", ['The database URL "not a url" cannot be used', "not a valid database URL"]),
    ("postgresql+psycopg2://user:secret@localhost/accsm", ["the Python driver psycopg2 is not installed"]),
])
def test_a_database_url_that_cannot_be_used_is_a_usage_error(url, words):
    result = run_cli("kpi", "report", "--db", url)

    assert result.returncode == 2
    assert_one_sentence(result, *words)
    assert "secret" not in result.stderr


def test_a_database_url_from_the_environment_is_checked_the_same_way():
    result = run_cli("kpi", "report", env={"ACCSM_DATABASE_URL": "notadialect://x"})
    assert result.returncode == 2
    assert_one_sentence(result, 'The database URL "notadialect://x" cannot be used')


@pytest.mark.parametrize("where, reason", [
    ("a_file/accsm.db", "part of its path is a file, not a folder"),
    ("/proc/nonexistent-dir/accsm.db", "its folder cannot be created"),  # not even root may create it
])
def test_a_database_that_cannot_be_created_says_so(tmp_path, where, reason):
    (tmp_path / "a_file").write_text("not a folder")
    path = where if where.startswith("/") else f"{tmp_path}/{where}"

    result = run_cli("kpi", "report", "--db", f"sqlite:///{path}")

    assert result.returncode == 3
    assert_one_sentence(result, f"The database {path} cannot be opened ({reason}); nothing was stored.")


def test_a_file_that_is_not_a_database_says_so(tmp_path):
    junk = tmp_path / "accsm.db"
    junk.write_bytes(b"this is not a database" * 100)

    result = run_cli("kpi", "report", "--db", f"sqlite:///{junk}")

    assert result.returncode == 3
    assert_one_sentence(result, f"The database {junk} cannot be opened (the file is not a database)")
    assert junk.read_bytes() == b"this is not a database" * 100


def test_an_unreachable_server_says_so_without_the_password():
    result = run_cli("kpi", "report", "--db", "postgresql+psycopg://accsm:secret@127.0.0.1:1/accsm?password=x")

    assert result.returncode == 3
    assert_one_sentence(result, "The database server of postgresql+psycopg://accsm@127.0.0.1:1/accsm cannot be "
                                "reached (connection refused)", "Check that the server is running")
    assert "secret" not in result.stderr and "password=" not in result.stderr


def test_an_interrupted_command_says_so(tmp_path):
    url = make_store(tmp_path / "accsm.db")

    result = run_cli("kpi", "report", "--db", url, hooks=("interrupt",))

    assert result.returncode == 130
    assert result.stderr.strip() == "interrupted; nothing more was stored"
    assert "Traceback" not in result.stdout + result.stderr


def test_verbose_and_the_log_file_get_the_details(tmp_path):
    junk = tmp_path / "accsm.db"
    junk.write_bytes(b"this is not a database" * 100)
    log = tmp_path / "accsm.log"

    quiet = run_cli("kpi", "report", "--db", f"sqlite:///{junk}", env={"ACCSM_LOG_FILE": str(log)})
    verbose = run_cli("kpi", "report", "--verbose", "--db", f"sqlite:///{junk}")

    assert quiet.returncode == verbose.returncode == 3
    assert_one_sentence(quiet, "the file is not a database")
    assert "Traceback" in log.read_text(encoding="utf-8") and "sqlite3.DatabaseError" in log.read_text()
    assert "Traceback" in verbose.stderr and "ERROR kpi.cli: store failure (cannot open)" in verbose.stderr
    assert verbose.stderr.rstrip().splitlines()[-1] == quiet.stderr.strip()


def test_help_names_the_exit_codes():
    result = run_cli("kpi", "--help")
    assert result.returncode == 0
    assert "3 the database could not be used" in " ".join(result.stdout.split())


def test_run_export_reports_a_store_failure_in_one_sentence(tmp_path, capsys):
    no_schema = create_engine(f"sqlite:///{tmp_path}/empty.db")
    parser = argparse.ArgumentParser()
    add_export_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["export", "table", "--what", "kpis", "-o", str(tmp_path / "k.csv")])

    code = run_export(no_schema, args)

    err = capsys.readouterr().err
    assert code == EXIT_STORE
    assert err.startswith(f"error: The database {tmp_path}/empty.db does not hold the ACCSM tables")
    assert "SQL" not in err and not (tmp_path / "k.csv").exists()


def _wrapped(orig: Exception) -> OperationalError:
    return OperationalError("INSERT INTO submission (file_name) VALUES (?)", {"file_name": "secret.xlsx"}, orig)


@pytest.mark.parametrize("orig, kind, words", [
    (psycopg.errors.DiskFull("could not extend file"), store_errors.DISK_FULL, "The disk holding the database"),
    (psycopg.errors.LockNotAvailable("lock timeout"), store_errors.BUSY, "is busy with another change"),
    (psycopg.errors.SerializationFailure("could not serialize"), store_errors.BUSY, "is busy with another change"),
    (psycopg.errors.ReadOnlySqlTransaction("read-only"), store_errors.READ_ONLY, "is read-only"),
    (psycopg.OperationalError('connection to server at "db", port 5432 failed: Connection refused'),
     store_errors.UNREACHABLE, "cannot be reached (connection refused)"),
    (psycopg.OperationalError('password authentication failed for user "accsm"'), store_errors.LOGIN_REFUSED,
     "refused the login"),
])
def test_postgresql_failures_in_words(orig, kind, words):
    problem = store_errors.explain(_wrapped(orig), "postgresql+psycopg://accsm:secret@db/accsm")

    assert problem.kind == kind
    assert words in problem.message and "postgresql+psycopg://accsm@db/accsm" in problem.message
    for leak in ("secret", "INSERT", "SQL", "file_name"):
        assert leak not in problem.message


def test_sqlite_failures_in_words(tmp_path):
    url = make_store(tmp_path / "accsm.db")
    engine = create_engine(f"sqlite:///file:{tmp_path}/accsm.db?mode=ro&uri=true")
    with pytest.raises(OperationalError) as raised, engine.begin() as connection:
        connection.execute(text("UPDATE member_state SET name = 'x'"))
    engine.dispose()

    problem = store_errors.explain(raised.value, url)

    assert problem.kind == store_errors.READ_ONLY
    assert problem.message == (f"The database {tmp_path}/accsm.db is read-only, so nothing was stored. Ask for "
                               "write access to the database file and its folder, or use a database you may change.")


def test_translated_turns_a_store_failure_into_store_unavailable(tmp_path):
    with pytest.raises(store_errors.StoreUnavailable) as raised:
        with store_errors.translated(f"sqlite:///{tmp_path}/x.db"):
            raise _wrapped(Exception("database is locked"))
    assert raised.value.kind == store_errors.LOCKED
    assert isinstance(raised.value.__cause__, OperationalError)
    with pytest.raises(ValueError), store_errors.translated("sqlite:///x.db"):
        raise ValueError("not a store failure")
