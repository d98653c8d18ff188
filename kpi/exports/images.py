"""Chart images (PNG at print resolution, SVG) from Plotly figures, through one long-lived kaleido renderer."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import plotly.graph_objects as go

from kpi.catalogue import Framework
from kpi.charts import mark_demo, mark_provisional

FORMATS = ("png", "svg")
# 1200×675 CSS px keeps Plotly's fonts legible when the picture fills a slide or half an A4 page;
# scale 2 makes the PNG 2400×1350 px, 300 dpi at 8 inches wide.
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 1200, 675, 2
START_TIMEOUT_SECONDS = 60
RENDER_TIMEOUT_SECONDS = 60  # per figure
BROWSER_VARIABLE = "BROWSER_PATH"
# One tab. Measured on 3 December 2026: a second tab adds 1.1 s to the start and makes a batch 28 % faster.
# That makes a briefing on a running renderer 1.1 s quicker and one straight after the start no quicker, but makes
# the first chart download of a server 1.1 s slower. kaleido reloads a tab after every figure, which is most of
# a figure's cost.
_TABS = 1
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


class RendererUnavailable(RuntimeError):
    """Chart images cannot be made: no Chromium, or it would not start."""


class RenderError(RuntimeError):
    """One or more figures could not be turned into an image."""


def find_browser() -> str:
    """Return the Chromium executable kaleido will drive; set BROWSER_PATH to it when unset.

    Raises RendererUnavailable when none is installed: this never downloads a browser.
    """
    named = os.environ.get(BROWSER_VARIABLE)
    if named:
        if not Path(named).is_file():
            raise RendererUnavailable(f"{BROWSER_VARIABLE}={named!r} is not a file: chart images need Chromium; "
                                      "install Debian's chromium package (apt-get install chromium) "
                                      f"or point {BROWSER_VARIABLE} at a Chrome/Chromium executable")
        return named
    found = next((p for p in map(shutil.which, _BROWSER_NAMES) if p), None)
    if found is None and _DEBIAN_CHROMIUM.is_file():
        found = str(_DEBIAN_CHROMIUM)
    if found is None:
        raise RendererUnavailable("chart images need Chromium and none was found: install Debian's chromium "
                                  f"package (apt-get install chromium) or set {BROWSER_VARIABLE}")
    os.environ[BROWSER_VARIABLE] = found
    return found


def render_figure(fig: go.Figure, fmt: str = "png", width: int | None = None, height: int | None = None,
                  scale: float = DEFAULT_SCALE, demo: bool = False, framework: Framework | None = None) -> bytes:
    """Return one figure as PNG or SVG bytes, title, legend and footnotes included.

    With `demo` the image carries kpi.charts.DEMO_MARKER, with a provisional `framework` the provisional marker
    (kpi.charts.mark_provisional); the figure passed in is left as it is, and a figure already marked carries its
    marks anyway.

    Width and height are CSS pixels: given ones win, else the figure's own layout size, else 1200×675.
    A PNG is `scale` times larger in pixels (2400 px wide by default); an SVG is drawn at scale 1.

    Raises ValueError for an unknown format, RendererUnavailable without Chromium, RenderError on failure.
    """
    return render_figures([fig], fmt, width=width, height=height, scale=scale, demo=demo, framework=framework)[0]


def render_figures(figs: list[go.Figure], fmt: str = "png", width: int | None = None,
                   height: int | None = None, scale: float = DEFAULT_SCALE, demo: bool = False,
                   framework: Framework | None = None) -> list[bytes]:
    """Return the figures as PNG or SVG bytes, in order, all through the one shared renderer.

    Raises as render_figure does.
    """
    items = _render_items(figs, fmt, width, height, scale, demo, framework)
    return _RENDERER.render(items) if items else []


def submit_figures(figs: list[go.Figure], fmt: str = "png", width: int | None = None, height: int | None = None,
                   scale: float = DEFAULT_SCALE) -> list[Future]:
    """Start rendering the figures through the shared renderer and return one future per figure, in order: the
    caller builds what else it needs while Chromium draws, and `wait_for_picture` takes each image when needed.

    Raises ValueError for an unknown format and RendererUnavailable without Chromium.
    """
    return _RENDERER.submit(_render_items(figs, fmt, width, height, scale, False, None))


def wait_for_picture(future: Future, what: str) -> bytes:
    """Return the image of a submitted figure (`what` names it in the error); raises RenderError on failure."""
    try:
        return future.result(RENDER_TIMEOUT_SECONDS * 40)  # queued behind at most a pack's figures
    except TimeoutError as exc:
        future.cancel()
        _RENDERER.stop()  # a hung browser is restarted by the next call rather than blocking every caller
        raise RenderError(f"rendering {what} timed out") from exc
    except Exception as exc:
        raise RenderError(f"{what} failed to render: {type(exc).__name__}: {exc}") from exc


def _render_items(figs, fmt: str, width, height, scale: float, demo: bool, framework) -> list[tuple[dict, dict]]:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if framework is not None and framework.is_provisional:
        figs = [mark_provisional(go.Figure(fig), framework) for fig in figs]
    figs = [mark_demo(go.Figure(fig)) for fig in figs] if demo else list(figs)
    items = []
    for fig in figs:
        spec = fig.to_dict() if hasattr(fig, "to_dict") else fig
        layout = spec.get("layout", {})
        items.append((spec, {"format": fmt, "width": width or layout.get("width") or DEFAULT_WIDTH,
                             "height": height or layout.get("height") or DEFAULT_HEIGHT,
                             "scale": 1 if fmt == "svg" else scale}))
    return items


def start_renderer() -> float:
    """Start the shared renderer if it is not running; return the seconds that took (0 when already running)."""
    return _RENDERER.start()


def stop_renderer() -> None:
    """Close the shared renderer's browser; the next render starts a new one."""
    _RENDERER.stop()


def is_renderer_running() -> bool:
    """Return True while the shared renderer's browser is open."""
    return _RENDERER.is_running()


class _Renderer:
    """One headless Chromium driven by kaleido on a private event-loop thread, shared by every caller.

    Starting Chromium costs ≈2.5 s and each figure after that ≈0.25 s, so it starts lazily once per
    process and is closed at exit. Calls from several threads are queued onto the one loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None

    def is_running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> float:
        with self._lock:
            if self._kaleido is not None:
                return 0.0
            started = time.perf_counter()
            browser = find_browser()
            import kaleido  # deferred: importing it costs time the CSV/Excel exports never need

            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="kpi-chart-renderer", daemon=True)
            thread.start()
            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(
                    _open_kaleido(kaleido, browser), loop).result(START_TIMEOUT_SECONDS)
            except Exception as exc:
                _stop_loop(loop, thread)
                raise RendererUnavailable(f"Chromium at {browser} would not start for chart images: "
                                          f"{type(exc).__name__}: {exc}") from exc
            self._loop, self._thread = loop, thread
            return time.perf_counter() - started

    def render(self, items: list[tuple[go.Figure, dict]]) -> list[bytes]:
        loop, renderer = self._running()
        future = asyncio.run_coroutine_threadsafe(_render_all(renderer, items), loop)
        try:
            results = future.result(RENDER_TIMEOUT_SECONDS * len(items) + 5)
        except TimeoutError as exc:
            future.cancel()
            self.stop()  # a hung browser is restarted by the next call rather than blocking every caller
            raise RenderError(f"rendering {len(items)} figure(s) timed out") from exc
        failures = [(i, r) for i, r in enumerate(results) if isinstance(r, BaseException)]
        if failures:
            index, error = failures[0]
            raise RenderError(f"{len(failures)} of {len(items)} figure(s) failed to render; figure {index + 1}: "
                              f"{type(error).__name__}: {error}") from error
        return results

    def submit(self, items: list[tuple[dict, dict]]) -> list[Future]:
        loop, renderer = self._running()
        return [asyncio.run_coroutine_threadsafe(renderer.calc_fig(spec, opts=dict(opts)), loop)
                for spec, opts in items]

    def _running(self):
        """Return the (event loop, kaleido) pair, starting the browser first if needed."""
        self.start()
        with self._lock:
            loop, renderer = self._loop, self._kaleido
        if loop is None or renderer is None:
            raise RendererUnavailable("the chart renderer was stopped while a render was starting")
        return loop, renderer

    def stop(self) -> None:
        with self._lock:
            loop, thread, renderer = self._loop, self._thread, self._kaleido
            self._loop = self._thread = self._kaleido = None
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(renderer.close(), loop).result(15)
        except Exception:  # the browser may already be gone; the loop still has to stop
            pass
        _stop_loop(loop, thread)


async def _open_kaleido(kaleido_module, browser: str):
    renderer = kaleido_module.Kaleido(n=_TABS, path=browser, mathjax=False, timeout=RENDER_TIMEOUT_SECONDS)
    await renderer.open()
    return renderer


async def _render_all(renderer, items: list[tuple[go.Figure, dict]]) -> list:
    return await asyncio.gather(*(renderer.calc_fig(fig, opts=dict(opts)) for fig, opts in items),
                                return_exceptions=True)


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=15)
    if not thread.is_alive():
        loop.close()


_RENDERER = _Renderer()
atexit.register(stop_renderer)
