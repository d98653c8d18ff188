"""Chart images: PNG size at print resolution, SVG that parses and carries its title, one shared renderer."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest

from kpi import charts, store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.engine import compute_report
from kpi.exports import images

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) from a PNG's IHDR header."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture(scope="module")
def trend(plain_engine):
    with plain_engine.connect() as connection:
        report = compute_report(connection)
        as_of = store.data_as_of(connection)
    return charts.trend_figure(report, "A.1.1", CURRENT_FRAMEWORK, as_of)


def test_render_figure__png_is_print_resolution_at_the_charts_own_height(trend, test_output):
    png = images.render_figure(trend, "png")
    (test_output / "chart_A.1.1_trend.png").write_bytes(png)
    assert read_png_size(png) == (2 * images.DEFAULT_WIDTH, 2 * trend.layout.height)


def test_render_figure__size_and_scale_given(trend):
    assert read_png_size(images.render_figure(trend, "png", width=800, height=450, scale=3)) == (2400, 1350)


def test_render_figure__a_figure_without_a_height_gets_16_by_9():
    png = images.render_figure(go.Figure(go.Bar(x=["a"], y=[1])), "png")
    assert read_png_size(png) == (2 * images.DEFAULT_WIDTH, 2 * images.DEFAULT_HEIGHT)


def test_render_figure__svg_parses_and_holds_title_legend_and_footnote(trend, test_output):
    svg = images.render_figure(trend, "svg")
    (test_output / "chart_A.1.1_trend.svg").write_bytes(svg)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t for t in root.itertext())
    assert "A.1.1 trend, 2014–2020" in text
    assert "ASEAN" in text and "target 2020" in text  # legend entries
    assert "Source: ACCSM country returns" in text and "data as of" in text


def test_render_figures__keeps_order_and_reuses_one_renderer(trend):
    images.render_figure(trend, "png")
    assert images.is_renderer_running()
    assert images.start_renderer() == 0.0  # already running: nothing started
    titled = [go.Figure(layout=dict(title=f"figure {n}", height=300 + 10 * n)) for n in range(3)]
    svgs = images.render_figures(titled, "svg")
    assert [f"figure {n}".encode() in svg for n, svg in enumerate(svgs)] == [True, True, True]
    assert images.render_figures([], "png") == []


def test_render_figure__unknown_format_is_refused(trend):
    with pytest.raises(ValueError, match="png, svg"):
        images.render_figure(trend, "gif")


def test_find_browser__a_missing_chromium_says_to_install_debians_package(monkeypatch):
    monkeypatch.setenv(images.BROWSER_VARIABLE, "/nonexistent/chromium")
    with pytest.raises(images.RendererUnavailable, match="install Debian's chromium package"):
        images.find_browser()


def test_find_browser__uses_the_system_chromium(monkeypatch):
    monkeypatch.delenv(images.BROWSER_VARIABLE, raising=False)
    assert images.find_browser().endswith("chromium")


def test_submit_figures__one_picture_per_figure_in_order_while_the_caller_goes_on():
    # The briefing builds its slides while these render: each future must hold its own figure's picture.
    figures = [go.Figure(layout=dict(width=300 + 100 * n, height=200, title=f"figure {n}")) for n in range(3)]
    futures = images.submit_figures(figures, "png", scale=1)
    sizes = [read_png_size(images.wait_for_picture(f, f"figure {n}")) for n, f in reversed(list(enumerate(futures)))]
    assert sizes == [(500, 200), (400, 200), (300, 200)]


def test_submit_figures__an_unknown_format_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="format must be one of png, svg"):
        images.submit_figures([go.Figure()], "gif")


def test_wait_for_picture__a_failed_render_names_the_figure():
    from concurrent.futures import Future

    failed = Future()
    failed.set_exception(RuntimeError("Chromium closed the tab"))
    with pytest.raises(images.RenderError, match=r"^the chart of map A.1.1 failed to render: RuntimeError: "
                                                 r"Chromium closed the tab$"):
        images.wait_for_picture(failed, "the chart of map A.1.1")
