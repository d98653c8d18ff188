"""Fixtures for the browser suite: a real Streamlit server on 127.0.0.1 and Debian's Chromium via Playwright.

ACCSM_E2E_APP_DIR runs the suite against another checkout of the app (default: this repository).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
OUTPUT_DIR = ROOT / "test-output" / "e2e"
APP_DIR = Path(os.environ.get("ACCSM_E2E_APP_DIR") or ROOT)
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Elements of the previous run stay in the page, marked stale, until the new run replaces or drops them.
# Plotly is loaded lazily: a chart's element exists before the chart is drawn into it.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(el => el.querySelector('.js-plotly-plot .main-svg'))"""
CONTENT_HEIGHT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    return Math.max(main ? main.scrollHeight : 0, block ? block.getBoundingClientRect().bottom + 80 : 0,
                    document.documentElement.scrollHeight);
}"""
# A freshly loaded page reads as "not running" before its first run has even begun, with no charts to wait for:
# an element in the main block shows the first run has started. It need not be visible: on a never-used store the
# first element is the demo data's progress bar, emptied once the files are loaded.
FIRST_RUN_STARTED = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'
# Widgets whose code is loaded lazily (selects, date inputs, tables, buttons) show a skeleton until it arrives.
SKELETONS_GONE = "() => !document.querySelector('[data-testid^=\"stSkeleton\"]')"
STALE_GONE = "() => !document.querySelector('[data-testid=\"stElementContainer\"][data-stale=\"true\"]')"
# Resolves once the browser has painted twice more: the last delta of a run has been laid out and drawn.
PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"
# Generous limits: on a loaded 2-core machine a cold server takes tens of seconds for an upload check.
SLOW_STEP_MS = 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit not healthy at {url} after {timeout} s")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT_DIR.glob("FAILED_*.png"):  # from an earlier run
        old.unlink()
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def database_url(new_shared_store_url) -> str:
    """A fresh, empty database on this run's engine: the app loads the demo data into it on first start."""
    return new_shared_store_url("e2e")


@contextlib.contextmanager
def run_app(database_url: str, log_path: Path, extra_args: tuple[str, ...] = (), user: str = "local"):
    """Start the dashboard as scripts/dashboard.sh does (`python -m dashboard.launch`: `streamlit run app.py` after
    importing what the pages import) on a free loopback port against `database_url`; yield its URL; stop it.

    `extra_args` go to `streamlit run` after the others (e.g. `--secrets.files`, for the sign-in tests); `user` is
    who the app acts as in local mode ($ACCSM_USER; by default a fresh install's user).
    """
    port = _free_port()
    env = {**os.environ, "ACCSM_DATABASE_URL": database_url, "ACCSM_USER": user}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.launch", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *extra_args],
            cwd=APP_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def app_url(database_url, tmp_path_factory):
    """The session's Streamlit server (the app loads the demo data on its first page run)."""
    log_path = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    try:
        with run_app(database_url, log_path) as url:
            yield url
    finally:
        shutil.copy(log_path, OUTPUT_DIR / "streamlit.log") if OUTPUT_DIR.exists() else None


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/test.sh does)")
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=SLOW_STEP_MS)  # waits end on a state; the limit only bounds a hung step
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request, output_dir):
    """A page in a fresh browser context (own cookies, own Streamlit session); screenshot saved on failure.

    `page.errors` collects uncaught JavaScript errors of the page.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(SLOW_STEP_MS)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        try:
            save_full_page(page, output_dir / f"FAILED_{_safe(request.node.name)}.png")
        except Exception as error:  # noqa: BLE001 - a failed screenshot must not hide the test's failure
            print(f"could not save the failure screenshot: {error}")
    context.close()


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished running the page script and dropped the elements of the previous run."""
    page.wait_for_selector(APP_READY, timeout=SLOW_STEP_MS)
    page.wait_for_function(STALE_GONE, timeout=SLOW_STEP_MS)
    page.wait_for_function(CHARTS_DRAWN, timeout=SLOW_STEP_MS)
    page.wait_for_function(SKELETONS_GONE, timeout=SLOW_STEP_MS)
    page.evaluate(PAINTED)


def open_app(page, app_url: str, path: str = "") -> None:
    """Go to a page of the app (path as in the address bar, e.g. "indicator?year=2018") and wait for it."""
    page.goto(f"{app_url}/{path.lstrip('/')}")
    page.wait_for_selector(FIRST_RUN_STARTED, state="attached", timeout=SLOW_STEP_MS)
    wait_for_app(page)


def save_full_page(page, path: Path) -> Path:
    """Save a screenshot of the whole page.

    Streamlit scrolls inside its main element, not the document, so a plain full_page screenshot stops at the
    window: the window is made as tall as the content for the shot, then put back.
    """
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = size["height"]
    for _ in range(4):  # growing the window can grow the content (tables, charts): measure until it settles
        needed = min(max(size["height"], int(page.evaluate(CONTENT_HEIGHT))), 12_000)
        if needed <= height:
            break
        height = needed
        page.set_viewport_size({"width": size["width"], "height": height})
        page.evaluate(PAINTED)  # charts and tables redraw for the new size
        page.wait_for_function(CHARTS_DRAWN, timeout=SLOW_STEP_MS)
        page.evaluate(PAINTED)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


@pytest.fixture(scope="session")
def ui():
    """The helpers above for test modules (conftest is not importable by name under --import-mode=importlib)."""
    import types
    return types.SimpleNamespace(wait_for_app=wait_for_app, open_app=open_app, save_full_page=save_full_page,
                                 run_app=run_app, app_dir=APP_DIR, ready=APP_READY,
                                 slow_step_ms=SLOW_STEP_MS)
