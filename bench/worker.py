"""Run one bench job in this process (cwd and PYTHONPATH are the checkout under test) and print its result as JSON."""

from __future__ import annotations

import json
import sys
import warnings

from timing import RESULT_MARK

JOBS = {
    "import_files": ("measure_import", "import_files"),
    "calamine_files": ("measure_import", "calamine_files"),
    "naive_files": ("measure_import", "naive_files"),
    "kpi_table": ("measure_engine", "kpi_table"),
    "page_reruns": ("measure_pages", "page_reruns"),
    "first_visit": ("measure_pages", "first_visit"),
    "briefing": ("measure_exports", "briefing"),
    "scaling_chart": ("measure_exports", "scaling_chart"),
    "scaled_store": ("scaled", "build_scaled_store"),
}


def main() -> int:
    job, args = sys.argv[1], json.loads(sys.argv[2])
    module_name, function_name = JOBS[job]
    warnings.simplefilter("ignore")
    module = __import__(module_name)
    result = getattr(module, function_name)(**args)
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
