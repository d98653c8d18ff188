"""Meta-tests of the set-up: pinned requirements that match the imports, and scripts that use the project's venv."""

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_CODE = [*ROOT.glob("*.py"), *(ROOT / "kpi").rglob("*.py"), *(ROOT / "importers").rglob("*.py"),
                *(ROOT / "pages").glob("*.py"), *(ROOT / "dashboard").glob("*.py"), *(ROOT / "migrations").rglob("*.py")]
# Import name -> distribution name, where they differ.
DISTRIBUTIONS = {"sqlalchemy": "sqlalchemy", "pptx": "python-pptx", "yaml": "pyyaml", "PIL": "pillow"}
# Runtime requirements nothing imports by name, each with the reason it is still needed.
NOT_IMPORTED_BUT_NEEDED = {
    "pyarrow": "pandas and st.dataframe need it to move tables",
    "psycopg": "the PostgreSQL driver, loaded by SQLAlchemy from a postgresql+psycopg:// URL",
    "numpy": "pinned for pandas and plotly, which import it",
    "authlib": "st.login's OpenID Connect client, imported by Streamlit when sign-in is configured",
    "httpx": "Authlib's HTTP client for st.login (Streamlit's auth extra)",
    "defusedxml": "openpyxl parses through it when it is installed (the templates it loads); the safe reader sets "
                  "defusedxml's refusals on expat itself",
}
PROJECT_PACKAGES = {"kpi", "importers", "pages", "dashboard", "app", "migrations", "scripts", "tests", "bench"}


def _requirements(name: str) -> dict[str, str]:
    """Return distribution -> pinned version of one requirements file (without its -r includes)."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]+\])?==([0-9][^\s;]*)", line)
        assert match, f"{name}: {line!r} is not pinned with =="
        pins[match[1].lower()] = match[2]
    return pins


def _third_party_imports() -> set[str]:
    names = set()
    for path in RUNTIME_CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in PROJECT_PACKAGES}


def test_every_runtime_import_is_a_pinned_runtime_requirement():
    runtime = _requirements("requirements.txt")
    missing = {name for name in _third_party_imports()
               if DISTRIBUTIONS.get(name, name).lower().replace("_", "-") not in runtime}
    assert not missing, f"imported by the app but not pinned in requirements.txt: {sorted(missing)}"


def test_every_runtime_requirement_is_imported_or_explained():
    imported = {DISTRIBUTIONS.get(name, name).lower().replace("_", "-") for name in _third_party_imports()}
    unused = set(_requirements("requirements.txt")) - imported - set(NOT_IMPORTED_BUT_NEEDED)
    assert not unused, f"requirements.txt pins what nothing imports: {sorted(unused)}"


def test_test_requirements_include_the_runtime_ones_and_add_only_test_tools():
    text = (ROOT / "requirements-test.txt").read_text(encoding="utf-8")
    assert "-r requirements.txt" in text
    assert not set(_requirements("requirements-test.txt")) & set(_requirements("requirements.txt"))


@pytest.mark.parametrize("script", ["scripts/dashboard.sh", "scripts/test.sh"])
def test_scripts_install_into_the_project_venv_never_the_system_python(script):
    text = (ROOT / script).read_text(encoding="utf-8")
    assert "source scripts/venv.sh" in text and "ensure_venv" in text
    assert not re.search(r"(^|\s)(python3?|pip3?) -m pip install|(^|\s)pip3? install", text, re.MULTILINE), \
        f"{script} installs outside the venv"
    assert "$VENV_PYTHON" in text


def test_the_suite_runs_inside_a_virtual_environment():
    # scripts/test.sh runs pytest with .venv's Python; a run from the system Python would not prove the set-up.
    assert sys.prefix != sys.base_prefix, "run the tests with bash scripts/test.sh (it uses .venv)"
