"""Timing helpers: medians, a bounded subprocess wall clock, and running one bench job in a checkout's subprocess."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULT_MARK = "BENCH_RESULT "


def median(values) -> float | None:
    """Return the median of the values (None for none)."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def checkout_env(code_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return an environment that imports the project from code_dir only (no network, loopback only)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ACCSM_DATABASE_URL")}
    env.update({"PYTHONPATH": str(code_dir), "ACCSM_USER": "local", "BROWSER_PATH": "/usr/bin/chromium",
                "PYTHONDONTWRITEBYTECODE": "1", "NO_PROXY": "127.0.0.1,localhost",
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"})
    env.update(extra or {})
    return env


def wall_time(argv: list[str], code_dir: Path, timeout: float = 300, env: dict | None = None) -> float:
    """Return the wall seconds of one subprocess run in code_dir; raise when it fails or times out."""
    return wall_and_cpu_time(argv, code_dir, timeout, env)[0]


def wall_and_cpu_time(argv: list[str], code_dir: Path, timeout: float = 300,
                      env: dict | None = None) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds: user + system) of one subprocess run in code_dir; raise when it fails.

    On a loaded machine the wall clock mostly measures waiting for a core; the CPU time is what the command costs.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=code_dir, env=env or checkout_env(code_dir), capture_output=True,
                          timeout=timeout)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-600:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_job(job: str, args: dict, code_dir: Path, timeout: float = 1800, log=None) -> dict:
    """Run `bench/worker.py job` in a subprocess with cwd=code_dir and PYTHONPATH=code_dir; return its result."""
    argv = [sys.executable, str(BENCH_DIR / "worker.py"), job, json.dumps(args)]
    try:
        done = subprocess.run(argv, cwd=code_dir, env=checkout_env(code_dir), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"{job} took more than {timeout:.0f} s"}
    out = done.stdout.decode(errors="replace")
    if log is not None:
        log.write(f"### {job} {json.dumps(args)[:300]}\n{out}\n{done.stderr.decode(errors='replace')[-4000:]}\n")
        log.flush()
    for line in reversed(out.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    return {"error": f"{job} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}"}
