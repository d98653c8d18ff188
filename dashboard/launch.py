"""Serve app.py with `streamlit run` from a process that has already imported what the router and every page import,
so the first visit to a new server does not wait for pandas, plotly and the KPI modules."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_by_scripts(root: Path = ROOT) -> list[str]:
    """Return the modules app.py and pages/*.py import at their top level, in the order first seen."""
    paths = [root / "app.py", *sorted((root / "pages").glob("*.py"))]
    names: dict[str, None] = {}
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
            if isinstance(node, ast.Import):
                names.update((alias.name, None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names[node.module] = None
                # `from dashboard import data`: the submodule is the module to import
                names.update((f"{node.module}.{alias.name}", None) for alias in node.names
                             if _is_submodule(node.module, alias.name))
    return list(names)


def _is_submodule(package: str, name: str) -> bool:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return False
    return any((Path(folder) / f"{name}.py").is_file() or (Path(folder) / name / "__init__.py").is_file()
               for folder in spec.submodule_search_locations)


def warm_up(root: Path = ROOT) -> list[str]:
    """Import the modules the scripts import (the page runs find them in sys.modules); return their names.

    Not dashboard's own: they define Streamlit caches, which warn when defined before Streamlit's runtime exists.
    The modules they import come with the pages' other imports (kpi, pandas, plotly).
    """
    names = [n for n in imported_by_scripts(root) if n != "dashboard" and not n.startswith("dashboard.")]
    warmed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a warm-up only: the page that imports it reports the failure
            print(f"warm-up: {name} could not be imported ({type(exc).__name__}: {exc}); the page that needs it "
                  "will say so", file=sys.stderr)
            continue
        warmed.append(name)
    return warmed


def main(argv: list[str] | None = None) -> int:
    """Warm up, then run `streamlit run app.py` with `argv` (default: this command's arguments) after it."""
    warm_up()
    from streamlit.web import cli

    arguments = ["run", str(ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    return cli.main.main(args=arguments, prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
