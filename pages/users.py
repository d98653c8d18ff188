"""Users and roles: who may use the dashboard, do what and sign in with which e-mail; the secretariat changes them."""

import pandas as pd
import streamlit as st

from dashboard import data, frame, state, widgets
from dashboard.text import literal
from kpi import access, users

_EMAIL_HELP = ("The e-mail their organisation's sign-in (OpenID Connect) gives for them; when they sign in with it, "
               "the dashboard acts as this user. Empty: they cannot sign in.")
_ROLE_HELP = ("secretariat: everything · focal point: loads the returns and evaluations of their own Member State, "
              "reads the rest · viewer: reads")


@st.cache_data(show_spinner=False)
def _load_users(url: str) -> tuple[list[access.User], dict[str, str]]:
    with data.get_engine(url).connect() as connection:
        return users.list_users(connection), users.read_sign_in_emails(connection)


def _as_table(listed: list[access.User], emails: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"login": [u.login for u in listed], "name": [u.display_name for u in listed],
                         "role": [access.ROLE_LABELS[u.role] for u in listed],
                         "country": [u.country or "" for u in listed],
                         "active": ["yes" if u.active else "no" for u in listed],
                         "sign-in e-mail": [emails.get(u.login, "") for u in listed]})


@widgets.guard_callback("changing the users")
def _apply(url: str, change, *args, **options) -> None:
    try:
        result = users.apply_change(data.get_engine(url), change, *args, by=state.current_user(), **options)
    except (access.AccessRefused, users.UserError) as problem:
        st.session_state["users_problem"] = str(problem)
        return
    data.clear_caches()
    if isinstance(result, access.User):
        st.session_state["flash"] = f"Added {result.describe()}."
    else:
        st.session_state["flash"] = f"Saved the change to {args[0]}." if result else f"Nothing to change for {args[0]}."


def _country_input(container, key: str, names: dict):
    return container.selectbox("Country (focal point only)", ["", *names], key=key,
                               format_func=lambda c: names.get(c, "none") if c else "none")


def _add_from_form(url: str) -> None:
    get = st.session_state.get
    _apply(url, users.add_user, get("users_add_login", ""), get("users_add_name", ""), get("users_add_role"),
           get("users_add_country") or None, sign_in_email=get("users_add_email") or None)


def _draw_add(url: str, names: dict) -> None:
    with st.form("users_add", border=True):
        st.subheader("Add a user")
        left, middle, right, far = st.columns(4)
        left.text_input("Login", key="users_add_login", max_chars=users.LOGIN_LENGTH,
                        help="The name they sign in with; recorded against every change they make.")
        middle.text_input("Display name", key="users_add_name", max_chars=users.NAME_LENGTH)
        right.selectbox("Role", access.ROLES, key="users_add_role", help=_ROLE_HELP,
                        format_func=access.ROLE_LABELS.get)
        _country_input(far, "users_add_country", names)
        st.text_input("Sign-in e-mail (optional)", key="users_add_email", max_chars=users.EMAIL_LENGTH,
                      help=_EMAIL_HELP)
        st.form_submit_button("Add user", type="primary", on_click=_add_from_form, args=(url,))


def _set_role_from_form(url: str) -> None:
    get = st.session_state.get
    _apply(url, users.set_role, get("users_change_login"), get("users_change_role"),
           get("users_change_country") or None)


def _set_email_from_form(url: str) -> None:
    get = st.session_state.get
    login = get("users_change_login")
    _apply(url, users.set_sign_in_email, login, get(_email_key(login)) or None)


def _email_key(login: str) -> str:
    # One text box per user, so choosing another user shows their e-mail rather than the one typed for the last.
    return f"users_change_email_{login}"


def _toggle_from_form(url: str, listed: list[access.User]) -> None:
    chosen = next(u for u in listed if u.login == st.session_state.get("users_change_login"))
    _apply(url, users.set_active, chosen.login, not chosen.active)


def _draw_change(url: str, listed: list[access.User], emails: dict[str, str], names: dict) -> None:
    st.subheader("Change a role or sign-in e-mail, deactivate or reactivate")
    left, middle, right = st.columns(3)
    login = left.selectbox("User", [u.login for u in listed], key="users_change_login")
    chosen = next(u for u in listed if u.login == login)
    middle.selectbox("New role", access.ROLES, index=access.ROLES.index(chosen.role), key="users_change_role",
                     format_func=access.ROLE_LABELS.get, help=_ROLE_HELP)
    _country_input(right, "users_change_country", names)
    st.text_input("Sign-in e-mail", value=emails.get(login, ""), key=_email_key(login), max_chars=users.EMAIL_LENGTH,
                  help=_EMAIL_HELP + " Clear it and save to stop them signing in.")
    save, email, toggle, _ = st.columns([1, 1, 1, 2])
    # The callbacks read the choices from the session: they run before the rerun that would redraw these widgets.
    save.button("Save role", key="users_set_role", on_click=_set_role_from_form, args=(url,))
    email.button("Save e-mail", key="users_set_email", on_click=_set_email_from_form, args=(url,))
    toggle.button("Reactivate" if not chosen.active else "Deactivate", key="users_toggle",
                  on_click=_toggle_from_form, args=(url, listed))


with widgets.explain_errors("the users page"):
    frame.draw_furniture()
    url = data.get_database_url()
    names = data.read_country_names(url)
    listed, emails = _load_users(url)
    st.title("Users and roles")
    st.caption(_ROLE_HELP + ". Every change is in the audit trail with the old and new values.")
    if "users_problem" in st.session_state:
        st.error(literal(st.session_state.pop("users_problem")), icon=":material/block:")
    st.dataframe(_as_table(listed, emails), hide_index=True, key="users_table")
    me = next((u for u in listed if u.login == state.current_user()), None)
    if access.is_allowed(me, access.MANAGE_USERS):
        _draw_add(url, names)
        _draw_change(url, listed, emails, names)
    else:
        st.info(f"You are {literal(me.describe() if me else repr(state.current_user()))}: only the ACCSM "
                "secretariat adds users and changes roles.")
