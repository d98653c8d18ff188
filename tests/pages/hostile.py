"""Hostile text for the markup tests: what a workbook, a link or a name could hold, and a return that holds it."""

from __future__ import annotations

from pathlib import Path

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
IFRAME = '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>'
MARKDOWN_LINK = "[click](https://example.invalid)"
HTML_LINK = '<a href="https://example.invalid">link</a>'
STREAMLIT_MARKUP = ":red[red] :material/home: $x^2$ **bold** `code` &amp; %{y}"
PAYLOADS = (IMG, SCRIPT, IFRAME, MARKDOWN_LINK, HTML_LINK)

THEME = f"Theme {IMG} {SCRIPT} {IFRAME} {MARKDOWN_LINK} {HTML_LINK} {STREAMLIT_MARKUP}"
PROJECT_TITLES = (f"Project {IMG}", f"Project {SCRIPT}", f"Project {IFRAME}", f"Project {MARKDOWN_LINK}",
                  f"Project {HTML_LINK}")
FOCAL_POINT = f"Focal {IMG} {MARKDOWN_LINK}"
USER = f"Officer {IMG} {MARKDOWN_LINK}"
# A file name cannot hold "/": the two payloads without one. A browser sends '"' in an upload's name as %22,
# so the uploaded name quotes with "'".
FILE_NAME = f"return {IMG} {MARKDOWN_LINK.replace('//', '')}.xlsx"
UPLOAD_NAME = FILE_NAME.replace('"', "'")
# A Member State's name holds at most 100 characters (member_state.name; PostgreSQL refuses more, as it should):
# the image, a short HTML link and a plotly placeholder. The Markdown link is in the names of test_export_markup.
COUNTRY_NAME = f'Viet Nam {IMG} <a href="//example.invalid">a</a> %{{x}}'
assert len(COUNTRY_NAME) <= 100


def write_hostile_return(folder: Path, country: str, year: int) -> Path:
    """Write a valid return for `country` and `year` whose theme, project titles, focal point and survey are hostile."""
    from importers import templates
    blank = templates.write_return_template(folder / f"blank_{country}_{year}.xlsx", country, year)
    values = {
        "focal_point": FOCAL_POINT, "agencies_total": 40, "a1_competency_institutionalised": "yes",
        "a11_agencies_competency": 12, "d1_arc_enhanced": "yes", "arc_theme": THEME,
        "e3_satisfaction_pct": 70, "e3_survey": f"Survey {MARKDOWN_LINK}",
        "b2_policies_count": 1, "d2_projects_count": len(PROJECT_TITLES), "e1_measures_count": 1,
    }
    items = {
        "arc_projects": [{"title": title, "participants": 20, "evaluations": 10, "satisfied": 8}
                         for title in PROJECT_TITLES],
        "policies": [{"title": f"Policy {HTML_LINK}", "level": "national", "year_started": 2015}],
        "reform_measures": [{"title": f"Measure {SCRIPT}", "aim": "efficiency", "year_started": 2016}],
    }
    return templates.fill_return(blank, folder / f"hostile_{country}_{year}.xlsx", values, items)
