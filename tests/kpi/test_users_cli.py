"""`python -m kpi users …` as kpi/users_cli.py defines it: acts as a named user whose role is in the store."""

from __future__ import annotations

import argparse
import csv
import io
import json

import pytest
from sqlalchemy import select

from kpi import schema
from kpi.users_cli import add_users_parser, run_users


def _run(engine, capsys, *argv) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="python -m kpi")
    add_users_parser(parser.add_subparsers(dest="command", required=True))
    code = run_users(engine, parser.parse_args(list(argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


def _listed(engine, capsys, user="local") -> dict[str, dict]:
    code, out, _ = _run(engine, capsys, "users", "list", "--user", user)
    assert code == 0
    return {r["login"]: r for r in csv.DictReader(io.StringIO(out))}


def test_users_cli__add_set_role_deactivate_as_the_local_secretariat(engine, capsys, monkeypatch):
    monkeypatch.delenv("ACCSM_USER")  # a fresh local install: the seeded local user acts
    code, out, _ = _run(engine, capsys, "users", "add", "siti", "--name", "Siti Rahman", "--role", "focal_point",
                        "--country", "brn")
    assert (code, out) == (0, "added siti (focal point of BRN)\n")
    assert _run(engine, capsys, "users", "set-role", "siti", "--role", "viewer")[:2] == (
        0, "changed: siti (viewer)\n")
    assert _run(engine, capsys, "users", "deactivate", "siti")[:2] == (0, "siti is now deactivated\n")
    listed = _listed(engine, capsys)
    assert listed["siti"] == {"login": "siti", "display_name": "Siti Rahman", "role": "viewer", "country": "",
                              "active": "no", "sign_in_email": ""}
    with engine.connect() as connection:
        a = schema.audit_log.c
        actions = connection.execute(select(a.user_name, a.action).where(a.entity == "user", a.entity_key == "siti")
                                     .order_by(a.id)).all()
    assert actions == [("local", "add"), ("local", "set role"), ("local", "deactivate")]


def test_users_cli__unknown_acting_user_refused_with_how_to_add_one(engine, capsys, monkeypatch):
    monkeypatch.setenv("ACCSM_USER", "root")
    code, out, err = _run(engine, capsys, "users", "add", "x", "--name", "X", "--role", "viewer")
    assert code == 1 and out == ""
    assert "there is no user 'root'" in err and "python -m kpi users add root" in err
    assert "x" not in _listed(engine, capsys)
    with engine.connect() as connection:
        refused = connection.execute(select(schema.audit_log).where(schema.audit_log.c.action == "refuse")).all()
    assert [(r.user_name, r.entity_key) for r in refused] == [("root", "manage users and roles")]


def test_users_cli__list_needs_a_known_user(engine, capsys):
    code, out, err = _run(engine, capsys, "users", "list", "--user", "nobody")
    assert code == 1 and out == "" and "there is no user 'nobody'" in err


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_users_cli__a_non_secretariat_is_refused_and_nothing_changes(engine, capsys, role):
    country = ["--country", "KHM"] if role == "focal_point" else []
    assert _run(engine, capsys, "users", "add", "eve", "--name", "Eve", "--role", role, *country,
                "--user", "local")[0] == 0
    code, _, err = _run(engine, capsys, "users", "set-role", "eve", "--role", "secretariat", "--user", "eve")
    assert code == 1 and "may not manage users and roles" in err
    assert _listed(engine, capsys, user="eve")["eve"]["role"] == role  # reading is allowed


def test_users_cli__a_change_that_cannot_be_made_says_why(engine, capsys):
    code, _, err = _run(engine, capsys, "users", "add", "f", "--name", "F", "--role", "focal_point",
                        "--user", "local")
    assert code == 1 and "needs the ISO3 code" in err and "nothing was changed" in err


def test_users_cli__list_as_json(engine, capsys):
    code, out, _ = _run(engine, capsys, "users", "list", "--format", "json", "--user", "local")
    assert code == 0 and {"local", "demo"} <= {r["login"] for r in json.loads(out)}


def test_python_m_kpi_users__as_users_run_it(tmp_path, new_store_url):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    db = new_store_url("cli")

    def run(*argv, user=None):
        env_user = ["--user", user] if user else []
        return subprocess.run([sys.executable, "-m", "kpi", "--db", db, "users", *argv, *env_user], cwd=root,
                              capture_output=True, text=True, timeout=120)

    added = run("add", "siti", "--name", "Siti Rahman", "--role", "focal_point", "--country", "BRN", user="local")
    assert (added.returncode, added.stdout) == (0, "added siti (focal point of BRN)\n"), added.stderr
    refused = run("set-role", "siti", "--role", "secretariat", user="siti")
    assert refused.returncode == 1 and "siti (focal point of BRN) may not manage users" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert run("set-role", "siti", "--role", "wizard", user="local").returncode == 2  # a usage error
    listed = run("list", user="siti")
    assert listed.returncode == 0 and "siti,Siti Rahman,focal_point,BRN,yes" in listed.stdout
