"""Layout checks an official would make by eye, as browser assertions: no inner scroll bars, no overlapping labels."""

from __future__ import annotations

VIEWPORTS = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}

# Tables (st.dataframe / st.data_editor) whose grid scrolls inside itself hide rows from a reader and from print.
_INNER_SCROLL = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .map(el => {
        const scroller = el.querySelector('.dvn-scroller') || el;
        return {key: el.closest('[class*="st-key-"]')?.className.match(/st-key-([\\w-]+)/)?.[1] || '?',
                vertical: scroller.scrollHeight - scroller.clientHeight,
                horizontal: scroller.scrollWidth - scroller.clientWidth};
    })
    .filter(t => t.vertical > 2 || t.horizontal > 2)"""

# Text of every plotly chart (tick labels, legend, annotations, bar texts) as boxes, per chart.
_CHART_TEXT_BOXES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map((plot, index) => {
    const boxes = [...plot.querySelectorAll('.main-svg text, .main-svg .annotation-text')]
        .filter(t => t.textContent.trim() && t.getBBox().width > 0)
        .map(t => { const r = t.getBoundingClientRect();
                    return {text: t.textContent.trim().slice(0, 40), x: r.left, y: r.top, w: r.width, h: r.height,
                            kind: t.closest('.xtick') ? 'xtick' : t.closest('.ytick') ? 'ytick'
                                : t.closest('.legend') ? 'legend' : 'other'}; });
    return {index, boxes};
})"""

# The main block wider than the window: something is cut off at the right.
_HORIZONTAL_OVERFLOW = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return main ? main.scrollWidth - main.clientWidth : 0;
}"""


def find_inner_scroll(page) -> list[dict]:
    """Return the tables that scroll inside themselves (key, overflow in px)."""
    return page.evaluate(_INNER_SCROLL)


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (a["x"] + slack < b["x"] + b["w"] and b["x"] + slack < a["x"] + a["w"]
            and a["y"] + slack < b["y"] + b["h"] and b["y"] + slack < a["y"] + a["h"])


def find_overlapping_labels(page) -> list[tuple[int, str, str]]:
    """Return (chart index, text, text) for each pair of tick or legend labels of one chart that overlap."""
    overlaps = []
    for chart in page.evaluate(_CHART_TEXT_BOXES):
        labels = [b for b in chart["boxes"] if b["kind"] in ("xtick", "ytick", "legend")]
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                if _overlap(a, b):
                    overlaps.append((chart["index"], a["text"], b["text"]))
    return overlaps


def horizontal_overflow(page) -> int:
    """Return how many pixels the main block is wider than the window (0 when nothing is cut off)."""
    return page.evaluate(_HORIZONTAL_OVERFLOW)
