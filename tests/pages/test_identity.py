"""Who the pages act as (dashboard/identity.py): local mode says so on every page and types no name; it refuses to
serve another address; with sign-in configured, nobody signed in sees only the sign-in screen.

Sign-in itself, through a real OpenID Connect provider, is tested in a browser: tests/e2e/test_sign_in.py.
"""

from __future__ import annotations

import pytest
from conftest import APP, PAGES, assert_clean, shown, texts
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from dashboard import identity

LOCAL_CAPTION = "Local mode: no sign-in; acting as {} — only this computer can connect"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-test-secret-of-32-characters!!",
        "client_id": "accsm", "client_secret": "not-used",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def _captions(at) -> list[str]:
    return [shown(c.value) for c in at.caption]


@pytest.fixture
def server_address():
    """Set Streamlit's server.address for one test (AppTest runs in this process), then put it back."""
    before = streamlit_config.get_option("server.address")

    def set_(address):
        streamlit_config.set_option("server.address", address)
    yield set_
    streamlit_config.set_option("server.address", before)


@pytest.mark.parametrize("page", PAGES)
def test_local_mode__every_page_says_so_and_has_no_name_to_type(database_url, open_page, page):
    at = open_page(page)
    assert_clean(at)
    assert LOCAL_CAPTION.format("tester (secretariat)") in _captions(at)
    assert not [t for t in at.text_input if "name" in t.label.lower() and "recorded" in t.label.lower()]
    assert "user_name" not in [t.key for t in at.text_input]


def test_local_mode__without_accsm_user_acts_as_the_seeded_local_user(database_url, open_page, monkeypatch):
    monkeypatch.delenv("ACCSM_USER")
    at = open_page("pages/users.py")
    assert_clean(at)
    assert LOCAL_CAPTION.format("local (secretariat)") in _captions(at)
    assert [b for b in at.button if b.key == "users_set_role"]  # the local user is the secretariat


def test_local_mode__session_state_cannot_make_someone_else(database_url, open_page):
    # The old typed-name field wrote session_state["user_name"]; nothing reads it any more.
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_name"] = "root"
    at.run()
    assert_clean(at)
    assert LOCAL_CAPTION.format("tester (secretariat)") in _captions(at)
    assert "root" not in texts(at)


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.10", "dashboard.example.org", "::"])
def test_local_mode__refuses_to_serve_an_address_other_computers_reach(database_url, open_page, server_address,
                                                                       address):
    server_address(address)
    at = open_page()
    assert not at.exception
    refusal = " ".join(shown(e.value) for e in at.error)
    assert "Not served" in refusal and "no sign-in is configured" in refusal
    assert "Configure sign-in" in refusal and "[auth] section in .streamlit/secrets.toml" in refusal
    assert not at.get("plotly_chart") and not at.dataframe and not at.sidebar.selectbox
    assert "Where ASEAN stands" not in texts(at)


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_local_mode__serves_loopback(database_url, open_page, server_address, address):
    server_address(address)
    at = open_page()
    assert_clean(at)
    assert LOCAL_CAPTION.format("tester (secretariat)") in _captions(at)


def test_sign_in_configured__not_signed_in_sees_the_sign_in_screen_and_no_data(database_url):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["ACCSM KPI dashboard"]
    assert [b.key for b in at.button] == ["identity_sign_in"]
    assert not at.get("plotly_chart") and not at.dataframe and not at.sidebar.selectbox and not at.error
    assert "Local mode" not in texts(at) and "Data as of" not in texts(at)


def test_sign_in_configured__a_deep_link_shows_the_sign_in_screen_too(database_url):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    at.switch_page("pages/users.py").run()
    assert not at.exception
    assert [b.key for b in at.button] == ["identity_sign_in"]
    assert "Users and roles" not in [t.value for t in at.title]
    assert not at.dataframe


def test_sign_in_configured__ignores_accsm_user(database_url, monkeypatch):
    # $ACCSM_USER chooses the local user only; with sign-in configured only a signed-in identity acts.
    monkeypatch.setenv("ACCSM_USER", "local")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert [b.key for b in at.button] == ["identity_sign_in"]


@pytest.mark.parametrize("address, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                               ("[::1]", True), ("0.0.0.0", False), ("", False), (None, False),
                                               ("10.0.0.5", False), ("my-host", False)])
def test_is_loopback(address, loopback):
    assert identity._is_loopback(address) is loopback
