"""Turn the measured figures into rows (what, measured, floor, ratio, goal, met?) and print them as a table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    """One line of the table; met is True, False or None (not judged, with the reason in `note`)."""

    what: str
    measured: str
    floor: str
    ratio: str
    goal: str
    met: bool | None
    note: str = ""


def seconds(value: float | None) -> str:
    """Format seconds as ms below 1 s, else s."""
    if value is None:
        return "—"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def times(value: float | None) -> str:
    """Format a ratio."""
    return "—" if value is None else f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def verdict(met: bool | None) -> str:
    """Say whether a goal is met."""
    return {True: "yes", False: "NO", None: "not judged"}[met]


def format_table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table (readable in a terminal too)."""
    header = ["what", "measured", "floor", "ratio", "goal", "met?"]
    if not rows:
        return "(no row measured)"
    lines = [[r.what, r.measured, r.floor, r.ratio, r.goal, verdict(r.met) + (f" ({r.note})" if r.note else "")]
             for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in lines]
    return "\n".join(out)
