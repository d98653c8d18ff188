"""The registry of workbook kinds: one module per kind, each with a template that loads back, used everywhere."""

from __future__ import annotations

import argparse
import ast
import importlib
from pathlib import Path

import pytest

from importers import cli, layout
from importers.kinds import _MODULES, KINDS, Kind, kind_of, write_template_bytes
from kpi import access, fields
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.fields import KIND_CODES, Field

ROOT = Path(__file__).resolve().parents[2]
GIVEN = {"country": "BRN", "year": 2018, "project": "Workshop on Civil Service Competency (fictional)"}
# Modules that may compare a kind to a literal: only kpi/fields.py, which declares the codes. The rest of kpi/
# names the kinds by those constants (it never imports the registry); everything else asks the registry
# (importers.kinds) what a kind does.
ALLOWED: set[str] = {"kpi/fields.py"}


def test_registry__the_kinds_of_kpi_fields_in_order():
    assert tuple(KINDS) == KIND_CODES == layout.WORKBOOK_KINDS


@pytest.mark.parametrize("code", KIND_CODES)
def test_every_kind__has_its_own_module_code_label_and_fields(code):
    module = importlib.import_module(f"importers.kinds.{_MODULES[code]}")
    kind = module.KIND
    assert isinstance(kind, Kind) and KINDS[code] is kind and kind_of(code) is kind
    assert kind.code == code
    assert kind.label and kind.title and kind.download_label
    assert module.__doc__
    declared = {f for name in dir(fields) if isinstance(getattr(fields, name), tuple)
                for f in getattr(fields, name) if isinstance(f, Field)}
    declared |= {c for s in fields.LIST_SHEETS for c in s.columns}
    assert kind.fields and all(f in declared for f in kind.fields), "a kind reads fields declared in kpi.fields"


@pytest.mark.parametrize("code", KIND_CODES)
def test_every_kind__has_a_load_action(code):
    assert code in access.ACTION_OF_KIND


def test_kind_of__an_unknown_code_names_the_kinds():
    with pytest.raises(KeyError, match="'export' is not a kind of workbook: this software knows return, targets, "
                                       "evaluations, workplan"):
        kind_of("export")


def test_file_name__says_the_kind_and_what_it_is_for():
    parts = {"country": "BRN", "year": 2018, "plan": "2016-2020"}
    assert [KINDS[c].file_name(**parts) for c in KIND_CODES] == [
        "accsm_return_BRN_2018.xlsx", "accsm_targets_2016-2020.xlsx", "accsm_evaluations_BRN_2018.xlsx",
        "accsm_workplan_2016-2020.xlsx"]


@pytest.mark.parametrize("code", KIND_CODES)
def test_template__written_from_the_registry_loads_back_and_changes_nothing(code, engine, tmp_path, load, dump):
    kind = kind_of(code)
    path = tmp_path / kind.file_name(plan=CURRENT_FRAMEWORK.code, **GIVEN)
    path.write_bytes(write_template_bytes(kind, engine, CURRENT_FRAMEWORK, GIVEN))
    before = dump()

    report = load(path, dry_run=kind.read_stored is None)

    assert report.kind == code
    assert dump() == before
    if kind.read_stored is not None:  # pre-filled with what is stored: loading it back changes nothing
        assert report.accepted and report.nothing_to_change and not report.changes
    elif "project" in kind.template_options:  # a blank evaluations form lists nobody
        assert [m.text for m in report.errors] == ["no participant is listed: type one row per participant under "
                                                   "the header row"]
    else:
        assert report.accepted and not report.errors


def _template_choices() -> list[str]:
    parser = cli._make_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    kind = next(a for a in commands.choices["template"]._actions if a.dest == "kind")
    return list(kind.choices)


def test_cli__template_offers_the_kinds_of_the_registry():
    assert sorted(_template_choices()) == sorted(KINDS)


def _modules_outside_the_registry() -> list[Path]:
    paths = [*ROOT.glob("*.py"), *(ROOT / "kpi").rglob("*.py"), *(ROOT / "importers").rglob("*.py"),
             *(ROOT / "pages").glob("*.py"), *(ROOT / "dashboard").glob("*.py")]
    return sorted(p for p in paths if (ROOT / "importers" / "kinds") not in p.parents)


def find_kind_comparisons(source: str) -> list[str]:
    """Return `x.kind == "return"` and the like in the source: a workbook kind compared with a literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        literals = {c.value for o in operands for c in ast.walk(o) if isinstance(c, ast.Constant)}
        names = " ".join(ast.unparse(o) for o in operands if not isinstance(o, (ast.Constant, ast.Tuple)))
        if literals & set(KIND_CODES) and "kind" in names.lower():
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    for node in ast.walk(ast.parse(source)):  # KINDS_THAT_X = ("targets", ...) or {"return": ...}
        if isinstance(node, ast.Assign) and any("KIND" in ast.unparse(t).upper() for t in node.targets):
            keys = node.value.keys if isinstance(node.value, ast.Dict) else \
                node.value.elts if isinstance(node.value, (ast.Tuple, ast.List, ast.Set)) else []
            if any(isinstance(k, ast.Constant) and k.value in KIND_CODES for k in keys):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_kind_comparison_check__finds_a_literal_kind_and_only_that():
    source = 'if report.kind == "return":\n    pass\nok = indicator.kind == "share"\nx = kind in ("targets", "a")\n'
    assert find_kind_comparisons(source) == ["line 1: report.kind == 'return'", "line 4: kind in ('targets', 'a')"]
    tables = 'ACTION_OF_KIND = {"return": 1}\nUPDATE_KINDS = ("targets", "workplan")\nSCOPES = ("ASEAN",)\n'
    assert find_kind_comparisons(tables) == ["line 1: ACTION_OF_KIND = {'return': 1}",
                                             "line 2: UPDATE_KINDS = ('targets', 'workplan')"]


@pytest.mark.parametrize("path", _modules_outside_the_registry(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_compares_a_kind_with_a_literal(path):
    if str(path.relative_to(ROOT)) in ALLOWED:
        pytest.skip("allowed")
    assert find_kind_comparisons(path.read_text(encoding="utf-8")) == [], \
        "use the registry (importers.kinds) or the kind codes of kpi.fields"
