"""ASEAN Resource Centres: each ARC's theme in force, its projects and participants, and how participants rated them."""

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import evaluation_summary as ev
from kpi.arcs import theme_in_force


@st.cache_data(show_spinner=False)
def _load_inputs(url: str) -> dict[str, pd.DataFrame]:
    with data.get_engine(url).connect() as connection:
        return ev.read_arc_inputs(connection)


def _project_table(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Project": summary["title"],
        "From": [str(v)[:10] if not pd.isna(v) else "" for v in summary["start_date"]],
        "To": [str(v)[:10] if not pd.isna(v) else "" for v in summary["end_date"]],
        "Participants": summary["participants"].astype("Int64"),
        "Forms loaded": summary["responses"].astype("Int64"),
        "Evaluations counted": summary["evaluations"].astype("Int64"),
        "Satisfied": summary["satisfied"].astype("Int64"),
        "Satisfied %": summary["satisfied_pct"].round(1),
        "D.1.1 source": summary["source"],
        "Annex 2 mean (1-5)": summary["a2_mean"].round(2),
        f"Fewer than {ev.MIN_RESPONSES} evaluations": ["yes" if f else "" for f in summary["too_few"]],
    })


def _draw_project(inputs, country: str, year: int, record: dict, as_of) -> None:
    responses = ev.responses_of(inputs["evaluations"], country, year, record["title"])
    st.subheader(literal(record["title"]))
    n = record["evaluations"]
    counted = "no evaluations" if pd.isna(n) else f"{int(n)} evaluations counted in D.1.1 ({record['source']})"
    st.caption(f"{literal(counted)}; {len(responses)} participant form(s) loaded.")
    if record["too_few"]:
        st.warning(f"Only {int(n)} evaluations for this project: fewer than {ev.MIN_RESPONSES}, so its satisfied "
                   f"share (±{ev.margin_of_error_pts(int(n)):.0f} points at 95 %) is indicative only.",
                   icon=":material/warning:")
    if not len(responses):
        st.info("No participant forms are loaded for this project: D.1.1 uses the return's counts. Load the "
                "evaluations workbook (Country returns page) to see the ratings per item.")
        return
    stem = f"accsm_arc_{country}_{year}_{record['title'][:30]}"
    distribution = ev.item_distribution(responses)
    key = f"arc_items_{abs(hash(record['title'])) % 10**8}"
    widgets.show_figure(ev.item_distribution_figure(distribution, record["title"], as_of), key,
                        distribution, f"{stem}_annex1")
    overall = ev.overall_distribution(responses)
    widgets.show_figure(ev.overall_figure(overall, record["title"], as_of), f"{key}_overall",
                        pd.DataFrame({"rating": list(overall), "participants": list(overall.values())}),
                        f"{stem}_annex2")


with widgets.explain_errors("the ARC page"):
    frame.draw_furniture()
    url = data.get_database_url()
    year = state.selected_year()
    as_of = data.load_status(url).as_of
    names = data.read_country_names(url)
    inputs = _load_inputs(url)
    st.title(f"ASEAN Resource Centres, {year}")
    st.caption("Each AMS hosts an ARC. Its theme is dated data: the two published lists (April and May 2017) differ "
               "for five AMS, and a return can state the theme of its year; the theme in force is the latest dated "
               "in or before the year. " + ev.explain_threshold())

    st.header("All ARCs")
    members = [c for c in data.load_membership(url).members_in(year) if c in names]
    overview = ev.arcs_overview(inputs, members, names, year)
    flagged = f"flagged (< {ev.MIN_RESPONSES} evaluations)"
    st.dataframe(overview.drop(columns="iso3"), hide_index=True, key="arc_overview", height="content",
                 row_height=50, column_config={
                     "AMS": st.column_config.TextColumn(width=120),
                     "theme in force": st.column_config.TextColumn("Theme in force", width=180),
                     "theme source": st.column_config.TextColumn("Theme from", width=130),
                     "projects listed": st.column_config.NumberColumn("Projects", width=70),
                     "participants": st.column_config.NumberColumn("Participants", width=90),
                     "D.1.1 satisfied %": st.column_config.NumberColumn("D.1.1 %", format="%.1f", width=70),
                     "from participant rows": st.column_config.NumberColumn("From forms", width=80),
                     "from summary counts": st.column_config.NumberColumn("From counts", width=80),
                     flagged: st.column_config.NumberColumn(f"< {ev.MIN_RESPONSES} evals", width=80)})
    widgets.draw_table_downloads("arc_overview", overview, f"accsm_arcs_{year}")

    country = state.select_param("ARC of", members, state.COUNTRY, format_func=lambda c: names.get(c, c))
    name = names.get(country, country)
    st.header(f"ARC of {literal(name)}")
    theme = theme_in_force(inputs["themes"], country, year)
    if theme:
        st.markdown(f"Theme in force in {year}: **{literal(theme['theme'])}** "
                    f"({literal(theme['source'])}, as of {literal(theme['as_of'])})")
    else:
        st.markdown(f"No theme is recorded for {year} or earlier.")
    st.caption("Every dated theme of this ARC, oldest first:")
    st.dataframe(ev.theme_history(inputs["themes"], country), hide_index=True, key="arc_themes", height="content",
                 column_config={"as of": st.column_config.TextColumn(width=80),
                                "theme": st.column_config.TextColumn(width=480),
                                "source": st.column_config.TextColumn(width=220)})

    summary = ev.summarise_projects(inputs["projects"], inputs["evaluations"], country, year)
    st.subheader(f"Projects and participants, {year}")
    if summary.empty:
        st.info(f"The current {year} return of {literal(name)} lists no ARC project (or no return is stored).")
    else:
        pooled = ev.pooled_satisfaction(summary)
        st.caption(f"D.1.1 for {literal(name)} {year}: "
                   + ("no data (no evaluations)" if pooled is None else f"{pooled:.1f} % satisfied")
                   + f", pooled over {len(summary)} project(s). Where participant forms are loaded they replace the "
                   "return's evaluations/satisfied counts; the source column says which was used.")
        table = _project_table(summary)
        st.dataframe(table, hide_index=True, key="arc_projects", height="content", row_height=70,
                     column_config={c: st.column_config.Column(label, width=w) for c, (label, w) in {
                         "Project": ("Project", 150), "From": ("From", 84), "To": ("To", 84),
                         "Participants": ("Participants", 80), "Forms loaded": ("Forms", 60),
                         "Evaluations counted": ("Evaluations", 80), "Satisfied": ("Satisfied", 70),
                         "Satisfied %": ("%", 50), "D.1.1 source": ("D.1.1 source", 110),
                         "Annex 2 mean (1-5)": ("Annex 2 mean", 90),
                         f"Fewer than {ev.MIN_RESPONSES} evaluations": (f"< {ev.MIN_RESPONSES}", 44)}.items()})
        widgets.draw_table_downloads("arc_projects", table, f"accsm_arc_projects_{country}_{year}")
        widgets.show_figure(ev.project_satisfaction_figure(summary, name, year, as_of), "arc_project_satisfaction",
                            table, f"accsm_arc_satisfaction_{country}_{year}")
    for title in ev.unmatched_evaluations(inputs["projects"], inputs["evaluations"], country, year):
        st.warning(f"Evaluations are loaded for “{literal(title)}”, which the current {year} return does not list: "
                   "they count in D.1.1 only once the return lists the project.")

    st.header("Participant evaluations")
    for record in summary.to_dict("records"):
        _draw_project(inputs, country, year, record, as_of)
