"""Who is using the page: the store user of whoever signed in (OpenID Connect, st.login), or the local user."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import data
from dashboard.text import literal
from kpi.access import User, read_user
from kpi.users import find_by_sign_in_email, resolve_login

_LOG = logging.getLogger(__name__)
TITLE = "ACCSM KPI dashboard"
# Headers a reverse proxy adds: in local mode they mean someone on another machine is connecting through one.
_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host")
LOCAL_CAPTION = "Local mode: no sign-in; acting as {who} — only this computer can connect"


@dataclass(frozen=True)
class Identity:
    """Who the page acts as: the store login (None: nobody may act) and, when signed in, the e-mail proven."""

    login: str | None
    signed_in_email: str | None = None
    user: User | None = None

    @property
    def is_local(self) -> bool:
        """True when no sign-in is configured: the one local user of this computer."""
        return self.signed_in_email is None


def sign_in_configured() -> bool:
    """Return True when `.streamlit/secrets.toml` has an `[auth]` section (Streamlit's st.login settings)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all (StreamlitSecretNotFoundError is one)
        return False


def current_identity() -> Identity:
    """Return who this run acts as. Signed in but not a known, active user, or not signed in: login None."""
    if not sign_in_configured():
        login = resolve_login()  # $ACCSM_USER of whoever started the server, else the seeded local user
        return Identity(login, None, _read_user(login))
    if not _is_logged_in():
        return Identity(None)
    email = signed_in_email()
    user = _find_user(email) if email and _email_is_verified() else None
    if user is None or not user.active:
        return Identity(None, email or "", user)
    return Identity(user.login, email, user)


def signed_in_email() -> str | None:
    """Return the e-mail (lower case) the provider vouches for in the signed-in person's id_token, else None."""
    email = st.user.get("email")
    return email.strip().lower() if isinstance(email, str) and email.strip() else None


def acting_login() -> str | None:
    """Return the store login this run acts as (None: nobody, the page shows the sign-in or no-access screen)."""
    return current_identity().login


def check_gate() -> Callable[[], None] | None:
    """Return None when the pages may be shown, else the function that draws what is shown instead and stops.

    Fails closed: if who is signed in cannot be checked (the store unreachable), nothing of the data is shown.
    """
    try:
        if not sign_in_configured():
            problem = _local_mode_problem()
            return None if problem is None else (lambda: _draw_local_refused(problem))
        if not _is_logged_in():
            return _draw_sign_in
        identity = current_identity()
        return None if identity.login is not None else (lambda: _draw_no_access(identity))
    except Exception:  # noqa: BLE001 - nobody unproven sees the data, and no traceback reaches them
        _LOG.exception("checking who is signed in failed")
        return _draw_check_failed


def draw_sidebar_identity(identity: Identity, describe_acting: Callable[[str], str]) -> None:
    """Draw who the page acts as in the sidebar: local mode and its limit, or the signed-in user and sign-out."""
    if identity.is_local:
        who = identity.user.describe() if identity.user else repr(identity.login)
        st.caption(literal(LOCAL_CAPTION.format(who=who)))
        if identity.user is None or not identity.user.active:
            st.caption(literal(describe_acting(identity.login)))
        return
    st.caption(literal(f"Signed in as {identity.signed_in_email}: acting as {identity.user.describe()}, "
                       f"{identity.user.display_name}. Every change is recorded under {identity.login}."))
    st.button("Sign out", key="identity_sign_out", on_click=st.logout, icon=":material/logout:")


def _is_logged_in() -> bool:
    return bool(st.user.get("is_logged_in"))


def _email_is_verified() -> bool:
    # Providers that say nothing about verification (many government directories) are trusted for their own
    # addresses; a provider that says an address is unverified is not.
    return st.user.get("email_verified") is not False


def _read_user(login: str) -> User | None:
    url = data.get_database_url()
    with data.get_engine(url).connect() as connection:
        return read_user(connection, login)


def _find_user(email: str) -> User | None:
    # Not cached: a user the secretariat deactivates (on the page or the command line) loses access at once.
    url = data.get_database_url()
    with data.get_engine(url).connect() as connection:
        return find_by_sign_in_email(connection, email)


def _local_mode_problem() -> str | None:
    address = st.get_option("server.address")
    if not _is_loopback(address):
        return (f"this dashboard is served on the address {address or 'of every network interface'!r} but no "
                "sign-in is configured, so anyone who can reach it would act as the local secretariat user. "
                "Configure sign-in (an [auth] section in .streamlit/secrets.toml, see the README's Sign-in "
                "section) or serve it on 127.0.0.1 only (the default of .streamlit/config.toml).")
    # Streamlit gives no address for a loopback connection; a proxy on this machine adds its forwarding headers.
    remote = st.context.ip_address
    headers = st.context.headers
    if (isinstance(remote, str) and remote) or any(headers.get(h) for h in _PROXY_HEADERS):
        return ("this page was reached from another computer (directly or through a proxy), but no sign-in is "
                "configured, so it would act as the local secretariat user. Configure sign-in (an [auth] section in "
                ".streamlit/secrets.toml, see the README's Sign-in section) before serving other people.")
    return None


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False  # unset or empty: Streamlit listens on every interface
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def _draw_sign_in() -> None:
    st.title(TITLE)
    st.write("Progress of the ACCSM Work Plan by Member State. Sign in with your organisation's account to continue.")
    st.button("Sign in", key="identity_sign_in", type="primary", on_click=st.login, icon=":material/login:")
    st.stop()


def _draw_no_access(identity: Identity) -> None:
    st.title(TITLE)
    if not identity.signed_in_email:
        why = ("Your organisation's sign-in did not give an e-mail address, which this dashboard needs to know "
               "who you are.")
    elif identity.user is not None and not identity.user.active:
        why = f"You are signed in as {identity.signed_in_email}, but the user {identity.user.login} is deactivated."
    elif not _email_is_verified():
        why = f"You are signed in as {identity.signed_in_email}, but your provider has not verified that address."
    else:
        why = f"You are signed in as {identity.signed_in_email}, but that address is not a user of this dashboard."
    deactivated = identity.user is not None and not identity.user.active
    ask = "to reactivate that user" if deactivated else "to add you (Users and roles page)"
    st.error(literal(f"{why} You have no access: ask the ACCSM secretariat {ask}."), icon=":material/block:")
    st.button("Sign out", key="identity_sign_out", on_click=st.logout, icon=":material/logout:")
    st.stop()


def _draw_local_refused(problem: str) -> None:
    st.title(TITLE)
    st.error(literal(f"Not served: {problem}"), icon=":material/lock:")
    st.stop()


def _draw_check_failed() -> None:
    st.title(TITLE)
    st.error("Who is signed in could not be checked just now (the database may be unreachable), so nothing is "
             "shown. Reload the page in a minute; if it persists, tell the ACCSM secretariat.",
             icon=":material/error:")
    st.stop()
