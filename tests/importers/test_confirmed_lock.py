"""A confirmed return is locked (issue 12 item 3): a focal point's new version is refused and changes nothing; the
secretariat's is stored only with a reason, and the override is audited."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from kpi import access, review, schema
from kpi.users import add_user, apply_change

ROOT = Path(__file__).resolve().parents[2]
REFUSED = ("refused: fp-brn (focal point of BRN) may not supersede a confirmed return for BRN: the return for BRN "
           "2018 was confirmed by tester on ")


@pytest.fixture
def confirmed(engine, make_return, load):
    """BRN 2018 loaded by the secretariat and confirmed; a focal point of BRN exists."""
    apply_change(engine, add_user, "fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN", by="local")
    report = load(make_return("first.xlsx"))
    assert report.accepted and report.submission_id
    review.apply_review(engine, review.confirm, "BRN", 2018, by="tester")
    return report.submission_id


def _load_as(engine, path: Path, user: str, **options):
    from importers.load import load_file
    return load_file(engine, path.read_bytes(), path.name, user, **options)


def _digest(engine) -> str:
    """Every row of every table but the audit log (which gains the refusal)."""
    with engine.connect() as connection:
        rows = {t.name: sorted(repr(tuple(r)) for r in connection.execute(select(t)))
                for t in schema.metadata.sorted_tables if t.name != "audit_log"}
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _audit(engine) -> list[tuple]:
    with engine.connect() as connection:
        rows = connection.execute(select(schema.audit_log).order_by(schema.audit_log.c.id)).all()
    return [(r.user_name, r.action, r.entity, r.entity_key, json.loads(r.detail)) for r in rows]


def _state(engine) -> review.ReturnState:
    with engine.connect() as connection:
        return review.read_state(connection, "BRN", 2018)


@pytest.mark.parametrize("dry_run", [False, True])
def test_lock__a_focal_points_new_version_is_refused_and_changes_nothing(engine, confirmed, make_return, dry_run):
    before, audit_before = _digest(engine), len(_audit(engine))
    report = _load_as(engine, make_return("second.xlsx", values={"agencies_total": 700}), "fp-brn", dry_run=dry_run)
    assert not report.accepted and report.submission_id is None
    (error,) = [str(e) for e in report.errors]
    assert error.startswith(f"file: {REFUSED}")
    assert "only the ACCSM secretariat may replace a confirmed return. Send the corrected file to the ACCSM " \
           "secretariat" in error and error.endswith("; nothing was stored")
    assert _digest(engine) == before
    audit = _audit(engine)
    assert len(audit) == audit_before + 1  # the refusal alone
    who, action, entity, key, detail = audit[-1]
    assert (who, action, entity, key) == ("fp-brn", "refuse", "access", f"{access.SUPERSEDE_CONFIRMED}/BRN")
    assert detail["role"] == access.FOCAL_POINT and "confirmed by tester" in detail["reason"]
    assert _state(engine).state == review.CONFIRMED and _state(engine).submission_id == confirmed


def test_lock__the_same_content_again_is_unchanged_not_refused(engine, confirmed, make_return):
    report = _load_as(engine, make_return("same.xlsx"), "fp-brn")
    assert report.accepted and report.duplicate_of == confirmed


def test_lock__the_secretariat_without_a_reason_is_told_to_give_one_and_nothing_is_stored(engine, confirmed,
                                                                                          make_return):
    path = make_return("second.xlsx", values={"agencies_total": 700})
    before = _digest(engine)
    checked = _load_as(engine, path, "tester", dry_run=True)
    assert checked.accepted  # the check on the page says at once that a reason will be needed
    assert any("a new version replaces it only with a reason" in str(w) for w in checked.warnings)
    for reason in (None, "   "):
        report = _load_as(engine, path, "tester", reason=reason)
        assert not report.accepted and report.submission_id is None
        (error,) = [str(e) for e in report.errors]
        assert error.startswith("file: the return for BRN 2018 was confirmed by tester on ")
        assert "Give it with --reason" in error and error.endswith("nothing was stored")
    assert _digest(engine) == before
    assert _state(engine).state == review.CONFIRMED


def test_lock__the_secretariat_supersedes_with_a_reason_audited(engine, confirmed, make_return):
    report = _load_as(engine, make_return("second.xlsx", values={"agencies_total": 700}), "tester",
                      reason="BRN corrected agencies_total by letter of 3 Dec")
    assert report.accepted and report.submission_id not in (None, confirmed)
    state = _state(engine)
    assert (state.state, state.submission_id, state.note) == (
        review.RECEIVED, report.submission_id, "BRN corrected agencies_total by letter of 3 Dec")
    supersede = [a for a in _audit(engine) if a[1] == "supersede confirmed"]
    assert len(supersede) == 1
    who, _action, entity, key, detail = supersede[0]
    assert (who, entity, key) == ("tester", review.AUDIT_ENTITY, "BRN/2018")
    assert (detail["old_state"], detail["new_state"], detail["old_submission"], detail["new_submission"]) == (
        review.CONFIRMED, review.RECEIVED, confirmed, report.submission_id)
    assert detail["reason"] == "BRN corrected agencies_total by letter of 3 Dec" and detail["old_set_by"] == "tester"
    loads = [a for a in _audit(engine) if a[1] == "load" and a[3] == str(report.submission_id)]
    assert loads and loads[0][4]["supersedes"] == confirmed


def test_lock__a_focal_points_new_version_of_a_queried_return_is_its_answer(engine, make_return):
    apply_change(engine, add_user, "fp-brn", "Focal point BRN", access.FOCAL_POINT, "BRN", by="local")
    first = _load_as(engine, make_return("first.xlsx"), "fp-brn")
    review.apply_review(engine, review.query, "BRN", 2018, "Is agencies_total right?", by="tester")
    answer = _load_as(engine, make_return("second.xlsx", values={"agencies_total": 700}), "fp-brn")
    assert answer.accepted and answer.submission_id != first.submission_id
    assert _state(engine).state == review.RECEIVED
    (row,) = [a for a in _audit(engine) if a[1] == "answer query"]
    assert row[0] == "fp-brn" and row[4]["old_note"] == "Is agencies_total right?"


def _cli(*args: str, db: str, user: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "importers", *args, "--db", db, "--user", user], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_lock__command_line_refuses_the_focal_point_and_takes_the_secretariats_reason(engine, confirmed,
                                                                                     make_return):
    url = engine.url.render_as_string(hide_password=False)
    path = make_return("second.xlsx", values={"agencies_total": 700})
    refused = _cli("load", str(path), db=url, user="fp-brn")
    assert refused.returncode == 1, refused.stderr
    assert REFUSED in refused.stdout and "Traceback" not in refused.stdout + refused.stderr
    no_reason = _cli("load", str(path), db=url, user="tester")
    assert no_reason.returncode == 1 and "--reason" in no_reason.stdout
    accepted = _cli("load", str(path), "--reason", "Corrected by letter", db=url, user="tester")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted.stdout.startswith(f"accepted: {path} (return BRN 2018 stored as submission")
    assert _state(engine).note == "Corrected by letter"
