"""SOM editions: the figures shown at one SOM, frozen for good, and what has changed since (or between two)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from kpi import access, schema, store
from kpi.catalogue import CURRENT_FRAMEWORK, FRAMEWORKS, Framework
from kpi.db import write_transaction
from kpi.engine import compute_report
from kpi.fields import EVALUATIONS_KIND, RETURN_KIND
from kpi.membership import ASEAN
from kpi.progress import is_missing

EVIDENCE_KINDS = (RETURN_KIND, EVALUATIONS_KIND)  # the submissions whose figures feed the KPI table
SUBMISSION_COLUMNS = ["id", "kind", "country", "year", "subject", "file_name", "content_digest", "submitted_by",
                      "submitted_at", "supersedes_id"]
TARGET_COLUMNS = ["indicator_code", "scope", "baseline", "target", "note", "set_by", "set_at"]
VALUE_COLUMNS = ["indicator", "scope", "year", "value_before", "value_after", "change", "coverage_before",
                 "coverage_after", "status_before", "status_after", "why"]
RETURN_CHANGE_COLUMNS = ["kind", "country", "year", "subject", "file_name", "submitted_by", "submitted_at", "why"]
TARGET_CHANGE_COLUMNS = ["indicator", "scope", "baseline_before", "baseline_after", "target_before", "target_after",
                         "set_by", "why"]
LIST_COLUMNS = ["id", "name", "som_date", "year", "plan_code", "frozen_by", "frozen_at", "data_as_of", "is_demo",
                "returns", "pack_file_name", "note"]
NAME_LENGTH = 200
_TOLERANCE = 1e-9  # stored values are unrounded floats: equal within this is unchanged


class EditionError(ValueError):
    """An edition cannot be frozen as asked (name taken or blank, no data, the data moved while the pack was made)."""


@dataclass(frozen=True)
class Changes:
    """What differs between two states of the figures: KPI values, the returns behind them, the entered targets."""

    values: pd.DataFrame  # VALUE_COLUMNS
    returns: pd.DataFrame  # RETURN_CHANGE_COLUMNS
    targets: pd.DataFrame  # TARGET_CHANGE_COLUMNS

    @property
    def is_empty(self) -> bool:
        return self.values.empty and self.returns.empty and self.targets.empty


# --- freezing ---------------------------------------------------------------------------------

def build_pack(connection: Connection, year: int, framework: Framework = CURRENT_FRAMEWORK) -> bytes:
    """Return the briefing pack (PowerPoint) for `year` as kpi.exports.briefing builds it.

    Raises kpi.exports.briefing.BriefingError (no data for the year) and RendererUnavailable (no Chromium).
    """
    from kpi.exports.briefing import build_briefing  # the renderer and python-pptx only when a pack is made
    with tempfile.TemporaryDirectory() as folder:
        result = build_briefing(connection, year, Path(folder) / "pack.pptx", framework=framework)
        return result.pptx_path.read_bytes()


def _require_secretariat(engine: Engine, user: str) -> None:
    """Raise EditionError (the refusal audited by kpi.access) unless the user may freeze an edition."""
    try:
        access.check(engine, user, access.FREEZE_EDITION)
    except access.AccessRefused as refusal:
        raise EditionError(str(refusal)) from refusal


def freeze_with_pack(engine: Engine, name: str, som_date: dt.date, year: int, user: str,
                     framework: Framework = CURRENT_FRAMEWORK, note: str | None = None) -> int:
    """Build the pack, then freeze the edition with it; return the edition id.

    The pack takes long to build, so it is built outside the write lock; if anything was loaded meanwhile the
    freeze is refused (EditionError) rather than storing a pack that disagrees with the frozen table.
    """
    _require_secretariat(engine, user)  # before the long build, not only at the freeze
    with engine.connect() as connection:
        as_of = store.data_as_of(connection)
        pack = build_pack(connection, year, framework)
    return freeze_edition(engine, name, som_date, year, user, framework, pack=pack, note=note, expected_as_of=as_of,
                          pack_file_name=f"accsm_som_briefing_{year}_{_file_stem(name)}.pptx")


def freeze_edition(engine: Engine, name: str, som_date: dt.date, year: int, user: str,
                   framework: Framework = CURRENT_FRAMEWORK, pack: bytes | None = None,
                   pack_file_name: str | None = None, note: str | None = None,
                   expected_as_of: dt.datetime | None = None) -> int:
    """Store the KPI table, the returns behind it, the targets, the work plan statuses and the pack as an edition.

    Returns the new edition's id. Raises EditionError for a blank or taken name, a year without data, or data
    changed since `expected_as_of` (when given). Nothing is stored then.
    """
    _require_secretariat(engine, user)
    name = " ".join(str(name or "").split())
    if not name:
        raise EditionError("the edition needs a name, e.g. “22nd ACCSM SOM, 2019”")
    if len(name) > NAME_LENGTH:
        raise EditionError(f"the edition's name is {len(name)} characters long; keep it to {NAME_LENGTH}")
    with write_transaction(engine) as connection:
        e = schema.som_edition.c
        if connection.execute(select(e.id).where(e.name == name)).first() is not None:
            raise EditionError(f"an edition named “{name}” exists already: editions never change, so give the new "
                               "one another name")
        as_of = store.data_as_of(connection)
        if expected_as_of is not None and as_of != expected_as_of:
            raise EditionError("data were loaded while the pack was being built, so the pack and the table would "
                               "disagree: freeze the edition again")
        snapshot = read_snapshot(connection, framework)
        if not any(r["year"] == year for r in snapshot["kpi_table"]):
            raise EditionError(f"there are no figures for {year}: load the {year} returns before freezing")
        edition_id = connection.execute(insert(schema.som_edition).values(
            name=name, som_date=som_date, year=year, plan_code=framework.code, frozen_by=user,
            frozen_at=store.utc_now(), data_as_of=as_of, is_demo=store.has_demo_data(connection),
            kpi_table=_dumps(snapshot["kpi_table"]), returns=_dumps(snapshot["returns"]),
            targets=_dumps(snapshot["targets"]), workplan=_dumps(snapshot["workplan"]), pack_pptx=pack,
            pack_file_name=pack_file_name if pack is not None else None, note=note or None,
        )).inserted_primary_key[0]
        store.append_audit(connection, user, "freeze", "edition", str(edition_id), {
            "name": name, "som_date": som_date, "year": year, "plan": framework.code,
            "returns": len(snapshot["returns"]["submissions"]), "pack": pack is not None,
        })
    return edition_id


def read_snapshot(connection: Connection, framework: Framework = CURRENT_FRAMEWORK) -> dict:
    """Return the store's figures now, as an edition keeps them (plain JSON-ready data)."""
    report = compute_report(connection, framework)
    submissions = store.read_submissions(connection)
    submissions = submissions[submissions["kind"].isin(EVIDENCE_KINDS) & (submissions["status"] == "current")]
    values = store.read_current_values(connection)
    return _plain({
        "kpi_table": report.to_dict("records"),
        "returns": {"submissions": submissions[SUBMISSION_COLUMNS].sort_values("id").to_dict("records"),
                    "values": values[["submission_id", "country", "year", "field_code", "value_number",
                                      "value_text", "sheet", "cell"]].to_dict("records")},
        "targets": store.read_targets(connection, framework.code)[TARGET_COLUMNS].to_dict("records"),
        "workplan": store.read_workplan(connection, framework.code)[
            ["no", "title", "status", "status_note", "status_set_at", "status_set_by"]].to_dict("records"),
    })


# --- reading ----------------------------------------------------------------------------------

def list_editions(connection: Connection) -> pd.DataFrame:
    """Return the editions, newest SOM first (LIST_COLUMNS; `returns` is how many returns are behind each)."""
    e = schema.som_edition.c
    rows = connection.execute(select(e.id, e.name, e.som_date, e.year, e.plan_code, e.frozen_by, e.frozen_at,
                                     e.data_as_of, e.is_demo, e.returns, e.pack_file_name, e.note)
                              .order_by(e.som_date.desc(), e.id.desc())).all()
    records = []
    for row in rows:
        record = dict(row._mapping)
        record["returns"] = len(json.loads(record["returns"])["submissions"])
        records.append(record)
    return pd.DataFrame(records, columns=LIST_COLUMNS)


def read_edition(connection: Connection, edition_id: int) -> dict:
    """Return one edition: its facts, and its payloads (kpi_table, returns, targets, workplan) as plain data.

    Raises KeyError for an edition that does not exist.
    """
    row = connection.execute(select(schema.som_edition).where(schema.som_edition.c.id == edition_id)).first()
    if row is None:
        raise KeyError(f"no edition {edition_id}")
    record = dict(row._mapping)
    for key in ("kpi_table", "returns", "targets", "workplan"):
        record[key] = json.loads(record[key])
    return record


def kpi_table(edition: dict) -> pd.DataFrame:
    """Return an edition's KPI table as a frame (the columns of kpi.engine.REPORT_COLUMNS)."""
    return pd.DataFrame(edition["kpi_table"])


# --- comparing --------------------------------------------------------------------------------

def changes_since(connection: Connection, edition_id: int) -> Changes:
    """Return what changed in the store since the edition: revised values, new or revised returns, changed targets."""
    edition = read_edition(connection, edition_id)
    now = read_snapshot(connection, FRAMEWORKS.get(edition["plan_code"], CURRENT_FRAMEWORK))
    return compare_snapshots(edition, json.loads(_dumps(now)))  # both sides as an edition stores them


def compare_editions(connection: Connection, earlier_id: int, later_id: int) -> Changes:
    """Return what changed from one edition to another (the same comparison as changes_since)."""
    return compare_snapshots(read_edition(connection, earlier_id), read_edition(connection, later_id))


def compare_snapshots(before: dict, after: dict) -> Changes:
    """Return the differences from `before` to `after` (each with kpi_table, returns, targets as an edition keeps them)."""
    return Changes(_value_changes(before, after), _return_changes(before, after), _target_changes(before, after))


def _value_changes(before: dict, after: dict) -> pd.DataFrame:
    old = {(r["indicator"], r["scope"], r["year"]): r for r in before["kpi_table"]}
    new = {(r["indicator"], r["scope"], r["year"]): r for r in after["kpi_table"]}
    rows = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[2], _order(after, before, k[0]), k[1] != ASEAN, k[1])):
        a, b = old.get(key, {}), new.get(key, {})
        va, vb = a.get("value"), b.get("value")
        ca, cb = a.get("coverage"), b.get("coverage")
        if _same(va, vb) and _same(ca, cb) and a.get("status") == b.get("status"):
            continue
        if _same(va, vb) and _same(ca, cb):
            why = "status changed (baseline or target)"
        elif va is None and vb is not None:
            why = "new value"
        elif vb is None:
            why = "value withdrawn"
        elif _same(va, vb):
            why = "coverage changed"
        else:
            why = "revised"
        rows.append({"indicator": key[0], "scope": key[1], "year": key[2], "value_before": va, "value_after": vb,
                     "change": vb - va if va is not None and vb is not None else None, "coverage_before": ca,
                     "coverage_after": cb, "status_before": a.get("status"), "status_after": b.get("status"),
                     "why": why})
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


def _return_changes(before: dict, after: dict) -> pd.DataFrame:
    shown = {r["id"] for r in before["returns"]["submissions"]}
    keys = {_submission_key(r) for r in before["returns"]["submissions"]}
    gone = {_submission_key(r): r for r in before["returns"]["submissions"]}
    rows = []
    for record in after["returns"]["submissions"]:
        if record["id"] in shown:
            gone.pop(_submission_key(record), None)
            continue
        key = _submission_key(record)
        gone.pop(key, None)
        why = "replaces the one in the edition" if key in keys else "new (none in the edition)"
        rows.append({**{c: record.get(c) for c in RETURN_CHANGE_COLUMNS if c != "why"}, "why": why})
    for record in gone.values():  # removed since (demo data removed, say)
        rows.append({**{c: record.get(c) for c in RETURN_CHANGE_COLUMNS if c != "why"},
                     "why": "in the edition, no longer stored"})
    return pd.DataFrame(rows, columns=RETURN_CHANGE_COLUMNS)


def _target_changes(before: dict, after: dict) -> pd.DataFrame:
    old = {(r["indicator_code"], r["scope"]): r for r in before["targets"]}
    new = {(r["indicator_code"], r["scope"]): r for r in after["targets"]}
    rows = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, {}), new.get(key, {})
        if _same(a.get("baseline"), b.get("baseline")) and _same(a.get("target"), b.get("target")):
            continue
        why = "set" if not a else "cleared" if not b else "changed"
        rows.append({"indicator": key[0], "scope": key[1], "baseline_before": a.get("baseline"),
                     "baseline_after": b.get("baseline"), "target_before": a.get("target"),
                     "target_after": b.get("target"), "set_by": b.get("set_by") or a.get("set_by"), "why": why})
    return pd.DataFrame(rows, columns=TARGET_CHANGE_COLUMNS)


def filter_changes(changes: Changes, indicators=None, scopes=None, years=None) -> Changes:
    """Return the changes that concern some indicators, scopes (ASEAN, ISO3) or years (None: all), for a page that
    shows part of the figures; a target change concerns its indicator and scope, a return its country and year."""
    def keep(frame: pd.DataFrame, indicator: str | None, scope: str | None, year: str | None) -> pd.DataFrame:
        mask = pd.Series(True, index=frame.index)
        if indicators is not None and indicator:
            mask &= frame[indicator].isin(list(indicators))
        if scopes is not None and scope:
            mask &= frame[scope].isin(list(scopes))
        if years is not None and year:
            mask &= frame[year].isin(list(years))
        return frame[mask].reset_index(drop=True)

    returns = changes.returns
    if scopes is not None:
        returns = returns[returns["country"].isin(list(scopes)) | ("ASEAN" in scopes)]
    return Changes(keep(changes.values, "indicator", "scope", "year"), keep(returns, None, None, "year"),
                   keep(changes.targets, "indicator", "scope", None))


def describe_changes(changes: Changes) -> str:
    """Return one sentence saying how much changed ("nothing has changed" when nothing did)."""
    if changes.is_empty:
        return "Nothing has changed: every figure is as it was."
    parts = []
    whys = changes.values["why"].value_counts().to_dict() if len(changes.values) else {}
    revised = int(whys.pop("revised", 0))
    restatused = int(whys.pop("status changed (baseline or target)", 0))
    others = sum(whys.values())
    if revised:
        parts.append(f"{revised} value(s) revised")
    if others:
        parts.append(f"{others} value(s) new, withdrawn or with another coverage")
    if restatused:
        parts.append(f"{restatused} status(es) changed by a new baseline or target")
    if len(changes.returns):
        parts.append(f"{len(changes.returns)} return(s) or evaluation file(s) new or replaced")
    if len(changes.targets):
        parts.append(f"{len(changes.targets)} baseline(s) or target(s) changed")
    return "; ".join(parts) + "."


# --- helpers ----------------------------------------------------------------------------------

def _submission_key(record: dict) -> tuple:
    return record["kind"], record.get("country"), record.get("year"), record.get("subject")


def _order(after: dict, before: dict, code: str) -> int:
    codes = list(dict.fromkeys([r["indicator"] for r in after["kpi_table"]] + [r["indicator"] for r in
                                                                               before["kpi_table"]]))
    return codes.index(code) if code in codes else len(codes)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= _TOLERANCE * max(1.0, abs(float(a)))
    return a == b


def _plain(value):
    """Return `value` as JSON-ready data: NaN and NA as None, numpy numbers as Python, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_missing(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _plain(value.item())
    return value


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _file_stem(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")[:60] or "edition"
