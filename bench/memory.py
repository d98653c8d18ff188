"""Peak resident memory of `streamlit run app.py` serving a store while headless Chromium opens every page."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from timing import checkout_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(el => el.querySelector('.js-plotly-plot .main-svg'))"""
PATHS = ["", "indicator", "member_state", "returns", "targets", "exports"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_kib(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def serve_and_measure(code_dir: Path, database_url: str, log_path: Path, step_timeout_s: float = 300) -> dict:
    """Start the app on 127.0.0.1 against database_url, open every page in Chromium, return the server's peak RSS."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = checkout_env(code_dir, {"ACCSM_DATABASE_URL": database_url})
    with open(log_path, "wb") as log:
        # As scripts/dashboard.sh serves it; a checkout from before dashboard/launch.py with `streamlit run`.
        launch = (["-m", "dashboard.launch"] if (Path(code_dir) / "dashboard" / "launch.py").is_file()
                  else ["-m", "streamlit", "run", "app.py"])
        process = subprocess.Popen(
            [sys.executable, *launch, "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=code_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    result = {"pages": {}, "server": f"python {' '.join(launch)} + Playwright/Chromium page loads"}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early ({process.returncode}); see {log_path}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        result["idle_rss_mib"] = (_status_kib(process.pid, "VmRSS") or 0) / 1024
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for path in PATHS:
                    started = time.perf_counter()
                    page.goto(f"{url}/{path}", timeout=step_timeout_s * 1000)
                    page.wait_for_selector(APP_READY, timeout=step_timeout_s * 1000)
                    page.wait_for_function(CHARTS_DRAWN, timeout=step_timeout_s * 1000)
                    result["pages"][path or "overview"] = time.perf_counter() - started
            finally:
                browser.close()
        result["peak_rss_mib"] = (_status_kib(process.pid, "VmHWM") or 0) / 1024
        result["rss_mib"] = (_status_kib(process.pid, "VmRSS") or 0) / 1024
    except Exception as exc:  # noqa: BLE001 - report it in the table, keep the rest of the run
        result["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        result["peak_rss_mib"] = (_status_kib(process.pid, "VmHWM") or 0) / 1024 or None
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    return result
