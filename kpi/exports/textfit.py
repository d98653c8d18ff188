"""Text measured as a slide will set it: widths in points, wrapping at spaces only, line counts and heights.

The pack is laid out in Python, so that nothing runs over the footer or off the slide in LibreOffice or
PowerPoint (neither tells python-pptx how tall a text becomes). Widths are measured with DejaVu Sans, the
font LibreOffice substitutes for Arial where Arial is not installed; it is wider than Arial, so a layout that
fits it also fits PowerPoint with Arial. Without the font file a conservative average glyph width is used.
"""

from __future__ import annotations

import functools

from PIL import ImageFont

FONT_FILES = {False: ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
              True: ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")}
LINE_HEIGHT_EM = 1.2  # single spacing: DejaVu Sans sets 1.164 em, Arial 1.15 em; rounded up
SAFETY = 1.04  # renderers kern and hint differently: measure 4 % wide
_MEASURE_SIZE = 200  # pixels: the font is loaded once at this size and widths are scaled
_FALLBACK_EM = {False: 0.64, True: 0.70}  # average glyph width when no font file is found (above DejaVu's)


@functools.cache
def _font(bold: bool):
    for name in FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, _MEASURE_SIZE)
        except OSError:
            continue
    return None


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Return the width of one line of `text` set at `size_pt`, in points (rounded up by SAFETY)."""
    font = _font(bold)
    if font is None:
        return len(text) * _FALLBACK_EM[bold] * size_pt * SAFETY
    return font.getlength(text) / _MEASURE_SIZE * size_pt * SAFETY


def line_height(size_pt: float) -> float:
    """Return the height of one line at `size_pt` with single spacing, in points."""
    return size_pt * LINE_HEIGHT_EM


def words(text: str) -> list[str]:
    """Return the unbreakable pieces of `text`: split at spaces, but a % sign stays with its number."""
    pieces: list[str] = []
    for word in text.split(" "):
        if pieces and word == "%" and pieces[-1][-1:].isdigit():
            pieces[-1] = f"{pieces[-1]} {word}"  # "54.9 %" is set with a no-break space (slides.keep_units)
        elif word:
            pieces.append(word)
    return pieces


def longest_word(text: str, size_pt: float, bold: bool = False) -> float:
    """Return the width of the widest unbreakable piece of `text`, in points (0 for empty text)."""
    return max((text_width(w, size_pt, bold) for line in text.split("\n") for w in words(line)), default=0.0)


def wrap(text: str, width_pt: float, size_pt: float, bold: bool = False) -> list[str]:
    """Return the lines `text` takes in a box `width_pt` wide, breaking at spaces only (never inside a word).

    Callers size boxes with longest_word so that every word fits. A word that still does not (a name made of
    one long token) is broken where the renderer would break it, letter by letter, so that the count of lines
    stays true. Line breaks in `text` are kept.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in words(paragraph):
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate, size_pt, bold) > width_pt:
                lines.append(current)
                current = word
            else:
                current = candidate
            while len(current) > 1 and text_width(current, size_pt, bold) > width_pt:
                cut = _fitting_prefix(current, width_pt, size_pt, bold)
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current)
    return lines


def _fitting_prefix(text: str, width_pt: float, size_pt: float, bold: bool) -> int:
    """Return how many leading characters of `text` fit `width_pt` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle], size_pt, bold) <= width_pt:
            low = middle
        else:
            high = middle - 1
    return low


def count_lines(text: str, width_pt: float, size_pt: float, bold: bool = False) -> int:
    """Return how many lines `text` takes in a box `width_pt` wide."""
    return _count_lines(text, round(width_pt, 1), size_pt, bold)


@functools.lru_cache(maxsize=65536)
def _count_lines(text: str, width_pt: float, size_pt: float, bold: bool) -> int:
    return len(wrap(text, width_pt, size_pt, bold))


def text_height(text: str, width_pt: float, size_pt: float, bold: bool = False) -> float:
    """Return the height `text` takes in a box `width_pt` wide, in points (insets not included)."""
    return count_lines(text, width_pt, size_pt, bold) * line_height(size_pt)
