"""Convert a deck to PDF with LibreOffice: the two halves of a long deck in two processes at once, joined by pypdf."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pptx import Presentation

SOFFICE_TIMEOUT_SECONDS = 300
# Loading a deck is most of LibreOffice's time (3.2 s of the briefing's 5.3 s; each slide then costs ~0.05 s to
# write), so two processes each given part of the slides take 3.0 s where one takes 4.9 s. A short deck, or a
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
    with Converter() as converter:
        return converter.convert(pptx_path, pdf_path)


class Converter:
    """The LibreOffice processes of one conversion, in a work folder of their own, removed on close.

    `start_ahead()` starts them before the deck exists (while its charts are still rendering): starting takes about
    0.8 s of each process's time, and a conversion handed to a running process (LibreOffice passes a second
    command on the same profile to the process already running it) then costs only loading and writing the deck.
    """

    def __init__(self) -> None:
        self._soffice = _find_soffice()
        self._work = Path(tempfile.mkdtemp(prefix="kpi-briefing-"))
        self._waiting: list[subprocess.Popen] = []

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def start_ahead(self) -> None:
        """Start the processes a long deck will be given (one per part), idle until `convert` hands them a part."""
        if self._waiting:
            return
        for number in range(1, _parts() + 1):
            command = [self._soffice, f"-env:UserInstallation={self._profile(number).as_uri()}", "--headless",
                       "--norestore", "--nologo", "--nodefault"]
            self._waiting.append(_spawn(_bounded(command, SOFFICE_TIMEOUT_SECONDS * 4)))

    def convert(self, pptx_path: Path, pdf_path: Path) -> Path:
        """Convert the deck (a long one in two parts at once, joined); return `pdf_path`. Raises PdfError."""
        pdf_path = Path(pdf_path)
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        processes = []
        try:
            # The first part's conversion starts while the second part is being written.
            for number, deck in enumerate(_decks_to_convert(Path(pptx_path), self._work), start=1):
                processes.append(_start_soffice(self._soffice, deck, self._work / f"pdf-{number}",
                                                self._profile(number)))
            produced = _wait_for(processes)
        finally:
            for process, _ in processes:
                _stop(process)
        if len(produced) == 1:
            shutil.move(str(produced[0]), pdf_path)
        else:
            _join(produced, pdf_path)
        return pdf_path

    def close(self) -> None:
        """Stop every process started ahead (with what it started) and remove the work folder."""
        for process in self._waiting:
            _stop(process)
        self._waiting = []
        shutil.rmtree(self._work, ignore_errors=True)

    def _profile(self, number: int) -> Path:
        # A private profile each: a user's open LibreOffice, a parallel export or the other part would otherwise lock
        # the same one. A conversion on the profile of a process started ahead is handed to that process.
        return self._work / f"profile-{number}"


def _find_soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise PdfError("the PDF needs LibreOffice: install Debian's libreoffice-impress package")
    return soffice


def _parts() -> int:
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def _bounded(command: list[str], seconds: int) -> list[str]:
    # coreutils' timeout kills the whole process group after `seconds`: a process started ahead never outlives a
    # server that died without closing it by more than that.
    limit = shutil.which("timeout")
    return [limit, "-s", "KILL", str(seconds), *command] if limit else command


def _spawn(command: list[str]) -> subprocess.Popen:
    # A session of its own: soffice is a script whose soffice.bin outlives a kill of the script alone, so stopping
    # kills the whole group.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _decks_to_convert(pptx_path: Path, work: Path) -> Iterator[Path]:
    """Yield the decks to convert: the deck itself, or its first and then its second part written into `work`."""
    try:
        deck = Presentation(pptx_path)
    except Exception:  # noqa: BLE001 - not a deck python-pptx can read: LibreOffice gets it whole and says why
        deck = None
    if deck is None or len(deck.slides) < SPLIT_FROM_SLIDES or _parts() < 2:
        yield pptx_path.resolve()
        return
    count, first = len(deck.slides), _balanced_split(deck)
    yield _keep_slides(deck, range(0, first), work / "part-1.pptx")
    yield _keep_slides(Presentation(pptx_path), range(first, count), work / "part-2.pptx")


def _balanced_split(deck) -> int:
    """Return how many slides go to the first part so both parts cost LibreOffice about the same.

    A slide's cost is taken as the bytes of its XML and of its pictures: on the 41-slide pack that splits after
    slide 23 (2.97 s and 2.98 s), where half the slides (21) took 2.9 s and 3.3 s.
    """
    weights = [len(slide.part.blob) + sum(len(rel.target_part.blob) for rel in slide.part.rels.values()
                                          if not rel.is_external
                                          and rel.target_part.content_type.startswith("image/"))
               for slide in deck.slides]
    total, running = sum(weights), 0
    for count, weight in enumerate(weights[:-1], start=1):
        running += weight
        if running >= total / 2:
            return count
    return len(weights) - 1


def _keep_slides(deck, keep: range, output: Path) -> Path:
    """Save the deck holding only the slides at the positions in `keep` (and only their pictures) as `output`."""
    slide_ids = deck.slides._sldIdLst  # python-pptx has no public way to delete a slide
    for position, slide_id in enumerate(list(slide_ids)):
        if position not in keep:
            deck.part.drop_rel(slide_id.rId)  # a slide no relationship reaches is not saved, nor are its pictures
            slide_ids.remove(slide_id)
    deck.save(output)
    return output


def _start_soffice(soffice: str, deck: Path, outdir: Path, profile: Path) -> tuple[subprocess.Popen, Path]:
    """Start converting one deck; return the process and the PDF it will write."""
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", PDF_FILTER, "--outdir", str(outdir), str(deck)]
    return _spawn(command), outdir / (deck.stem + ".pdf")


def _wait_for(processes: list[tuple[subprocess.Popen, Path]]) -> list[Path]:
    """Wait for every conversion (all within SOFFICE_TIMEOUT_SECONDS); return the PDFs in order."""
    deadline = time.monotonic() + SOFFICE_TIMEOUT_SECONDS
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
