"""Audit trail: every import, change, role change and refusal, filtered by who, action, entity and date; exportable."""

import datetime as dt
import json

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import store


LINES_PER_PAGE = 50


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


def _date_param(name: str, first: dt.date, last: dt.date) -> dt.date | None:
    try:
        value = dt.date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None
    return min(max(value, first), last)


def _draw_filters(choices: dict):
    # Every filter is kept in the link (who, action, entity, from, to), so a filtered trail can be shared.
    who, action, entity = st.columns(3)
    users = state.multiselect_param("Who", choices["users"], "who", container=who,
                                    help="Nobody chosen: anyone. Kept in the link.")
    actions = state.multiselect_param("Action", choices["actions"], "action", container=action,
                                      help="Nothing chosen: any action. Kept in the link.")
    entities = state.multiselect_param("Entity", choices["entities"], "entity", container=entity,
                                       help="Nothing chosen: anything. Kept in the link.")
    today = dt.datetime.now(dt.timezone.utc).date()
    first, last = choices["first"] or today, max(choices["last"] or today, today)
    linked = (_date_param("from", first, last), _date_param("to", first, last))
    if any(linked) or "audit_dates" not in st.session_state:  # the link wins, as for every other choice
        st.session_state["audit_dates"] = (linked[0] or first, linked[1] or last)
    dates = st.date_input("Dates (UTC), from and to", min_value=first, max_value=last, key="audit_dates",
                          on_change=_write_dates, args=(first, last))
    since, until = (tuple(dates) + (None, None))[:2] if isinstance(dates, (tuple, list)) else (dates, dates)
    until = until or since
    _write_dates(first, last)
    return tuple(users), tuple(actions), tuple(entities), since, until


def _draw_selected_detail(trail: pd.DataFrame, event) -> None:
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if not rows or rows[0] >= len(trail):
        return
    line = trail.iloc[rows[0]]
    st.markdown(f"**{literal(str(line['action']))} · {literal(str(line['entity']))} · "
                f"{literal(str(line['entity_key']))}**, by {literal(str(line['user_name']))}")
    try:
        st.json(json.loads(line["detail"] or "{}"), expanded=True)  # values shown as JSON text, never markup
    except ValueError:
        st.code(str(line["detail"]), language=None, wrap_lines=True)


def _write_dates(first: dt.date, last: dt.date) -> None:
    # Also the widget's callback: the link holds the new dates before the rerun reads them back.
    dates = st.session_state.get("audit_dates")
    since, until = (tuple(dates) + (None, None))[:2] if isinstance(dates, (tuple, list)) else (dates, dates)
    for name, value, default in (("from", since, first), ("to", until or since, last)):
        if value is None or value == default:
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = value.isoformat()


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
        # The page grows by a page of lines at a time rather than scrolling inside the table; the downloads
        # hold every matching line.
        shown = min(len(table), st.session_state.setdefault("audit_lines", LINES_PER_PAGE))
        st.caption(f"{len(table)} line(s), newest first" + (f"; the newest {shown} shown, every line in the "
                                                            "downloads." if shown < len(table) else "."))
        st.caption("A long detail is cut at the edge of its column: select a line (the box at its left) to read "
                   "the whole of it below the table.")
        event = st.dataframe(table.head(shown), hide_index=True, key="audit_trail", height="content",
                             on_select="rerun", selection_mode="single-row", column_config={
                                 "detail": st.column_config.TextColumn("Detail (old and new values)", width="large")})
        _draw_selected_detail(trail.head(shown), event)
        if shown < len(table):
            st.button(f"Show {min(LINES_PER_PAGE, len(table) - shown)} more", key="audit_more",
                      on_click=lambda: st.session_state.update(audit_lines=shown + LINES_PER_PAGE))
        widgets.draw_table_downloads("audit_trail", table, "accsm_audit_trail")
