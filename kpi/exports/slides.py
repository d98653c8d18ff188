"""Slide furniture for the briefing pack: a 16:9 master, measured text in placeholders, tables that fit.

python-pptx cannot tell how tall a text becomes, and neither LibreOffice nor PowerPoint shrinks a table to
its slide, so everything is measured here first (kpi.exports.textfit): a text box gets the height its wrapped
text needs, a table's columns are as wide as their longest word at least, its rows as tall as their tallest
cell, and rows are split over slides in groups (KPI areas) when they would run over the footer.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from kpi.exports import textfit

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.45)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
TITLE_TOP, TITLE_MAX_HEIGHT = Inches(0.25), Inches(1.05)
TITLE_GAP = Inches(0.12)
CONTENT_BOTTOM = Inches(6.85)  # nothing but the footer below this line
FOOTER_TOP, FOOTER_HEIGHT = Inches(6.95), Inches(0.45)
GAP = Inches(0.15)

MIN_TEXT_PT = 12  # nothing on a slide is smaller ...
SOURCE_PT = 10  # ... but the source line of the footer
TITLE_SIZES = (28, 26, 24, 22, 20)
TABLE_PT = 12
TEXT_INSET_X, TEXT_INSET_Y = Inches(0.08), Inches(0.04)
CELL_INSET_X, CELL_INSET_Y = Inches(0.06), Inches(0.025)
BULLET_INDENT = Inches(0.3)
NBSP = "\u00a0"
_NUMBER_PERCENT = re.compile(r"(\d) %")

DARK, MUTED, WHITE = RGBColor(0x1F, 0x29, 0x33), RGBColor(0x52, 0x60, 0x6D), RGBColor(0xFF, 0xFF, 0xFF)
HEADER_FILL = "#1f4e9e"
ROW_FILLS = ("#ffffff", "#f1f3f6")


class DoesNotFit(Exception):
    """A table's columns cannot fit the width even with every wrapping column at its longest word."""


@dataclass(frozen=True)
class Box:
    """A rectangle on a slide, in EMU."""

    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass
class Para:
    """One paragraph: its runs (text, bold, colour), size in points, bullet and the space before it."""

    runs: list[tuple[str, bool, RGBColor]]
    size: float
    bullet: bool = False
    space_before: float = 0.0

    @property
    def text(self) -> str:
        return "".join(text for text, _, _ in self.runs)

    @property
    def bold(self) -> bool:
        return any(bold for _, bold, _ in self.runs)


def para(text: str, size: float, bold: bool = False, colour: RGBColor = DARK, bullet: bool = False,
         space_before: float = 0.0) -> Para:
    """Return a paragraph of one run."""
    return Para([(text, bold, colour)], size, bullet, space_before)


@dataclass
class Cell:
    """One table cell: text (a line break starts a new line), fill colour (hex), bold, alignment, text colour."""

    text: str
    fill: str | None = None
    bold: bool = False
    align: PP_ALIGN = PP_ALIGN.LEFT
    dark_text: bool | None = None  # None: dark on light fills, white on dark ones

    @property
    def colour(self) -> RGBColor:
        if self.dark_text is not None:
            return DARK if self.dark_text else WHITE
        return DARK if self.fill is None or _is_light(self.fill) else WHITE


@dataclass
class Column:
    """A table column: header, whether its cells may wrap at spaces, whether it takes the spare width."""

    header: str
    wrap: bool = False
    grow: bool = False
    same_width_as_next: bool = False  # columns flagged in a run share one width (years of a grid)


# --- the master ---------------------------------------------------------------------------------

def new_deck() -> Presentation:
    """Return an empty 16:9 deck on python-pptx's default master, its layouts widened and its fonts Arial."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    scale = SLIDE_WIDTH / Inches(10)
    for part in (deck.slide_master, *deck.slide_layouts):
        for shape in part.shapes:
            if shape._element.find(f"{qn('p:spPr')}/{qn('a:xfrm')}") is not None:
                shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)
    theme = deck.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for latin in root.iter(qn("a:latin")):
        if latin.getparent().tag in (qn("a:majorFont"), qn("a:minorFont")):
            latin.set("typeface", "Arial")  # re-theming changes it; LibreOffice maps it to a metric twin
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    styles = deck.slide_master._element.find(qn("p:txStyles"))
    title = styles.find(qn("p:titleStyle")).find(qn("a:lvl1pPr"))
    title.set("algn", "l")
    title.find(qn("a:defRPr")).set("sz", str(TITLE_SIZES[0] * 100))
    title.find(qn("a:defRPr")).set("b", "1")
    for level, size in zip(range(1, 10), (20, 18, 16, 14, 14, 14, 14, 14, 14)):
        properties = styles.find(qn("p:bodyStyle")).find(qn(f"a:lvl{level}pPr"))
        if properties is not None:
            properties.find(qn("a:defRPr")).set("sz", str(size * 100))
    return deck


def title_layout(text: str) -> tuple[float, int]:
    """Return the size (points) a slide title is set at and the height (EMU) it takes: two lines at most."""
    inner = Emu(CONTENT_WIDTH - 2 * TEXT_INSET_X).pt
    # One line at a slightly smaller size reads better than a last word alone on a second line.
    for most_lines, sizes in ((1, TITLE_SIZES[:3]), (2, TITLE_SIZES)):
        for size in sizes:
            lines = textfit.count_lines(text, inner, size, bold=True)
            height = lines * textfit.line_height(size) + 2 * TEXT_INSET_Y.pt + 1
            if lines <= most_lines and height <= TITLE_MAX_HEIGHT.pt:
                return size, Pt(height)
    size = TITLE_SIZES[-1]
    return size, Pt(textfit.text_height(text, inner, size, True) + 2 * TEXT_INSET_Y.pt + 1)


def content_top(title: str) -> int:
    """Return where a slide's content starts (EMU) below its title."""
    return TITLE_TOP + title_layout(title)[1] + TITLE_GAP


def new_slide(deck: Presentation, title: str, layout: str = "Title and Content"):
    """Add a slide on a master layout with `title` in its title placeholder; return (slide, content top)."""
    slide = deck.slides.add_slide(next(item for item in deck.slide_layouts if item.name == layout))
    size, height = title_layout(title)
    place(slide.shapes.title, Box(MARGIN, TITLE_TOP, CONTENT_WIDTH, height))
    fill_text(slide.shapes.title.text_frame, [para(title, size, bold=True)])
    return slide, TITLE_TOP + height + TITLE_GAP


def body(slide):
    """Return the slide's body placeholder (idx 1)."""
    return next(shape for shape in slide.placeholders if shape.placeholder_format.idx == 1)


def set_body(slide, paras: list[Para], box: Box) -> None:
    """Put paragraphs in the slide's body placeholder, placed in `box`."""
    shape = body(slide)
    place(shape, box)
    fill_text(shape.text_frame, paras, placeholder=True)


def place(shape, box: Box) -> None:
    """Move and size a shape to `box`."""
    shape.left, shape.top, shape.width, shape.height = int(box.left), int(box.top), int(box.width), int(box.height)


# --- text ---------------------------------------------------------------------------------------

def paras_height(paras: list[Para], width) -> float:
    """Return the height in points that paragraphs take in a text box `width` (EMU) wide, insets included."""
    inner = Emu(width - 2 * TEXT_INSET_X).pt
    height = 2 * TEXT_INSET_Y.pt + 1
    for p in paras:
        available = inner - (BULLET_INDENT.pt if p.bullet else 0)
        height += p.space_before + textfit.text_height(p.text, available, p.size, p.bold)
    return height


def fill_text(frame, paras: list[Para], anchor=MSO_ANCHOR.TOP, align=PP_ALIGN.LEFT,
              placeholder: bool = False) -> None:
    """Replace a text frame's text: no autofit (the box is sized for it), word wrap, explicit sizes."""
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = TEXT_INSET_X
    frame.margin_top = frame.margin_bottom = TEXT_INSET_Y
    frame.vertical_anchor = anchor
    for index, spec in enumerate(paras):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_before = Pt(spec.space_before)
        paragraph.space_after = Pt(0)
        if placeholder or spec.bullet:
            _set_bullet(paragraph, spec.bullet)
        for text, bold, colour in spec.runs:
            run = paragraph.add_run()
            run.text = keep_units(text)
            run.font.size = Pt(spec.size)
            run.font.bold = bold
            run.font.color.rgb = colour


def keep_units(text: str) -> str:
    """Return `text` with a no-break space between a number and its % sign, so "54.9 %" never breaks."""
    return _NUMBER_PERCENT.sub(f"\\1{NBSP}%", text)


def _set_bullet(paragraph, bullet: bool) -> None:
    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", str(BULLET_INDENT if bullet else 0))
    properties.set("indent", str(-BULLET_INDENT if bullet else 0))
    for tag in ("a:buNone", "a:buChar", "a:buFont", "a:buAutoNum"):
        for old in properties.findall(qn(tag)):
            properties.remove(old)
    later = ("a:buBlip", "a:tabLst", "a:defRPr", "a:extLst")
    if bullet:
        properties.insert_element_before(properties.makeelement(qn("a:buFont"), {"typeface": "Arial"}),
                                         "a:buNone", "a:buAutoNum", "a:buChar", *later)
        properties.insert_element_before(properties.makeelement(qn("a:buChar"), {"char": "•"}), *later)
    else:
        properties.insert_element_before(properties.makeelement(qn("a:buNone"), {}), "a:buAutoNum", "a:buChar",
                                         *later)


def fit_paragraphs(make, width, max_height_pt: float, sizes) -> tuple[list[Para], float] | None:
    """Return (paragraphs, height in points) made by `make(size)` at the largest size that fits, else None."""
    for size in sizes:
        paras = make(size)
        height = paras_height(paras, width)
        if height <= max_height_pt:
            return paras, height
    return None


# --- tables -------------------------------------------------------------------------------------

def layout_table(columns: list[Column], rows: list[list[Cell]], width_pt: float, fill: bool = False,
                 header: bool = True, grow_min_pt: float = 200.0,
                 strict: bool = False) -> tuple[list[float], list[float]]:
    """Return column widths and row heights (points, header row first) that hold every word of every cell.

    Columns start at their one-line width. When that is too wide, the growing column gives way first (down to
    `grow_min_pt`), then, cut by cut, the wrapping column whose cut adds the fewest lines, none below its
    longest word. Spare width goes to the growing column (else, with `fill`, to all). When even that is too
    wide (a name made of one long token), the widest column gives up the rest, the renderer breaks that token
    and the row heights count its lines; with `strict` DoesNotFit is raised instead.
    """
    pad = 2 * CELL_INSET_X.pt + 2
    natural, minimal = [], []
    for index, column in enumerate(columns):
        cells = [row[index] for row in rows]
        widest = max((textfit.text_width(line, TABLE_PT, c.bold) for c in cells for line in c.text.split("\n")),
                     default=0.0)
        longest = max((textfit.longest_word(c.text, TABLE_PT, c.bold) for c in cells), default=0.0)
        header_word = textfit.longest_word(column.header, TABLE_PT, True) if header else 0.0
        if column.wrap or column.grow:
            natural.append(max(widest, header_word) + pad)
            least = max(longest, header_word) + pad
            minimal.append(min(natural[-1], max(least, grow_min_pt)) if column.grow else least)
        else:
            natural.append(max(widest, header_word) + pad)
            minimal.append(natural[-1])
    line = textfit.line_height(TABLE_PT)
    vpad = 2 * CELL_INSET_Y.pt + 3
    texts = ([[(c.header, True) for c in columns]] if header else []) + [[(c.text, c.bold) for c in row] for row in rows]

    def height(cells: list[tuple[str, bool]], widths: list[float]) -> float:
        return max(textfit.count_lines(t, w - pad + 1, TABLE_PT, b) for (t, b), w in zip(cells, widths)) * line + vpad

    def total(widths: list[float]) -> float:
        return sum(height(cells, widths) for cells in texts)

    widths = list(natural)
    growing = [i for i, c in enumerate(columns) if c.grow]
    excess = sum(widths) - width_pt
    if excess > 0 and growing:
        widths = _widths_for_growing(columns, texts, natural, minimal, width_pt, total, pad, header)
    excess = sum(widths) - width_pt
    give = {i: widths[i] - minimal[i] for i in growing if widths[i] > minimal[i]}
    if excess > 0 and give:  # the growing column (an indicator's wording) gives way first
        share = min(1.0, excess / sum(give.values()))
        for i, amount in give.items():
            widths[i] -= amount * share
    # Then whichever wrapping column costs the fewest extra lines, one cut at a time.
    excess = sum(widths) - width_pt
    while excess > 0.01:
        least = {i: max(textfit.longest_word(columns[i].header, TABLE_PT, True) if header else 0.0,
                        max((textfit.longest_word(row[i].text, TABLE_PT, row[i].bold) for row in rows), default=0.0))
                 + pad for i, c in enumerate(columns) if c.wrap or c.grow}
        cuts = {i: min(excess, widths[i] - least[i]) for i in least if widths[i] - least[i] > 0.01}
        if not cuts:
            if strict:
                raise DoesNotFit(f"{len(columns)} columns need {sum(widths):.0f} pt, {width_pt:.0f} pt available")
            # The widest column (a name made of one long token) gives up the rest; its token is broken.
            widest = max(range(len(widths)), key=lambda i: widths[i])
            widths[widest] = max(widths[widest] - excess, 4 * TABLE_PT)
            break

        def after(i: int) -> float:
            trial = list(widths)
            trial[i] -= cuts[i]
            return total(trial)

        best = min(cuts, key=lambda i: (after(i), -cuts[i]))
        widths[best] -= cuts[best]
        excess -= cuts[best]
    spare = width_pt - sum(widths)
    if spare > 0 and growing:
        for i in growing:
            widths[i] += spare / len(growing)
    elif spare > 0 and fill:
        total = sum(widths)
        widths = [w + spare * w / total for w in widths]
    _share_widths(columns, widths, minimal)
    return widths, [height(cells, widths) for cells in texts]


def _widths_for_growing(columns: list[Column], texts, natural: list[float], minimal: list[float], width_pt: float,
                        total, pad: float, header: bool) -> list[float]:
    """Return the widths that make the table shortest when a growing column (a wording) takes what is left: the
    other wrapping columns are tried at the widths that hold their cells in one, two, then three lines."""
    growing = [i for i, c in enumerate(columns) if c.grow]
    offset = 1 if header else 0
    best: tuple[float, list[float]] | None = None
    for lines in (1, 2, 3):
        widths = list(natural)
        for i, column in enumerate(columns):
            if column.wrap and not column.grow:
                cells = [(columns[i].header, True)] if header else []
                cells += [row[i] for row in texts[offset:]]
                widths[i] = max(_width_for_lines(t, b, lines, minimal[i] - pad, natural[i] - pad) for t, b in cells) + pad
        left = width_pt - sum(w for i, w in enumerate(widths) if i not in growing)
        if left < sum(minimal[i] for i in growing):
            continue
        for i in growing:
            widths[i] = left / len(growing)
        height = total(widths)
        if best is None or height < best[0] - 0.5:
            best = (height, widths)
    return best[1] if best else list(natural)


def _width_for_lines(text: str, bold: bool, lines: int, least: float, most: float) -> float:
    """Return the narrowest width (points, inner) between `least` and `most` that holds `text` in `lines` lines."""
    if textfit.count_lines(text, least, TABLE_PT, bold) <= lines:
        return least
    low, high = least, max(most, least)
    for _ in range(14):
        middle = (low + high) / 2
        if textfit.count_lines(text, middle, TABLE_PT, bold) <= lines:
            high = middle
        else:
            low = middle
    return high


def _share_widths(columns: list[Column], widths: list[float], minimal: list[float]) -> None:
    run: list[int] = []
    for index, column in enumerate([*columns, Column("")]):
        if index < len(columns) and (column.same_width_as_next or (run and columns[run[-1]].same_width_as_next)):
            run.append(index)
            if column.same_width_as_next:
                continue
        if len(run) > 1:
            mean = sum(widths[i] for i in run) / len(run)
            if all(minimal[i] <= mean for i in run):
                for i in run:
                    widths[i] = mean
        run = []


def paginate_rows(heights: list[float], groups: list, available: float) -> list[list[int]]:
    """Return the row indexes of each page: whole groups while they fit, a group split only when it alone does not."""
    pages: list[list[int]] = [[]]
    used = 0.0
    index = 0
    while index < len(heights):
        end = index
        while end < len(heights) and groups[end] == groups[index]:
            end += 1
        block = list(range(index, end))
        block_height = sum(heights[i] for i in block)
        if used + block_height <= available:
            pages[-1].extend(block)
            used += block_height
        else:
            if pages[-1]:
                pages.append([])
                used = 0.0
            for i in block:
                if used + heights[i] > available and pages[-1]:
                    pages.append([])
                    used = 0.0
                pages[-1].append(i)
                used += heights[i]
        index = end
    return [p for p in pages if p]


def add_table(slide, left, top, columns: list[Column], rows: list[list[Cell]], widths: list[float],
              heights: list[float], header: bool = True):
    """Add a table with the widths and heights of layout_table; unfilled cells get a light row banding."""
    count = len(rows) + (1 if header else 0)
    shape = slide.shapes.add_table(count, len(columns), int(left), int(top), Pt(sum(widths)), Pt(sum(heights)))
    table = shape.table
    table.first_row = header
    table.horz_banding = False
    for index, width in enumerate(widths):
        table.columns[index].width = Pt(width)
    for index, height in enumerate(heights):
        table.rows[index].height = Pt(height)
    if header:
        for index, column in enumerate(columns):
            _set_cell(table.cell(0, index), Cell(column.header, fill=HEADER_FILL, bold=True))
    for row_index, row in enumerate(rows, start=1 if header else 0):
        for column_index, cell in enumerate(row):
            if cell.fill is None and cell.text:
                cell = Cell(cell.text, fill=ROW_FILLS[row_index % 2], bold=cell.bold, align=cell.align)
            _set_cell(table.cell(row_index, column_index), cell)
    return table


def _set_cell(cell, spec: Cell) -> None:
    cell.margin_left = cell.margin_right = CELL_INSET_X
    cell.margin_top = cell.margin_bottom = CELL_INSET_Y
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    frame.clear()
    for index, line in enumerate(spec.text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = spec.align
        run = paragraph.add_run()
        run.text = keep_units(line)
        run.font.size = Pt(TABLE_PT)
        run.font.bold = spec.bold
        run.font.color.rgb = spec.colour
    if spec.fill is None:
        cell.fill.background()
    else:
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(spec.fill.lstrip("#").upper())


# --- pictures and notes -------------------------------------------------------------------------

def add_picture(slide, png: bytes, box: Box, description: str):
    """Add a PNG scaled into `box` (centred across it) with its alternative text; return the picture."""
    width_px, height_px = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    scale = min(box.width / width_px, box.height / height_px)
    width, height = int(width_px * scale), int(height_px * scale)
    picture = slide.shapes.add_picture(io.BytesIO(png), box.left + (box.width - width) // 2, box.top, width, height)
    picture._element.nvPicPr.cNvPr.set("descr", description)
    return picture


def set_notes(slide, lines: list[str]) -> None:
    """Write the speaker notes of a slide, one line each."""
    slide.notes_slide.notes_text_frame.text = "\n".join(line for line in lines if line)


def _is_light(hex_colour: str) -> bool:
    """Return True when dark text reads better than white on this fill (WCAG relative luminance)."""
    red, green, blue = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # contrast with the dark text colour (relative luminance 0.0212) against contrast with white
    return (luminance + 0.05) / 0.0712 > 1.05 / (luminance + 0.05)
