"""Sign-in in a deployment (issue 12, item 2): Chromium signs in through a real OpenID Connect provider.

The module starts tests/oidc_provider.py on 127.0.0.1 and a Streamlit server of its own whose secrets file has an
`[auth]` section pointing at it, on a store of its own with a focal point of BRN, a secretariat user and a
deactivated user mapped to their e-mails. Each test runs the whole flow a person does: the Sign in button, the
provider's login form (where the test picks who signs in), the code exchange by Streamlit's own st.login (Authlib),
back to the dashboard, which acts as the store user of that e-mail.
Screenshots: test-output/e2e/sign_in_*.png.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.text import WORD_JOINER
from importers import templates
from kpi import access, schema
from kpi.db import open_store
from kpi.users import add_user, apply_change, set_active

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, SignInIdentity  # noqa: E402

pytestmark = pytest.mark.e2e

TIMEOUT = 180_000  # a state waited for; generous for a loaded 2-core machine
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IDENTITIES = {
    "focal-brn": SignInIdentity("sub-0001", "Siti.Rahman@JPA.gov.bn", "Siti Rahman"),  # mapped in lower case
    "secretariat": SignInIdentity("sub-0002", "kpi@asean.example", "ASEAN Secretariat KPI desk"),
    "stranger": SignInIdentity("sub-0003", "someone@elsewhere.example", "Someone Else"),
    "former": SignInIdentity("sub-0004", "former@jpa.gov.bn", "Former Official"),
}
USERS = [  # login, name, role, country, sign-in e-mail
    ("fp-brn", "Siti Rahman", access.FOCAL_POINT, "BRN", "siti.rahman@jpa.gov.bn"),
    ("sec-kpi", "KPI desk", access.SECRETARIAT, None, "kpi@asean.example"),
    ("former", "Former Official", access.VIEWER, None, "former@jpa.gov.bn"),
]
SIDEBAR = '[data-testid="stSidebar"]'


@pytest.fixture(scope="module")
def provider():
    started = OidcProvider(IDENTITIES).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sign-in-db') / 'accsm.db'}"
    engine = open_store(url)
    try:
        for login, name, role, country, email in USERS:
            apply_change(engine, add_user, login, name, role, country, by=access.LOCAL_USER, sign_in_email=email)
        apply_change(engine, set_active, "former", False, by=access.LOCAL_USER)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def signed_app_url(provider, store_url, tmp_path_factory, ui):
    """A dashboard server whose secrets file configures sign-in through the test provider."""
    folder = tmp_path_factory.mktemp("sign-in")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'  # Streamlit fills in its own port
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n', encoding="utf-8")
    with ui.run_app(store_url, folder / "streamlit.log", extra_args=("--secrets.files", str(secrets_file))) as url:
        yield url


def _text(page, selector: str) -> str:
    return page.locator(selector).inner_text().replace(WORD_JOINER, "")


def _wait_for_text(page, selector: str, needle: str) -> None:
    page.wait_for_function("""([selector, needle]) => {
        const el = document.querySelector(selector);
        return el && el.innerText.replaceAll('\\u2060', '').includes(needle);
    }""", arg=[selector, needle], timeout=TIMEOUT)


def _sign_in(page, app_url: str, provider: OidcProvider, who: str, ui) -> None:
    """Open the dashboard, press Sign in, choose `who` on the provider's form, and wait to be back."""
    page.goto(app_url)
    button = page.locator(".st-key-identity_sign_in button")
    expect(button).to_be_visible(timeout=TIMEOUT)
    button.click()
    page.wait_for_url(f"{provider.issuer}/authorize?*", timeout=TIMEOUT)
    page.get_by_role("button", name=f"Sign in as {who}", exact=True).click()
    page.wait_for_url(f"{app_url}/**", timeout=TIMEOUT)
    page.wait_for_selector(".st-key-identity_sign_out button", timeout=TIMEOUT)  # every signed-in screen has it
    ui.wait_for_app(page)


def _refusals(url: str) -> list[tuple]:
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            a = schema.audit_log.c
            return connection.execute(select(a.user_name, a.entity_key).where(a.action == "refuse")
                                      .order_by(a.id)).all()
    finally:
        engine.dispose()


def test_sign_in__not_signed_in_sees_only_the_sign_in_screen(page, signed_app_url, output_dir, ui):
    for path in ("", "indicator?year=2018", "users"):  # a deep link shows no more
        page.goto(f"{signed_app_url}/{path}")
        expect(page.locator(".st-key-identity_sign_in button")).to_be_visible(timeout=TIMEOUT)
        ui.wait_for_app(page)
        main = _text(page, '[data-testid="stMain"]')
        assert "ACCSM KPI dashboard" in main and "Sign in" in main
        for data in ("Where ASEAN stands", "Reporting year", "Users and roles", "Data as of", "Regional overview"):
            assert data not in page.locator("body").inner_text(), f"{data!r} shown before sign-in ({path!r})"
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]').count() == 0
    page.screenshot(path=str(output_dir / "sign_in_screen.png"))


def test_sign_in__focal_point_of_brn_acts_as_fp_brn_and_another_ams_return_is_refused(
        page, signed_app_url, provider, store_url, output_dir, ui, tmp_path):
    _sign_in(page, signed_app_url, provider, "focal-brn", ui)
    _wait_for_text(page, SIDEBAR, "Signed in as siti.rahman@jpa.gov.bn: acting as fp-brn (focal point of BRN)")
    assert "Local mode" not in _text(page, SIDEBAR)
    assert page.locator(SIDEBAR).get_by_label("Your name", exact=False).count() == 0  # no name to type
    page.screenshot(path=str(output_dir / "sign_in_focal_point.png"))

    blank = templates.write_return_template(tmp_path / "blank.xlsx", "MYS", 2018)
    workbook = templates.fill_return(blank, tmp_path / "return_MYS_2018.xlsx", {"agencies_total": 50})
    page.goto(f"{signed_app_url}/returns")  # a new page load: the sign-in cookie carries the identity
    page.wait_for_selector('[data-testid="stFileUploader"] input[type=file]', state="attached", timeout=TIMEOUT)
    ui.wait_for_app(page)
    _wait_for_text(page, SIDEBAR, "acting as fp-brn (focal point of BRN)")
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(workbook))
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="rejected: return_MYS_2018.xlsx")
    expect(verdict).to_be_visible(timeout=TIMEOUT)
    ui.wait_for_app(page)
    assert page.locator(".st-key-returns_upload_confirm button").count() == 0
    assert _refusals(store_url) == [("fp-brn", "load a country return/MYS")]
    page.screenshot(path=str(output_dir / "sign_in_focal_point_refused.png"))

    page.locator(".st-key-identity_sign_out button").click()  # signed out: back to the sign-in screen
    expect(page.locator(".st-key-identity_sign_in button")).to_be_visible(timeout=TIMEOUT)
    page.goto(signed_app_url)
    expect(page.locator(".st-key-identity_sign_in button")).to_be_visible(timeout=TIMEOUT)


def test_sign_in__secretariat_has_the_users_page(page, signed_app_url, provider, output_dir, ui):
    _sign_in(page, signed_app_url, provider, "secretariat", ui)
    _wait_for_text(page, SIDEBAR, "Signed in as kpi@asean.example: acting as sec-kpi (secretariat)")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Users and roles").click()
    ui.wait_for_app(page)
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text("Users and roles", timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Add a user")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".st-key-users_set_email button")).to_be_visible(timeout=TIMEOUT)
    page.screenshot(path=str(output_dir / "sign_in_secretariat_users.png"))


@pytest.mark.parametrize("who, why", [
    ("stranger", "You are signed in as someone@elsewhere.example, but that address is not a user of this dashboard."),
    ("former", "You are signed in as former@jpa.gov.bn, but the user former is deactivated."),
])
def test_sign_in__an_unknown_or_deactivated_identity_gets_the_no_access_page(page, signed_app_url, provider, ui,
                                                                             output_dir, who, why):
    _sign_in(page, signed_app_url, provider, who, ui)
    _wait_for_text(page, '[data-testid="stMain"]', why)
    main = _text(page, '[data-testid="stMain"]')
    assert "ask the ACCSM secretariat" in main
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]').count() == 0
    assert "Where ASEAN stands" not in page.locator("body").inner_text()
    page.screenshot(path=str(output_dir / f"sign_in_no_access_{who}.png"))
