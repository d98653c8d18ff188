"""Worker jobs for the page rows: warm AppTest reruns against a bare page of the same figures; the first visit."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

PAGES = ["overview", "indicator", "member_state", "returns", "targets", "exports"]

# The floor: read the same report once (cached like the app does), draw the page's plotly figures with the same
# kpi.charts builders, nothing else. Pages that draw no plotly figure get an empty page reading the cached report.
BARE_PAGE = '''
import streamlit as st
from kpi import charts, store
from kpi.catalogue import CURRENT_FRAMEWORK as fw
from kpi.db import open_store
from kpi.engine import compute_report

URL, PAGE = {url!r}, {page!r}


@st.cache_resource
def _engine():
    return open_store(URL)


@st.cache_data
def _read():
    with _engine().connect() as c:
        states = store.read_member_states(c)
        return (compute_report(c), dict(zip(states["iso3"], states["name"])), store.read_submissions(c),
                store.data_as_of(c))


report, names, submissions, as_of = _read()
year = int(report[report["value"].notna()]["year"].max())
figures = []
if PAGE == "overview":
    figures = [charts.status_matrix_figure(report, year, fw, as_of)]
elif PAGE == "indicator":
    indicator = fw.indicators[0]
    figures = [charts.trend_figure(report, indicator, fw, as_of, countries=list(names), names=names),
               charts.ranking_figure(report, indicator, year, fw, as_of, names=names)]
elif PAGE == "returns":
    returned = [int(y) for y in submissions["year"].dropna()]
    years = list(range(fw.baseline_year, max([fw.target_year, *returned]) + 1))
    matrix = charts.build_completeness_matrix(submissions, list(names), years, [])
    figures = [charts.completeness_figure(matrix, as_of, names=names)]
for i, fig in enumerate(figures):
    st.plotly_chart(fig, key=f"figure_{{i}}", theme=None)
'''


def _app_test(path: str):
    from streamlit.testing.v1 import AppTest
    return AppTest.from_file(path, default_timeout=600)


def _problems(at) -> list[str]:
    return [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]


def page_reruns(url: str, repeats: int, pages: list[str] | None = None) -> dict:
    """For each page: open it through app.py, time `repeats` warm reruns; the same for its bare page."""
    os.environ["ACCSM_DATABASE_URL"] = url
    app = str(Path.cwd() / "app.py")
    results = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    for page in pages or PAGES:
        at = _app_test(app)
        started = time.perf_counter()
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        first = time.perf_counter() - started
        warm = []
        for _ in range(repeats):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        figures = len(at.get("plotly_chart"))
        problems = _problems(at)

        bare_path = folder / f"bare_{page}.py"
        bare_path.write_text(BARE_PAGE.format(url=url, page=page))
        bare = _app_test(str(bare_path))
        bare.run()
        bare_warm = []
        for _ in range(repeats):
            started = time.perf_counter()
            bare.run()
            bare_warm.append(time.perf_counter() - started)
        results[page] = {"first": first, "warm": warm, "bare": bare_warm, "figures": figures,
                         "bare_figures": len(bare.get("plotly_chart")), "problems": problems + _problems(bare)}
    return results


def first_visit(url: str) -> dict:
    """Time the first AppTest run of app.py on a never-used database (it creates the schema and loads the demo)."""
    os.environ["ACCSM_DATABASE_URL"] = url
    import streamlit  # noqa: F401 - the server has imported Streamlit before anyone visits
    at = _app_test(str(Path.cwd() / "app.py"))
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    spinners = [str(getattr(e, "proto", "")) for e in at.get("spinner")] if hasattr(at, "get") else []
    return {"seconds": seconds, "problems": _problems(at), "spinners_left": len(spinners)}
