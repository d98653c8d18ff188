"""Worker jobs for the page rows: warm AppTest reruns against a bare page of the same figures; the first visit."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

PAGES = ["overview", "indicator", "member_state", "returns", "targets", "exports"]

# The floor: a bare Streamlit page that reads the same report once (cached like the app does) and draws what the page
# draws with nothing around it: the same plotly figures, built by the same kpi.charts / kpi.maps builders on every
# rerun, and as many plain st.dataframe tables as the page shows (each the year's rows the page is about). No
# sidebar, styling, downloads or widgets.
BARE_PAGE = '''
import streamlit as st
from kpi import charts, maps, store
from kpi.catalogue import CURRENT_FRAMEWORK as fw
from kpi.db import open_store
from kpi.engine import compute_report

URL, PAGE = {url!r}, {page!r}
TABLES = {{"overview": 7, "indicator": 1, "member_state": 4, "returns": 2, "targets": 2, "exports": 0}}


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
members = list(names)
figures = []
if PAGE == "overview":
    figures = [charts.status_matrix_figure(report, year, fw, as_of, names=names),
               maps.status_map_figure(report, fw.indicators[0].code, year, fw, as_of, members, names)]
elif PAGE == "indicator":
    indicator = fw.indicators[0]
    figures = [charts.trend_figure(report, indicator, fw, as_of, countries=members, names=names),
               maps.status_map_figure(report, indicator, year, fw, as_of, members, names)]
    if not indicator.is_yes_count:  # as the page: a yes/no indicator has no ranking
        figures.insert(1, charts.ranking_figure(report, indicator, year, fw, as_of, names=names))
elif PAGE == "returns":
    returned = [int(y) for y in submissions["year"].dropna()]
    years = list(range(fw.baseline_year, max([fw.target_year, *returned]) + 1))
    matrix = charts.build_completeness_matrix(submissions, members, years, [])
    figures = [charts.completeness_figure(matrix, as_of, names=names)]
for i, fig in enumerate(figures):
    st.plotly_chart(fig, key=f"figure_{{i}}", theme=None)
scope = members[0] if PAGE == "member_state" else "ASEAN"
rows = report[(report["year"] == year) & (report["scope"] == scope)].drop(columns=["details"])
for i in range(TABLES[PAGE]):
    st.dataframe(rows, key=f"table_{{i}}", hide_index=True)
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
