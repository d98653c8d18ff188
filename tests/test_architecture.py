"""Meta-tests that keep the architecture and the docs from drifting."""

import ast
from pathlib import Path

import pytest

from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.docs import DOCS_PATH, render_reference
from kpi.fields import LIST_SHEETS, RETURN_FIELDS

ROOT = Path(__file__).resolve().parents[1]
WORK_PLAN_INDICATORS = ("A.1", "A.1.1", "B.1", "B.1.1", "B.2", "C.1", "C.1.1", "C.2", "C.2.1",
                        "D.1", "D.1.1", "D.2", "D.2.1", "E.1", "E.2", "E.2.1", "E.3")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "kpi").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_kpi_never_imports_streamlit_pages_or_importers(path):
    assert not _imported_modules(path) & {"streamlit", "pages", "importers", "dashboard", "app"}


@pytest.mark.parametrize("path", sorted((ROOT / "importers").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_importers_never_import_streamlit_or_pages(path):
    assert not _imported_modules(path) & {"streamlit", "pages", "dashboard", "app"}


@pytest.mark.parametrize("path", sorted([*ROOT.glob("*.py"), *(ROOT / "kpi").rglob("*.py"),
                                         *(ROOT / "importers").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
                                         *(ROOT / "dashboard").glob("*.py")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_has_a_docstring(path):
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path} needs a one-line docstring"


def test_the_17_work_plan_indicators_are_declared_in_order():
    assert CURRENT_FRAMEWORK.codes == WORK_PLAN_INDICATORS


def test_docs_are_generated_from_the_declarations():
    committed = (ROOT / DOCS_PATH).read_text(encoding="utf-8")
    assert committed == render_reference(), "run: python scripts/make_docs.py"


@pytest.mark.parametrize("code", WORK_PLAN_INDICATORS)
def test_every_indicator_is_documented(code):
    assert f"| {code} |" in (ROOT / DOCS_PATH).read_text(encoding="utf-8")


def test_every_indicator_input_is_a_declared_field_or_list():
    known = {f.code for f in RETURN_FIELDS} | {s.code for s in LIST_SHEETS}
    for indicator in CURRENT_FRAMEWORK.indicators:
        assert set(indicator.inputs) <= known, indicator.code


def test_every_return_field_feeds_something_or_identifies_the_return():
    identifying = {"country", "year", "focal_point", "email"}
    for field in RETURN_FIELDS:
        assert field.feeds or field.code in identifying, field.code


_APP_SOURCES = sorted([*ROOT.glob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "dashboard").glob("*.py"),
                       *(ROOT / "kpi").rglob("*.py"), *(ROOT / "importers").rglob("*.py"),
                       *(ROOT / "scripts").glob("*.py"), *(ROOT / "bench").glob("*.py")])


def _raw_html_uses(path: Path) -> list[str]:
    """Return every way the module hands Streamlit raw HTML: unsafe_allow_html, st.html, st.components."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
            found.append(f"line {node.value.lineno}: unsafe_allow_html=")
        elif isinstance(node, ast.Constant) and node.value == "unsafe_allow_html":  # **{"unsafe_allow_html": …}
            found.append(f"line {node.lineno}: 'unsafe_allow_html'")
        elif isinstance(node, ast.Attribute) and node.attr in ("html", "components") and \
                isinstance(node.value, ast.Name) and node.value.id == "st":
            found.append(f"line {node.lineno}: st.{node.attr}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"line {node.lineno}: import {m}" for m in modules if m.startswith("streamlit.components")]
    return found


@pytest.mark.parametrize("path", _APP_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_lets_streamlit_render_raw_html(path):
    # Text from a workbook is shown as text: see dashboard/text.py (Streamlit) and kpi.charts.plotly_text (plotly).
    assert not _raw_html_uses(path), f"{path.relative_to(ROOT)}: {_raw_html_uses(path)}"


def test_the_raw_html_check_finds_each_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('import streamlit as st\nimport streamlit.components.v1 as components\n'
                      'st.markdown("x", unsafe_allow_html=True)\nst.caption("x", **{"unsafe_allow_html": True})\n'
                      'st.html("<b>x</b>")\n', encoding="utf-8")
    assert len(_raw_html_uses(sample)) == 4
