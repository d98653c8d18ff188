"""The deck's PDF: a long deck converted in two halves at once reads as one PDF, slide for slide, in order."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from kpi.exports import pdf

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftotext"),
    reason="needs LibreOffice and poppler-utils (scripts/test.sh installs both)")


def write_deck(path, slides: int, title: str = "Numbered slides"):
    deck = Presentation()
    deck.core_properties.title = title
    for number in range(1, slides + 1):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
        box.text_frame.text = f"Slide number {number} of {slides}"
    deck.save(path)
    return path


def page_texts(pdf_path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [page.strip() for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("slides", [pdf.SPLIT_FROM_SLIDES - 1, pdf.SPLIT_FROM_SLIDES, 25])
def test_convert_to_pdf__every_slide_once_in_order(tmp_path, slides):
    deck = write_deck(tmp_path / "deck.pptx", slides)
    result = pdf.convert_to_pdf(deck, tmp_path / "out" / "deck.pdf")
    assert result == tmp_path / "out" / "deck.pdf"
    assert page_texts(result) == [f"Slide number {n} of {slides}" for n in range(1, slides + 1)]


def test_convert_to_pdf__the_halves_keep_the_decks_title(tmp_path):
    deck = write_deck(tmp_path / "deck.pptx", 20, title="SOM briefing 2020")
    result = pdf.convert_to_pdf(deck, tmp_path / "deck.pdf")
    info = subprocess.run(["pdfinfo", str(result)], capture_output=True, text=True, check=True).stdout
    assert "SOM briefing 2020" in info


def test_decks_to_convert__the_parts_of_a_long_deck_carry_only_their_slides(tmp_path):
    deck = write_deck(tmp_path / "deck.pptx", 25)
    parts = list(pdf._decks_to_convert(deck, tmp_path))
    texts = [[s.shapes[0].text_frame.text for s in Presentation(p).slides] for p in parts]
    assert texts == [[f"Slide number {n} of 25" for n in range(1, 14)],
                     [f"Slide number {n} of 25" for n in range(14, 26)]]
    short = write_deck(tmp_path / "short.pptx", 3)
    assert list(pdf._decks_to_convert(short, tmp_path)) == [short.resolve()]


def test_balanced_split__slides_with_pictures_weigh_more(tmp_path):
    from PIL import Image

    noisy = Image.effect_noise((800, 400), 80).convert("RGB")  # noise: a picture that does not compress away
    deck = Presentation()
    for number in range(18):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1)).text_frame.text = f"Slide {number}"
        if number >= 12:
            noisy.rotate(number).save(tmp_path / f"picture{number}.png")
            slide.shapes.add_picture(str(tmp_path / f"picture{number}.png"), Inches(1), Inches(2))
    deck.save(tmp_path / "deck.pptx")
    first = pdf._balanced_split(Presentation(tmp_path / "deck.pptx"))
    assert 12 < first < 18  # the six picture slides outweigh the twelve text slides: the first part takes more
    assert first == pdf._balanced_split(deck)


def test_convert_to_pdf__a_deck_libreoffice_cannot_read_names_the_failure(tmp_path):
    broken = tmp_path / "broken.pptx"
    broken.write_bytes(b"not a deck at all")
    with pytest.raises(pdf.PdfError, match="LibreOffice could not convert the deck to PDF"):
        pdf.convert_to_pdf(broken, tmp_path / "broken.pdf")
    assert not (tmp_path / "broken.pdf").exists()


def test_convert_to_pdf__without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfError, match="install Debian's libreoffice-impress"):
        pdf.convert_to_pdf(write_deck(tmp_path / "deck.pptx", 2), tmp_path / "deck.pdf")


def test_convert_to_pdf__pictures_stay_lossless_not_jpeg(tmp_path):
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1200, 600), "white")
    ImageDraw.Draw(picture).line([(0, 300), (1200, 310)], fill="black", width=2)  # a chart's thin line
    picture.save(tmp_path / "chart.png")
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_picture(str(tmp_path / "chart.png"), Inches(1), Inches(1),
                                                                    width=Inches(8))
    deck.save(tmp_path / "deck.pptx")
    result = pdf.convert_to_pdf(tmp_path / "deck.pptx", tmp_path / "deck.pdf")
    listing = subprocess.run(["pdfimages", "-list", str(result)], capture_output=True, text=True, check=True).stdout
    encodings = [line.split()[8] for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    assert encodings == ["image"], listing  # "image" is Flate (lossless); LibreOffice's default writes "jpeg"


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next((line for line in (entry / "status").read_text().splitlines() if line.startswith("State:")),
                         "")
        except (OSError, ValueError):
            continue
        if text in command and "zombie" not in state:
            found.append(int(entry.name))
    return found


def _all_gone(text: str, seconds: float = 60) -> bool:
    # A killed process disappears a moment after the signal: wait for that state, within a generous limit.
    deadline = time.monotonic() + seconds
    while _processes_naming(text) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _processes_naming(text) == []


def test_converter__processes_started_ahead_take_the_parts_and_none_is_left_after_close(tmp_path):
    deck = write_deck(tmp_path / "deck.pptx", 25)
    with pdf.Converter() as converter:
        converter.start_ahead()
        waiting, work = list(converter._waiting), str(converter._work)
        assert len(waiting) == 2 and all(p.poll() is None for p in waiting)
        result = converter.convert(deck, tmp_path / "deck.pdf")
        # A process started ahead ends by itself once it has converted the part handed to it; one that was
        # handed nothing would wait until close().
        deadline = time.monotonic() + 120
        while any(p.poll() is None for p in waiting) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p.returncode for p in waiting] == [0, 0]
    assert page_texts(result) == [f"Slide number {n} of 25" for n in range(1, 26)]
    assert _all_gone(work)
    assert not Path(work).exists()


def test_converter__processes_started_ahead_but_never_used_are_stopped_on_close(tmp_path):
    with pdf.Converter() as converter:
        converter.start_ahead()
        waiting, work = list(converter._waiting), str(converter._work)
    assert all(p.returncode is not None for p in waiting)
    assert _all_gone(work)


def test_stop__kills_what_the_process_started_too(tmp_path):
    # soffice is a script whose soffice.bin would outlive a kill of the script alone.
    marker = f"sleep {314159 + len(str(tmp_path))}"
    process = pdf._spawn(["bash", "-c", f"{marker} & wait"])
    deadline = time.monotonic() + 60
    while not _processes_naming(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_naming(marker)
    pdf._stop(process)
    assert _all_gone(marker)


def test_bounded__a_process_started_ahead_is_killed_with_its_group_after_the_limit():
    command = pdf._bounded(["soffice", "--headless"], 600)
    assert command[-2:] == ["soffice", "--headless"]
    assert command[:4] == [shutil.which("timeout"), "-s", "KILL", "600"]
