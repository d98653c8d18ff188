"""dashboard/launch.py: the modules the pages import are imported before Streamlit serves them, quietly."""

import subprocess
import sys
import textwrap
from pathlib import Path

from dashboard import launch

ROOT = Path(__file__).resolve().parents[2]


def test_the_scripts_imports_are_found_with_the_submodules_named_in_from_imports(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("import json\nfrom dashboard import frame, literal_name\n")
    (tmp_path / "pages" / "one.py").write_text(textwrap.dedent("""
        import pandas as pd
        from kpi.exports.tables import format_kpi_table
        from . import nothing
        def later():
            import sqlite3  # not at the top level: imported when the page needs it, not warmed
    """))
    assert launch.imported_by_scripts(tmp_path) == ["json", "dashboard", "dashboard.frame", "pandas",
                                                    "kpi.exports.tables"]


def test_every_module_the_real_scripts_import_at_their_top_level_is_listed():
    names = launch.imported_by_scripts()
    assert {"pandas", "kpi.charts", "kpi.maps", "kpi.engine", "dashboard.data", "dashboard.frame"} <= set(names)


def test_the_warm_up_imports_the_pages_modules_but_not_dashboards_and_says_nothing():
    # dashboard's modules define Streamlit caches, which warn ("No runtime found") when defined before the server
    # runs; the warm-up leaves them to the first page run.
    probe = textwrap.dedent("""
        import sys
        from dashboard import launch
        warmed = launch.warm_up()
        assert "kpi.charts" in warmed and "pandas" in warmed, warmed
        missing = [name for name in warmed if name not in sys.modules]
        assert not missing, missing
        early = sorted(name for name in sys.modules if name.startswith("dashboard.") and name != "dashboard.launch")
        assert not early, early
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    assert result.stderr == ""


def test_its_arguments_reach_streamlit_run():
    # `--help` of `streamlit run` proves the command reached it without starting a server.
    result = subprocess.run([sys.executable, "-m", "dashboard.launch", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: streamlit run ")


def test_a_module_that_cannot_be_imported_is_reported_and_the_rest_still_warmed(tmp_path, capsys):
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("import json\nimport no_such_module_anywhere\nimport math\n")
    assert launch.warm_up(tmp_path) == ["json", "math"]
    said = capsys.readouterr().err
    assert "no_such_module_anywhere could not be imported (ModuleNotFoundError" in said
    assert "Traceback" not in said
