"""Time the SOM briefing pack against rendering its figures alone, in one run: `python bench/bench_briefing.py`."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kpi import store  # noqa: E402
from kpi.catalogue import CURRENT_FRAMEWORK  # noqa: E402
from kpi.db import open_store  # noqa: E402
from kpi.exports import images  # noqa: E402
from kpi.exports.briefing import CHART_SCALE, build_briefing, build_pack_figures  # noqa: E402


def open_bench_store(folder: Path):
    """Return an engine on a fresh store holding the demo returns, else the export tests' seeded store."""
    url = f"sqlite:///{folder / 'bench.db'}"
    reason, engine = "no demo data", None
    try:
        from importers.demo import list_demo_files, load_demo_data
        if list_demo_files():
            engine = open_store(url)
            load_demo_data(engine, "local")
            return engine, "demo returns (data/demo)"
    except (ImportError, RuntimeError) as exc:  # the demo data may not load yet: fall back, and say why
        reason = str(exc)[:120]
        if engine is not None:
            engine.dispose()
        (folder / "bench.db").unlink(missing_ok=True)
    from tests.exports.fixture_store import build_fixture_store
    return (build_fixture_store(url, is_demo=True),
            f"seeded test store (tests/exports/fixture_store.py; demo data not used: {reason})")


def run_bench(year: int | None, with_pdf: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as work:
        folder = Path(work)
        engine, source = open_bench_store(folder)
        with engine.connect() as connection:
            if year is None:
                year = max(store.read_returned_years(connection))
            cold = images.start_renderer()
            # Every chart of the pack (trends, AMS profiles, the map), each at the size of its box on the slide.
            figures = list(build_pack_figures(connection, year, CURRENT_FRAMEWORK).values())
            started = time.perf_counter()
            images.render_figures(figures, "png", scale=CHART_SCALE)
            alone = time.perf_counter() - started

            started = time.perf_counter()
            result = build_briefing(connection, year, folder / "som.pptx", folder / "som.pdf" if with_pdf else None)
            pack = time.perf_counter() - started
        engine.dispose()
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
    print(f"data: {source}, year {year}; {result.slide_count} slides, {result.figure_count} figures")
    print(f"pack {pack:.1f} s = {pack / alone:.1f} × rendering its {len(figures)} figures alone ({alone:.1f} s, "
          f"{alone / len(figures):.2f} s each); cold renderer start {cold:.1f} s")
    print(f"steps: {steps}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, help="reporting year (default: the latest with a return)")
    parser.add_argument("--pdf", action="store_true", help="include the LibreOffice PDF conversion in the pack")
    args = parser.parse_args(argv)
    run_bench(args.year, args.pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
