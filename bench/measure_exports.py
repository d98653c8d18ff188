"""Worker jobs for the briefing rows (build_briefing against its figures rendered alone) and the scaling chart."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def briefing(url: str, repeats: int, pdf_repeats: int) -> dict:
    """Time the deck, the deck with PDF, and its figures rendered alone through the same warm renderer."""
    from kpi import store
    from kpi.catalogue import CURRENT_FRAMEWORK
    from kpi.db import open_store
    from kpi.exports import images
    from kpi.exports.briefing import CHART_SCALE, build_briefing, build_pack_figures

    engine = open_store(url)
    folder = Path(tempfile.mkdtemp(prefix="bench-briefing-"))
    alone, deck, deck_pdf, steps, pdf_steps = [], [], [], [], []
    with engine.connect() as connection:
        year = max(store.read_returned_years(connection))
        cold = images.start_renderer()
        # The floor is the deck's own pictures: every chart of the pack, each at the size of its box on the slide.
        figures = list(build_pack_figures(connection, year, CURRENT_FRAMEWORK).values())
        images.render_figures(figures[:1], "png", scale=CHART_SCALE)  # warm-up
        slides = 0
        for n in range(max(repeats, pdf_repeats)):
            started = time.perf_counter()
            images.render_figures(figures, "png", scale=CHART_SCALE)
            alone.append(time.perf_counter() - started)
            if n < repeats:
                started = time.perf_counter()
                result = build_briefing(connection, year, folder / f"som{n}.pptx")
                deck.append(time.perf_counter() - started)
                steps.append(result.timings)
                slides = result.slide_count
            if n < pdf_repeats:
                started = time.perf_counter()
                result = build_briefing(connection, year, folder / f"som{n}.pptx", folder / f"som{n}.pdf")
                deck_pdf.append(time.perf_counter() - started)
                pdf_steps.append(result.timings)
    images.stop_renderer()
    engine.dispose()
    return {"year": year, "figures": len(figures), "slides": slides, "cold_start": cold, "alone": alone,
            "deck": deck, "deck_pdf": deck_pdf, "steps": steps, "pdf_steps": pdf_steps}


_LOG_TICKS = [0.5, 1, 2, 5, 10, 20, 50, 100]


def scaling_chart(series: dict, out_path: str, title: str) -> dict:
    """Draw cost (× its 1× value) against data size for each measured cost; write a PNG via the project's renderer."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, points in series.items():
        points = [p for p in points if p[1] is not None]
        if not points:
            continue
        base = points[0][1]
        fig.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] / base for p in points], mode="lines+markers",
                                 name=f"{name} (1×: {_seconds(base)})",
                                 text=[_seconds(p[1]) for p in points], textposition="top center"))
    sizes = sorted({p[0] for points in series.values() for p in points})
    fig.add_trace(go.Scatter(x=sizes, y=sizes, mode="lines", name="linear (cost ∝ size)",
                             line=dict(dash="dot", color="grey")))
    fig.update_layout(title=title, width=1000, height=620, template="plotly_white",
                      xaxis=dict(title="data size (× the demo data)", type="log", tickvals=sizes,
                                 ticktext=[f"{s}×" for s in sizes]),
                      # Only whole ticks: plotly's minor log ticks read "2" for 20.
                      yaxis=dict(title="cost (× its cost at 1×)", type="log", tickvals=_LOG_TICKS,
                                 ticktext=[f"{t:g}×" for t in _LOG_TICKS]),
                      legend=dict(orientation="h", y=-0.2))
    try:
        from kpi.exports import images
        png = images.render_figure(fig, "png", width=1000, height=620, scale=1)
        images.stop_renderer()
    except Exception as exc:  # noqa: BLE001 - fall back to plotly's own kaleido call
        fig.write_image(out_path)
        return {"path": out_path, "via": f"plotly write_image ({type(exc).__name__})"}
    Path(out_path).write_bytes(png)
    return {"path": out_path, "via": "kpi.exports.images.render_figure"}


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"
