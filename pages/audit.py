"""Audit trail: every import, change, role change and refusal, filtered by who, action, entity and date; exportable."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import data, frame, widgets
from kpi import store


@st.cache_data(show_spinner=False)
def _load_choices(url: str) -> dict:
    with data.get_engine(url).connect() as connection:
        return store.read_audit_choices(connection)


@st.cache_data(show_spinner=False)
def _load_trail(url: str, users: tuple, actions: tuple, entities: tuple, since, until) -> pd.DataFrame:
    with data.get_engine(url).connect() as connection:
        return store.read_audit_trail(connection, users, actions, entities, since, until)


def _as_table(trail: pd.DataFrame) -> pd.DataFrame:
    # Every value is text as stored (a file name, a note from a workbook): shown in a table, never as markup.
    return pd.DataFrame({
        "when (UTC)": [pd.Timestamp(w).strftime("%Y-%m-%d %H:%M:%S") for w in trail["at"]],
        "who": trail["user_name"].astype(str), "action": trail["action"].astype(str),
        "entity": trail["entity"].astype(str), "key": trail["entity_key"].astype(str),
        "detail": trail["detail"].astype(str),
    })


def _draw_filters(choices: dict):
    who, action, entity = st.columns(3)
    users = who.multiselect("Who", choices["users"], key="audit_users", placeholder="anyone")
    actions = action.multiselect("Action", choices["actions"], key="audit_actions", placeholder="any action")
    entities = entity.multiselect("Entity", choices["entities"], key="audit_entities", placeholder="anything")
    today = dt.datetime.now(dt.timezone.utc).date()
    first, last = choices["first"] or today, max(choices["last"] or today, today)
    dates = st.date_input("Dates (UTC), from and to", value=(first, last), min_value=first, max_value=last,
                          key="audit_dates")
    since, until = (tuple(dates) + (None, None))[:2] if isinstance(dates, (tuple, list)) else (dates, dates)
    return tuple(users), tuple(actions), tuple(entities), since, until or since


with widgets.explain_errors("the audit trail page"):
    frame.draw_furniture()
    url = data.get_database_url()
    st.title("Audit trail")
    st.caption("Every file loaded, baseline or target set, work plan status, removal, user or role change and refused "
               "action, with who did it and when. The database refuses to change or delete a line of it.")
    choices = _load_choices(url)
    users, actions, entities, since, until = _draw_filters(choices)
    trail = _load_trail(url, users, actions, entities, since, until)
    if not len(trail):
        st.info("No line of the audit trail matches these filters.")
    else:
        table = _as_table(trail)
        st.caption(f"{len(table)} line(s), newest first.")
        st.dataframe(table, hide_index=True, key="audit_trail", column_config={
            "detail": st.column_config.TextColumn("Detail (old and new values)", width="large")})
        widgets.draw_table_downloads("audit_trail", table, "accsm_audit_trail")
