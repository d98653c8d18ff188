"""Every corpus file goes through the real load path: rejected with a message, the database left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers.load import load_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CORPUS_FILES = sorted(p.name for p in CORPUS.iterdir() if p.name not in ("SOURCES.md", "SHA256SUMS", "POLICY.md"))


def test_the_corpus_has_forty_files():
    assert len(CORPUS_FILES) == 40


@pytest.fixture
def store_with_a_return(engine, load, make_return):
    # Something worth protecting: a rejection must leave it exactly as it was.
    assert load(make_return("BRN_2018.xlsx")).accepted
    return engine


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_is_rejected_by_name_and_changes_nothing(name, store_with_a_return, dump):
    before = dump()

    report = load_file(store_with_a_return, (CORPUS / name).read_bytes(), name, "tester")

    assert not report.accepted
    assert report.errors
    text = "\n".join(str(m) for m in report.errors)
    assert "Traceback" not in text
    # The summary line names the file; each message below it is about the whole file or names its sheet.
    assert report.summarise().startswith(f"rejected: {name}")
    assert all(str(m).startswith(("file: ", f"{m.sheet}!", f"{m.sheet}: ")) for m in report.errors), text
    assert dump() == before
