"""The demo data: it loads through the real importer, is marked demo, regenerates unchanged, and its KPIs are golden."""

from __future__ import annotations

import difflib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from importers import evaluations, layout, workplan
from importers.demo import DEMO_DIR, compute_report_text, list_demo_files, load_demo_data, round_figures
from importers.load import KINDS, Kind, compute_content_digest
from importers.safe_read import read_workbook
from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.db import open_store
from kpi.fields import POLICY_LEVELS, REFORM_AIMS, RETURN_FIELDS

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "demo_kpis.csv"
AMS = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
YEARS = tuple(range(2014, 2021))
MISSING = {("MMR", 2017)}
REGENERATE = "python scripts/make_demo_data.py --golden"


def _register_kinds(patch) -> None:
    # Until importers/load.py lists these kinds itself; then this does nothing and the real entries are tested.
    if "evaluations" not in KINDS:
        patch.setitem(KINDS, "evaluations", Kind(
            evaluations.write_evaluations_template, ("country", "year", "project"),
            evaluations.validate_evaluations, evaluations.compare_evaluations,
            evaluations.canonicalise_evaluations, evaluations.store_validated_evaluations))
    if "workplan" not in KINDS:
        patch.setitem(KINDS, "workplan", Kind(
            workplan.write_workplan_template, (), workplan.validate_workplan, workplan.compare_workplan,
            workplan.canonicalise_workplan, workplan.store_workplan))


@pytest.fixture(scope="module", autouse=True)
def kinds():
    with pytest.MonkeyPatch.context() as patch:
        _register_kinds(patch)
        yield


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo") / "demo.db"


@pytest.fixture(scope="module")
def demo_store(demo_path):
    """A fresh SQLite store with the demo data loaded, and how many files were loaded (shared: read only)."""
    engine = open_store(f"sqlite:///{demo_path}")
    loaded = load_demo_data(engine)
    yield engine, loaded
    engine.dispose()


@pytest.fixture
def demo_copy(demo_store, demo_path, tmp_path):
    """A copy of the demo store that a test may change."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(demo_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    engine = open_store(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


def _read(engine, read, *args) -> pd.DataFrame:
    with engine.connect() as connection:
        return read(connection, *args)


def test_demo_report_matches_the_golden_file(demo_store):
    engine, _ = demo_store
    computed = round_figures(compute_report_text(engine))
    golden = round_figures(GOLDEN.read_text(encoding="utf-8"))
    diff = list(difflib.unified_diff(golden.splitlines(), computed.splitlines(), "golden", "computed", lineterm="",
                                     n=0))
    assert not diff, f"the KPIs of the demo data changed; if intended, run {REGENERATE}:\n" + "\n".join(diff[:40])


def test_every_demo_file_loads(demo_store):
    engine, loaded = demo_store
    assert loaded == len(list_demo_files()) == 69 + 2
    submissions = _read(engine, store.read_submissions)
    assert submissions["kind"].value_counts().to_dict() == {"return": 69, "targets": 1, "evaluations": 1}
    assert (submissions["status"] == "current").all()


def test_demo_data_is_loaded_only_into_an_empty_store(demo_store):
    engine, _ = demo_store
    assert load_demo_data(engine) == 0
    assert len(_read(engine, store.read_submissions)) == 71


def test_demo_submissions_and_targets_are_marked_demo(demo_store):
    engine, _ = demo_store
    assert _read(engine, store.read_submissions)["is_demo"].astype(bool).all()
    targets = _read(engine, store.read_targets, CURRENT_FRAMEWORK.code)
    assert len(targets) > 0 and targets["is_demo"].astype(bool).all()
    with engine.connect() as connection:
        assert store.has_demo_data(connection)


def test_remove_demo_data_removes_it_all_and_keeps_reference_data(demo_copy):
    engine = demo_copy
    with engine.begin() as connection:
        removed = store.remove_demo_data(connection, "local")
    with engine.connect() as connection:
        assert removed == 71
        assert store.count_submissions(connection) == 0
        assert store.read_targets(connection, CURRENT_FRAMEWORK.code).empty
        assert store.read_current_values(connection).empty
        assert store.read_current_evaluations(connection).empty
        assert store.read_member_states(connection)["iso3"].tolist() == [*AMS, "TLS"]  # reference data stays
        assert len(store.read_workplan(connection, CURRENT_FRAMEWORK.code)) == 41
        assert not store.has_demo_data(connection)


def test_removed_demo_data_does_not_come_back_on_the_next_start(demo_copy):
    engine = demo_copy
    with engine.begin() as connection:
        store.remove_demo_data(connection, "local")

    assert load_demo_data(engine) == 0

    with engine.connect() as connection:
        assert store.count_submissions(connection) == 0


def test_rejected_demo_file_raises_naming_it_and_loads_nothing(tmp_path):
    demo_dir = tmp_path / "demo"
    demo_dir.mkdir()
    for name in ("return_BRN_2014.xlsx", "return_BRN_2015.xlsx"):
        shutil.copy(DEMO_DIR / name, demo_dir / name)
    (demo_dir / "return_ZZZ_2016.xlsx").write_bytes(b"not a workbook")
    engine = open_store(f"sqlite:///{tmp_path}/demo.db")

    with pytest.raises(RuntimeError, match=r"return_ZZZ_2016\.xlsx was rejected.*"):
        load_demo_data(engine, demo_dir=demo_dir)

    with engine.connect() as connection:
        assert store.count_submissions(connection) == 0
    engine.dispose()


def _content_digests(folder: Path, engine) -> dict[str, str]:
    digests = {}
    with engine.connect() as connection:
        for path in list_demo_files(folder):
            workbook = read_workbook(path.read_bytes(), path.name)
            kind = workbook.sheet(layout.INSTRUCTIONS_SHEET).cell(*layout.KIND_VALUE_CELL).value
            validation = KINDS[kind].validate(workbook, connection)
            assert not validation.errors, (path.name, [str(m) for m in validation.errors])
            digests[path.name] = compute_content_digest(kind, KINDS[kind].canonicalise(validation.content))
    return digests


@pytest.mark.slow
def test_regenerating_gives_the_committed_content(tmp_path):
    out = tmp_path / "regenerated"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_data.py"), "--out", str(out)],
                   check=True, capture_output=True, cwd=tmp_path)
    engine = open_store(f"sqlite:///{tmp_path}/empty.db")
    try:
        assert _content_digests(out, engine) == _content_digests(DEMO_DIR, engine), (
            f"data/demo/ is not what scripts/make_demo_data.py writes: run {REGENERATE}")
    finally:
        engine.dispose()


def test_demo_covers_ten_ams_seven_years_with_one_missing_return(demo_store):
    engine, _ = demo_store
    returns = _read(engine, store.read_submissions, "return")
    keys = set(zip(returns["country"], returns["year"].astype(int)))
    assert keys == {(c, y) for c in AMS for y in YEARS} - MISSING


def test_demo_has_blanks_fictional_contacts_and_lists(demo_store):
    engine, _ = demo_store
    values = _read(engine, store.read_current_values)
    reported = values.groupby(["country", "year"])["field_code"].apply(set)
    every_field = {f.code for f in RETURN_FIELDS}
    with_blanks = {key for key, codes in reported.items() if codes != every_field}
    assert ("KHM", 2014) in with_blanks and 3 <= len(with_blanks) <= 10
    texts = values.pivot_table(index=["country", "year"], columns="field_code", values="value_text", aggfunc="first")
    assert (texts["focal_point"] == "Demo focal point (fictional)").all()
    assert texts["email"].str.endswith("@example.org").all()
    assert texts["e3_survey"].dropna().str.fullmatch(r"Demo survey 20\d\d \(fictional\)").all()

    projects = _read(engine, store.read_current_items, "arc_projects")
    assert (projects["satisfied"] <= projects["evaluations"]).all()
    assert (projects["evaluations"] <= projects["participants"]).all()
    assert set(_read(engine, store.read_current_items, "policies")["level"]) == set(POLICY_LEVELS)
    assert set(_read(engine, store.read_current_items, "reform_measures")["aim"]) == set(REFORM_AIMS)


def test_demo_declares_one_total_without_detail(demo_store):
    engine, _ = demo_store
    returns = _read(engine, store.read_submissions, "return")
    warned = returns[returns["warnings"] != "[]"]
    assert warned[["country", "year"]].values.tolist() == [["IDN", 2015]]
    assert "b2_policies_count is 6 but no detail is listed" in warned["warnings"].item()


def test_demo_evaluations_match_a_listed_project(demo_store):
    engine, _ = demo_store
    responses = _read(engine, store.read_current_evaluations)
    projects = _read(engine, store.read_current_items, "arc_projects")
    title = responses["project_title"].unique().item()
    project = projects[projects["title"] == title]
    assert project[["country", "year"]].values.tolist() == [["PHL", 2019]]
    assert len(responses) == project["evaluations"].item()
