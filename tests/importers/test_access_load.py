"""Who may load what: a focal point refused another AMS's return (CLI and store API), a viewer refused every
write; each refusal audited and the store otherwise unchanged."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from importers.evaluations import fill_evaluations, write_evaluations_template
from importers.load import load_file
from importers.templates import fill_return, write_return_template, write_targets_template
from importers.workplan import write_workplan_template
from kpi import access, schema, store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.db import open_store, write_transaction
from kpi.fields import ANNEX1_ITEMS
from kpi.users import add_user, apply_change
from tests.importers.conftest import VALID_ITEMS, VALID_VALUES

ROOT = Path(__file__).resolve().parents[2]
REFUSED_KHM = "fp-brn (focal point of BRN) may not load a country return for KHM"


def _return(tmp_path: Path, country: str, name: str | None = None) -> Path:
    template = write_return_template(tmp_path / f"template_{country}.xlsx", country, 2018)
    return fill_return(template, tmp_path / (name or f"return_{country}.xlsx"), VALID_VALUES, VALID_ITEMS)


def _add_users(engine) -> None:
    apply_change(engine, add_user, "fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN", by="local")
    apply_change(engine, add_user, "viewer", "A viewer", access.VIEWER, None, by="local")


def _store_digest(engine) -> str:
    """The sha256 of every row of every table but the audit log (which gains the refusal)."""
    with engine.connect() as connection:
        rows = {t.name: sorted((repr(tuple(r)) for r in connection.execute(select(t))))
                for t in schema.metadata.sorted_tables if t.name != "audit_log"}
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _audit(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(schema.audit_log).order_by(schema.audit_log.c.id)).all()


def _cli(*args: str, db: str, user: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "importers", *args, "--db", db] + (["--user", user] if user else [])
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def store_url(new_store_url) -> str:
    url = new_store_url("access")
    engine = open_store(url)
    _add_users(engine)
    engine.dispose()
    return url


def test_cli__focal_point_of_brn_refused_a_khm_return_audited_store_unchanged(tmp_path, store_url):
    khm = _return(tmp_path, "KHM")
    engine = open_store(store_url)
    digest, audit = _store_digest(engine), _audit(engine)

    result = _cli("load", str(khm), db=store_url, user="fp-brn")

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(f"rejected: {khm} (1 error)")
    assert REFUSED_KHM in result.stdout and "nothing was stored" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert _store_digest(engine) == digest
    after = _audit(engine)
    assert after[:len(audit)] == audit and len(after) == len(audit) + 1
    refusal = after[-1]
    assert (refusal.user_name, refusal.action, refusal.entity, refusal.entity_key) == (
        "fp-brn", "refuse", "access", "load a country return/KHM")
    assert json.loads(refusal.detail)["role"] == "focal_point"
    with engine.connect() as connection:
        sha = hashlib.sha256(khm.read_bytes()).hexdigest()
        assert connection.execute(select(schema.submission).where(schema.submission.c.sha256 == sha)).first() is None
    engine.dispose()


def test_cli__focal_point_of_brn_loads_their_own_return(tmp_path, store_url):
    result = _cli("load", str(_return(tmp_path, "BRN")), db=store_url, user="fp-brn")
    assert result.returncode == 0, result.stdout
    engine = open_store(store_url)
    with engine.connect() as connection:
        assert store.read_submissions(connection)["submitted_by"].tolist() == ["fp-brn"]
    engine.dispose()


def test_cli__unknown_user_refused_with_how_to_add_one(tmp_path, store_url):
    result = _cli("load", str(_return(tmp_path, "BRN")), db=store_url, user="root")
    assert result.returncode == 1
    assert "there is no user 'root'" in result.stdout and "python -m kpi users add root" in result.stdout


@pytest.mark.parametrize("dry_run", [False, True])
def test_store_api__focal_point_refused_another_ams_even_on_a_dry_run(tmp_path, engine, dry_run):
    _add_users(engine)
    digest = _store_digest(engine)
    report = load_file(engine, _return(tmp_path, "KHM").read_bytes(), "khm.xlsx", "fp-brn", dry_run=dry_run)
    assert not report.accepted and report.submission_id is None
    assert [m.text for m in report.errors if REFUSED_KHM in m.text]
    assert _store_digest(engine) == digest
    assert [(r.user_name, r.entity_key) for r in _audit(engine) if r.action == "refuse"] == [
        ("fp-brn", "load a country return/KHM")]


def _evaluations(tmp_path: Path, engine) -> Path:
    assert load_file(engine, _return(tmp_path, "BRN").read_bytes(), "brn.xlsx", "local").accepted
    template = write_evaluations_template(tmp_path / "evaluations.xlsx", "BRN", 2018, "Leadership Workshop")
    rows = [{"participant": "P1", **{item.code: 5 for item in ANNEX1_ITEMS}, "a2_overall": 5}]
    return fill_evaluations(template, tmp_path / "evaluations_filled.xlsx", rows)


def _workplan(tmp_path: Path, engine) -> Path:
    with engine.connect() as connection:
        programmes = store.read_workplan(connection, CURRENT_FRAMEWORK.code).to_dict("records")
    return write_workplan_template(tmp_path / "workplan.xlsx", programmes)


WORKBOOKS = {
    "return": lambda tmp_path, engine: _return(tmp_path, "BRN"),
    "evaluations": _evaluations,
    "targets": lambda tmp_path, engine: write_targets_template(tmp_path / "targets.xlsx"),
    "workplan": _workplan,
}


@pytest.mark.parametrize("kind", list(WORKBOOKS))
def test_viewer_refused_loading_every_kind_of_workbook(tmp_path, engine, kind):
    _add_users(engine)
    path = WORKBOOKS[kind](tmp_path, engine)
    digest = _store_digest(engine)
    report = load_file(engine, path.read_bytes(), path.name, "viewer")
    assert not report.accepted, kind
    assert any("viewer (viewer) may not" in m.text for m in report.errors)
    assert _store_digest(engine) == digest
    assert [r.entity_key.split("/")[0] for r in _audit(engine) if r.action == "refuse"] == [
        access.ACTION_OF_KIND[kind]]


WRITES = {
    "set a target": lambda c, who: store.set_target(c, CURRENT_FRAMEWORK.code, "A.1.1", "ASEAN", None, 70.0, None, who),
    "remove demo data": lambda c, who: store.remove_demo_data(c, who),
    "add a user": lambda c, who: add_user(c, "new", "New", access.VIEWER, None, by=who),
}


@pytest.mark.parametrize("who", ["viewer", "fp-brn"])
@pytest.mark.parametrize("write", list(WRITES))
def test_store_api__non_secretariat_refused_every_secretariat_write(engine, who, write):
    _add_users(engine)
    digest = _store_digest(engine)
    with pytest.raises(access.AccessRefused, match=f"{who} .* may not"):
        with access.refusals_recorded(engine), write_transaction(engine) as connection:
            WRITES[write](connection, who)
    assert _store_digest(engine) == digest
    assert [r.user_name for r in _audit(engine) if r.action == "refuse"] == [who]


def test_store_api__secretariat_may_do_each_write(engine):
    with write_transaction(engine) as connection:
        assert WRITES["set a target"](connection, "local")
        WRITES["remove demo data"](connection, "local")
        WRITES["add a user"](connection, "local")
