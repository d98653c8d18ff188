"""SOM editions: freeze what a SOM is shown, list and download editions, see what changed since one or between two."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import editions

EDITION, COMPARE = "edition", "compare"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@st.cache_data(show_spinner=False)
def _load_editions(url: str) -> pd.DataFrame:
    with data.get_engine(url).connect() as connection:
        return editions.list_editions(connection)


@st.cache_data(show_spinner=False)
def _load_edition(url: str, edition_id: int) -> dict:
    # An edition never changes, so its cached copy never goes stale.
    with data.get_engine(url).connect() as connection:
        return editions.read_edition(connection, edition_id)


@st.cache_data(show_spinner="Comparing with the figures stored now…")
def _load_changes(url: str, edition_id: int, other_id: int | None, as_of) -> editions.Changes:
    # as_of is part of the key: a new import gives new changes.
    with data.get_engine(url).connect() as connection:
        if other_id is None:
            return editions.changes_since(connection, edition_id)
        return editions.compare_editions(connection, edition_id, other_id)


@widgets.guard_callback("freezing the edition")
def _freeze(url: str, year: int, framework) -> None:
    name = st.session_state.get("edition_name", "")
    som_date = st.session_state.get("edition_date") or dt.date.today()
    note = st.session_state.get("edition_note") or None
    engine = data.get_engine(url)
    try:
        if st.session_state.get("edition_pack"):
            edition_id = editions.freeze_with_pack(engine, name, som_date, year, state.current_user(), framework,
                                                   note=note)
        else:
            edition_id = editions.freeze_edition(engine, name, som_date, year, state.current_user(), framework,
                                                 note=note)
    except editions.EditionError as problem:
        st.session_state["edition_problem"] = str(problem)
        return
    data.clear_caches()
    st.query_params[EDITION] = str(edition_id)
    st.session_state["flash"] = f"Edition “{' '.join(name.split())}” frozen: it will not change."


def _files_table(returns: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    table = pd.DataFrame({
        "File": returns["file_name"], "AMS": [names.get(c, c or "–") for c in returns["country"]],
        "Year": [str(int(y)) if pd.notna(y) else "–" for y in returns["year"]], "Kind": returns["kind"],
        "Subject": returns["subject"].fillna(""), "Loaded by": returns["submitted_by"],
        "Loaded at (UTC)": [str(t or "")[:16].replace("T", " ") for t in returns["submitted_at"]],
        "Why": returns["why"]})
    return table if table["Subject"].astype(bool).any() else table.drop(columns="Subject")


def _targets_table(targets: pd.DataFrame, framework, names: dict[str, str]) -> pd.DataFrame:
    units = {i.code: i.unit for i in framework.indicators}

    def shown(column: str) -> list[str]:
        return [widgets.format_number(v, units.get(c, "")) for v, c in zip(targets[column], targets["indicator"])]
    return pd.DataFrame({"Indicator": targets["indicator"], "Scope": [names.get(s, s) for s in targets["scope"]],
                         "Baseline shown": shown("baseline_before"), "Baseline now": shown("baseline_after"),
                         "Target shown": shown("target_before"), "Target now": shown("target_after"),
                         "Set by": targets["set_by"].fillna("–"), "Why": targets["why"]})


def _draw_changes(changes: editions.Changes, before: str, after: str, key: str, framework,
                  names: dict[str, str]) -> None:
    # The tables read as the rest of the dashboard (units, names, "no data"); the downloads keep the numbers.
    st.markdown(literal(editions.describe_changes(changes)))
    if len(changes.values):
        st.markdown(f"**KPI values** (shown at {literal(before)} → {literal(after)})")
        widgets.draw_changed_values(changes.values, framework, names, f"{key}_values")
        widgets.draw_table_downloads(f"{key}_values", changes.values, f"accsm_{key}_values")
    if len(changes.returns):
        st.markdown("**Returns and evaluation files**")
        st.dataframe(_files_table(changes.returns, names), hide_index=True, key=f"{key}_returns", height="content",
                     column_config={"File": st.column_config.TextColumn(width=200),
                                    "Why": st.column_config.TextColumn(width=200)})
    if len(changes.targets):
        st.markdown("**Baselines and targets**")
        st.dataframe(_targets_table(changes.targets, framework, names), hide_index=True, key=f"{key}_targets",
                     height="content")


with widgets.explain_errors("the SOM editions page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    year = state.selected_year()
    status = data.load_status(url)
    names = data.read_country_names(url)
    st.title("SOM editions")
    st.caption("An edition is what one SOM was shown: the KPI table, the returns and evaluations behind it, the "
               "baselines and targets, the work plan statuses and (when asked) the briefing pack, frozen under a "
               "name and date. The database refuses any change to an edition; a correction is a new edition.")
    listed = _load_editions(url)

    st.header("Editions")
    if listed.empty:
        st.info("No edition has been frozen yet. Freeze one below when the figures for a SOM are final.")
    else:
        shown = listed.assign(pack=["yes" if n else "no" for n in listed["pack_file_name"]],
                              demo=["DEMO DATA" if d else "" for d in listed["is_demo"]])
        shown = shown[["name", "som_date", "year", "frozen_by", "frozen_at", "returns", "pack", "demo", "note"]]
        st.dataframe(shown, hide_index=True, key="editions_list", height="content",
                     column_config={"name": st.column_config.TextColumn("Edition", width=180),
                                    "som_date": st.column_config.DateColumn("SOM date", width=90),
                                    "year": st.column_config.NumberColumn("Year", width=60, format="%d"),
                                    "frozen_by": st.column_config.TextColumn("Frozen by", width=100),
                                    "frozen_at": st.column_config.DatetimeColumn("Frozen at (UTC)", width=140,
                                                                                 format="YYYY-MM-DD HH:mm"),
                                    "returns": st.column_config.NumberColumn("Returns", width=70),
                                    "pack": st.column_config.TextColumn("Pack", width=50),
                                    "demo": st.column_config.TextColumn("Demo", width=90),
                                    "note": st.column_config.TextColumn("Note", width=120)})
        labels = dict(zip(listed["id"], listed["name"]))
        chosen = state.select_param("Edition", list(listed["id"]), EDITION, format_func=lambda i: labels.get(i, i))
        edition = _load_edition(url, int(chosen))
        st.subheader(literal(edition["name"]))
        st.caption(f"SOM of {edition['som_date']}, reporting year {edition['year']}; frozen by "
                   f"{literal(edition['frozen_by'])} on {str(edition['frozen_at'])[:16]} UTC from the data as of "
                   f"{str(edition['data_as_of'] or 'unknown')[:10]}."
                   + (" Frozen from DEMO DATA." if edition["is_demo"] else ""))
        table = editions.kpi_table(edition)
        st.markdown("**The KPI table as shown**")
        widgets.draw_table_downloads("edition_kpi_table", table, f"accsm_edition_{chosen}_kpi_table")
        st.markdown("**The returns behind it**")
        widgets.draw_table_downloads("edition_returns", pd.DataFrame(edition["returns"]["submissions"]),
                                     f"accsm_edition_{chosen}_returns")
        if edition["pack_pptx"]:
            st.download_button("The briefing pack as shown (.pptx)", edition["pack_pptx"], edition["pack_file_name"],
                               _PPTX, key="edition_pack", on_click="ignore", icon=":material/download:")
        else:
            st.caption("This edition was frozen without its briefing pack.")

        st.header("Changed since the edition")
        _draw_changes(_load_changes(url, int(chosen), None, status.as_of), edition["name"], "now", "since",
                      framework, names)

        st.header("Compare two editions")
        others = [i for i in listed["id"] if i != chosen]
        if not others:
            st.caption("Only one edition is frozen: there is nothing to compare it with yet.")
        else:
            other = state.select_param("Compare with", others, COMPARE, format_func=lambda i: labels.get(i, i))
            earlier, later = sorted((int(chosen), int(other)),
                                    key=lambda i: (str(listed.set_index("id").at[i, "som_date"]), i))
            _draw_changes(_load_changes(url, earlier, later, status.as_of), labels[earlier], labels[later],
                          "between", framework, names)

    st.header(f"Freeze an edition for {year}")
    if "edition_problem" in st.session_state:
        st.error(literal(st.session_state.pop("edition_problem")))
    left, right = st.columns([3, 1])
    left.text_input("Name", key="edition_name", placeholder="e.g. 22nd ACCSM SOM, 2019",
                    max_chars=editions.NAME_LENGTH)
    right.date_input("SOM date", key="edition_date", value=dt.date.today())
    st.text_input("Note (optional)", key="edition_note")
    st.checkbox("Include the briefing pack (rendering its charts takes a minute or two)", key="edition_pack",
                value=True)
    st.button(f"Freeze the figures for {year} as an edition", key="edition_freeze", type="primary",
              icon=":material/lock:", on_click=_freeze, args=(url, year, framework))
