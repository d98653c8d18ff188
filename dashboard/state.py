"""Page state in the URL: read and validate `plan`, `year`, `indicator`, `country`, `countries`; write them back.

Each choice is also kept in the session (not as widget state, which Streamlit drops when a page without the
widget runs), so a page reached from the sidebar, whose link has no parameters, shows the choices made last time.
A parameter in the link always wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.text import literal, literal_list

PLAN = "plan"
YEAR = "year"
INDICATOR = "indicator"
COUNTRY = "country"
COUNTRIES = "countries"


def select_param(label: str, options: Sequence, param: str, default=None, *, container=None,
                 format_func: Callable = str, help: str | None = None, on_change: Callable | None = None):
    """Draw a selectbox whose value lives in the URL parameter `param`; return the chosen option.

    Without the parameter in the URL, the choice kept from the last visit is used (else the default). A value in
    the URL that is not among the options is replaced that way too, with a note. `on_change` runs after the new
    value is written to the URL, when the reader changes it.
    """
    container = container or st
    options = list(options)
    if not options:
        return None
    key = _key(param)
    default = default if default in options else options[0]
    raw = st.query_params.get(param)
    chosen = _match(raw, options)
    if chosen is None:
        chosen = next((c for c in (st.session_state.get(key), st.session_state.get(_kept(param))) if c in options),
                      default)
        if raw is not None:
            # The value comes from the link, the shown name from the store: both as written, never as markup.
            container.warning(f"The link asks for {literal(label.lower())} “{literal(raw)}”, which is not "
                              f"available here; showing {literal(format_func(chosen))} instead.")
    st.session_state[key] = chosen
    value = container.selectbox(label, options, key=key, format_func=format_func, help=help,
                                on_change=_write_back, args=(param, key, on_change))
    st.query_params[param] = str(value)
    st.session_state[_kept(param)] = value
    return value


def multiselect_param(label: str, options: Sequence, param: str, default: Sequence = (), *, container=None,
                      format_func: Callable = str, help: str | None = None) -> list:
    """Draw a multiselect whose values live in the URL parameter `param` (comma-separated); return them.

    Without the parameter in the URL, the selection kept from the last visit is used (else the default).
    """
    container = container or st
    options = list(options)
    key = _key(param)
    raw = st.query_params.get(param)
    if raw is not None:
        wanted = [part for part in raw.split(",") if part]
        chosen = [o for o in options if str(o) in wanted]
        unknown = [w for w in wanted if w not in {str(o) for o in options}]
        if unknown:
            container.warning(f"The link names {literal_list(unknown)}, not available for "
                              f"{literal(label.lower())}; they are left out.")
        st.session_state[key] = chosen
    elif key in st.session_state:
        st.session_state[key] = [o for o in st.session_state[key] if o in options]
    elif _kept(param) in st.session_state:
        st.session_state[key] = [o for o in st.session_state[_kept(param)] if o in options]
    else:
        st.session_state[key] = [o for o in default if o in options]
    default = [o for o in default if o in options]
    values = container.multiselect(label, options, key=key, format_func=format_func, help=help,
                                   on_change=_write_back_many, args=(param, key, default))
    _write_many(param, values, default)
    st.session_state[_kept(param)] = list(values)
    return values


def selected_year() -> int | None:
    """Return the reporting year chosen in the sidebar (set by app.py before the page runs)."""
    return st.session_state.get(_key(YEAR))


def selected_plan() -> str | None:
    """Return the code of the work plan chosen in the sidebar (set by app.py before the page runs)."""
    return st.session_state.get(_key(PLAN))


def forget(param: str) -> None:
    """Drop a choice from the URL and from the session, so its selector starts again from its default."""
    if param in st.query_params:
        del st.query_params[param]
    st.session_state.pop(_key(param), None)
    st.session_state.pop(_kept(param), None)


def _key(param: str) -> str:
    return f"url_{param}"


def _kept(param: str) -> str:
    # Not a widget key: Streamlit keeps it across pages.
    return f"kept_{param}"


def _match(raw: str | None, options: list):
    if raw is None:
        return None
    for option in options:
        if str(option) == raw:
            return option
    return None


def _write_back(param: str, key: str, then: Callable | None = None) -> None:
    # Runs before the rerun, so the URL already holds the new value when the script reads it.
    st.query_params[param] = str(st.session_state[key])
    if then is not None:
        then()


def _write_back_many(param: str, key: str, default: list) -> None:
    _write_many(param, st.session_state[key], default)


def _write_many(param: str, values: list, default: list) -> None:
    # The default selection stays out of the URL so ordinary links stay short; an empty one is written as "".
    if list(values) == list(default):
        if param in st.query_params:
            del st.query_params[param]
    else:
        st.query_params[param] = ",".join(str(v) for v in values)


def current_user() -> str:
    """Return the store login recorded against changes: who signed in, else (no sign-in configured) the local user.

    Never a name typed in the page (dashboard.identity). "unknown" when nobody may act; every change is then refused.
    """
    from dashboard import identity  # it reads the store through dashboard.data, which imports this module
    return identity.acting_login() or "unknown"
