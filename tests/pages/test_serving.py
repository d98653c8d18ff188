"""Serving defaults in .streamlit/config.toml: loopback only, the importer's upload limit, XSRF, no stack traces, and
no unescaped CSV from the tables' own toolbar."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import shown
from streamlit.config import ShowErrorDetailsConfigOptions

from dashboard.uploads import MAX_UPLOAD_MB
from importers.safe_read import Limits

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"
MEBIBYTE = 1024 * 1024  # Streamlit counts server.maxUploadSize in units of 1024 × 1024 bytes


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_config__listens_on_loopback_unless_told_otherwise(config):
    assert config["server"]["address"] == "127.0.0.1"


def test_config__upload_limit_is_the_importers_own(config):
    assert config["server"]["maxUploadSize"] * MEBIBYTE == Limits().max_bytes
    assert MAX_UPLOAD_MB * MEBIBYTE == Limits().max_bytes


def test_config__xsrf_and_cors_protection_on(config):
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True


def test_config__a_browser_never_sees_a_stack_trace(config):
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value


def test_config__the_tables_own_csv_download_is_off(config):
    # The toolbar's CSV would hand a spreadsheet "=..." cells unescaped; our CSV and Excel buttons escape them.
    assert config["client"]["disableDataExport"] is True


def test_config__streamlit_reads_every_value_as_written():
    shown_config = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT, check=True,
                                  capture_output=True, text=True, timeout=120).stdout
    for line in ('address = "127.0.0.1"', "maxUploadSize = 10", "enableXsrfProtection = true",
                 'showErrorDetails = "none"', "disableDataExport = true", "enableCORS = true"):
        assert f"\n{line}\n" in shown_config, line


@pytest.mark.parametrize("page, key", [("pages/returns.py", "returns_upload_0"),
                                       ("pages/targets.py", "targets_upload_0")])
def test_uploaders__say_and_enforce_the_limit(database_url, open_page, page, key):
    at = open_page(page)
    uploader = next(e for e in at.get("file_uploader") if e.proto.id.endswith(key) or key in e.proto.id)
    assert f"At most {Limits().max_bytes // MEBIBYTE} MB per file." in shown(uploader.proto.help)
    assert uploader.proto.max_upload_size_mb == Limits().max_bytes // MEBIBYTE
