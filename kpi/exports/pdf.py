"""Convert a deck to PDF with LibreOffice: the two halves of a long deck in two processes at once, joined by pypdf."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from pptx import Presentation

SOFFICE_TIMEOUT_SECONDS = 300
# Loading a deck is most of LibreOffice's time (3.2 s of the briefing's 5.3 s; each slide then costs ~0.05 s to
# write), so two processes each given half the slides take 3.7 s where one takes 5.3 s. A short deck, or a
# machine with one core, is converted whole.
SPLIT_FROM_SLIDES = 12
# Charts are kept as the lossless PNGs they are: LibreOffice's default re-encodes every picture as JPEG, which blurs
# thin lines and small text, makes a larger file and takes longer (4.9 s instead of 5.3 s for the whole pack).
PDF_FILTER = 'pdf:impress_pdf_Export:{"UseLosslessCompression":{"type":"boolean","value":"true"}}'


class PdfError(Exception):
    """LibreOffice is missing, failed or took too long; the message says which, for a person."""


def convert_to_pdf(pptx_path: Path, pdf_path: Path) -> Path:
    """Convert a deck to PDF with LibreOffice headless (private profiles); return the PDF path.

    Raises PdfError when soffice is missing, fails or times out.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise PdfError("the PDF needs LibreOffice: install Debian's libreoffice-impress package")
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-briefing-") as work:
        work = Path(work)
        parts = _split_deck(Path(pptx_path), work)
        produced = _run_soffice(soffice, parts, work)
        if len(produced) == 1:
            shutil.move(str(produced[0]), pdf_path)
        else:
            _join(produced, pdf_path)
    return pdf_path


def _split_deck(pptx_path: Path, work: Path) -> list[Path]:
    """Return the decks to convert: the deck itself, or its first and second halves written into `work`."""
    try:
        count = len(Presentation(pptx_path).slides)
    except Exception:  # noqa: BLE001 - not a deck python-pptx can read: LibreOffice gets it whole and says why
        count = 0
    if count < SPLIT_FROM_SLIDES or (os.cpu_count() or 1) < 2:
        return [pptx_path.resolve()]
    half = (count + 1) // 2
    return [_write_slides(pptx_path, range(0, half), work / "part-1.pptx"),
            _write_slides(pptx_path, range(half, count), work / "part-2.pptx")]


def _write_slides(pptx_path: Path, keep: range, output: Path) -> Path:
    """Write a copy of the deck holding only the slides at the positions in `keep` (and only their pictures)."""
    deck = Presentation(pptx_path)
    slide_ids = deck.slides._sldIdLst  # python-pptx has no public way to delete a slide
    for position, slide_id in enumerate(list(slide_ids)):
        if position not in keep:
            deck.part.drop_rel(slide_id.rId)  # a slide no relationship reaches is not saved, nor are its pictures
            slide_ids.remove(slide_id)
    deck.save(output)
    return output


def _run_soffice(soffice: str, decks: list[Path], work: Path) -> list[Path]:
    """Convert each deck in a LibreOffice process of its own, all at once; return the PDFs in the same order."""
    processes = []
    for number, deck in enumerate(decks, start=1):
        outdir = work / f"pdf-{number}"
        # A private profile each: a user's open LibreOffice, a parallel export or the other half would otherwise
        # lock the same one.
        profile = work / f"profile-{number}-{uuid.uuid4().hex}"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", PDF_FILTER, "--outdir", str(outdir), str(deck)]
        processes.append((subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
                          outdir / (deck.stem + ".pdf")))
    deadline = time.monotonic() + SOFFICE_TIMEOUT_SECONDS
    try:
        failures = []
        for process, produced in processes:
            try:
                stdout, stderr = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired as exc:
                raise PdfError(f"LibreOffice took more than {SOFFICE_TIMEOUT_SECONDS} s to convert the deck") from exc
            if process.returncode != 0 or not produced.is_file():
                detail = (stderr or stdout).strip().splitlines()
                failures.append(f"exit {process.returncode}: {detail[-1] if detail else 'no output'}")
        if failures:
            raise PdfError(f"LibreOffice could not convert the deck to PDF ({failures[0]})")
    finally:
        for process, _ in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [produced for _, produced in processes]


def _join(parts: list[Path], pdf_path: Path) -> None:
    """Join the halves' PDFs into one, with the first half's document information (title, author, producer)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(part))
    first = PdfReader(parts[0])
    if first.metadata:
        writer.add_metadata(dict(first.metadata))
    with pdf_path.open("wb") as handle:
        writer.write(handle)
