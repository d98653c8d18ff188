"""Worker job for the KPI-table row: kpi.engine.compute_report against the engine's own SQL reads (read_inputs)."""

from __future__ import annotations

import time


def kpi_table(url: str, repeats: int) -> dict:
    """Time compute_report and read_inputs on the store at url, each `repeats` times (interleaved)."""
    from kpi.db import open_store
    from kpi.engine import compute_report, read_inputs

    engine = open_store(url)
    report_s, reads_s, rows = [], [], 0
    with engine.connect() as connection:  # one warm-up of each: imports and first-query costs are not the KPIs'
        rows = len(compute_report(connection))
        read_inputs(connection)
    for _ in range(repeats):
        with engine.connect() as connection:
            started = time.perf_counter()
            rows = len(compute_report(connection))
            report_s.append(time.perf_counter() - started)
        with engine.connect() as connection:
            started = time.perf_counter()
            inputs = read_inputs(connection)
            reads_s.append(time.perf_counter() - started)
    engine.dispose()
    return {"report": report_s, "reads": reads_s, "rows": rows, "values": len(inputs.values),
            "evaluations": len(inputs.evaluations), "items": {k: len(v) for k, v in inputs.items.items()}}
