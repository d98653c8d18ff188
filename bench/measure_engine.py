"""Worker job for the KPI-table row: kpi.engine.compute_report against the engine's own SQL reads (read_inputs)."""

from __future__ import annotations

import time


def kpi_table(url: str, repeats: int) -> dict:
    """Time compute_report and read_inputs on the store at url (wall and CPU seconds), `repeats` times, interleaved."""
    from kpi.db import open_store
    from kpi.engine import compute_report, read_inputs

    engine = open_store(url)
    report_s, reads_s, report_cpu, reads_cpu, rows = [], [], [], [], 0
    with engine.connect() as connection:  # one warm-up of each: imports and first-query costs are not the KPIs'
        rows = len(compute_report(connection))
        read_inputs(connection)
    for _ in range(repeats):
        with engine.connect() as connection:
            started, cpu = time.perf_counter(), time.process_time()
            rows = len(compute_report(connection))
            report_s.append(time.perf_counter() - started)
            report_cpu.append(time.process_time() - cpu)
        with engine.connect() as connection:
            started, cpu = time.perf_counter(), time.process_time()
            inputs = read_inputs(connection)
            reads_s.append(time.perf_counter() - started)
            reads_cpu.append(time.process_time() - cpu)
    engine.dispose()
    # CPU seconds beside the wall clock: on a loaded machine the wall clock also counts waiting for a core.
    return {"report": report_s, "reads": reads_s, "report_cpu": report_cpu, "reads_cpu": reads_cpu, "rows": rows,
            "values": len(inputs.values),
            "evaluations": len(inputs.evaluations), "items": {k: len(v) for k, v in inputs.items.items()}}
