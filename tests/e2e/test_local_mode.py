"""Local mode in a real server and browser (issue 12, item 2): no sign-in configured, the dashboard serves only this
computer. Reached through a proxy, or started on every interface, it shows a message and nothing of the data.
"""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from dashboard.text import WORD_JOINER
from tests.e2e.forwarding_proxy import ForwardingProxy

pytestmark = pytest.mark.e2e

TIMEOUT = 180_000
CAPTION = "Local mode: no sign-in; acting as local (secretariat) — only this computer can connect"


@pytest.fixture(scope="module")
def local_url(tmp_path_factory, ui):
    folder = tmp_path_factory.mktemp("local-mode")
    with ui.run_app(f"sqlite:///{folder / 'accsm.db'}", folder / "streamlit.log") as url:
        yield url


def _wait_for_text(page, needle: str) -> None:
    page.wait_for_function("""needle => document.body.innerText.replaceAll('\\u2060', '').includes(needle)""",
                           arg=needle, timeout=TIMEOUT)


def _assert_nothing_of_the_data(page) -> None:
    body = page.locator("body").inner_text().replace(WORD_JOINER, "")
    assert "configure sign-in" in body.lower() and "Not served" in body
    assert "Where ASEAN stands" not in body and "Data as of" not in body
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]').count() == 0


def test_local_mode__this_computer_sees_the_dashboard_with_the_local_caption(page, local_url, ui):
    ui.open_app(page, local_url)
    _wait_for_text(page, CAPTION)
    assert page.locator('[data-testid="stSidebar"]').get_by_label("Your name", exact=False).count() == 0


def test_local_mode__reached_through_a_proxy_shows_nothing(page, local_url, output_dir):
    host, port = urllib.parse.urlsplit(local_url).hostname, urllib.parse.urlsplit(local_url).port
    with ForwardingProxy(host, port) as proxied_url:
        page.goto(proxied_url)
        _wait_for_text(page, "reached from another computer")
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT)
        _assert_nothing_of_the_data(page)
        page.screenshot(path=str(output_dir / "local_mode_through_a_proxy.png"))


def test_local_mode__started_on_every_interface_shows_nothing(page, tmp_path, ui, output_dir):
    # The later --server.address wins over run_app's own 127.0.0.1, as `scripts/dashboard.sh --server.address
    # 0.0.0.0` would start it.
    with ui.run_app(f"sqlite:///{tmp_path / 'accsm.db'}", tmp_path / "streamlit.log",
                    extra_args=("--server.address", "0.0.0.0")) as url:
        page.goto(url)
        _wait_for_text(page, "served on the address '0.0.0.0'")
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT)
        _assert_nothing_of_the_data(page)
        expect(page.locator('[data-testid="stMain"] h1')).to_have_text("ACCSM KPI dashboard")
        page.screenshot(path=str(output_dir / "local_mode_every_interface.png"))
