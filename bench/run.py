"""Measure every row of issue 13 beside its floor in one run and print the table with ratios: `python bench/run.py`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from corpus import demo_returns, shifted_returns  # noqa: E402
from report_table import Row, format_table, seconds, times  # noqa: E402
from timing import median, run_job, wall_and_cpu_time, wall_time  # noqa: E402

LOAD_ORDER = ("return_", "evaluations_", "targets_")  # as importers.demo.list_demo_files: returns first
LINEAR_MARGIN = 1.2  # "linear": the per-file cost at 5× the files within 1.2× of the 69-file cost


def demo_files(code_dir: Path) -> list[Path]:
    """Return the demo workbooks of a checkout in the order the app loads them."""
    def order(path: Path):
        rank = next((i for i, p in enumerate(LOAD_ORDER) if path.name.startswith(p)), len(LOAD_ORDER))
        return rank, path.name
    return sorted((code_dir / "data" / "demo").glob("*.xlsx"), key=order)


def machine() -> dict:
    """Return what the figures were measured on: host, cores, load average, date."""
    load = os.getloadavg()
    return {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "host": platform.node(),
            "nproc": os.cpu_count(), "loadavg": [round(x, 2) for x in load], "python": platform.python_version(),
            "platform": platform.platform()}


class Bench:
    """One run: the checkout under test, a scratch folder, the log, the results as they come."""

    def __init__(self, args):
        self.args = args
        self.code = Path(args.code).resolve()
        self.work = Path(tempfile.mkdtemp(prefix="accsm-bench-"))
        self.log = open(self.work / "bench.log", "w")
        self.results: dict = {"code": str(self.code), "quick": args.quick, "machine_start": machine()}
        self.repeats = 1 if args.quick else args.repeats
        self.reruns = 3 if args.quick else 5

    def job(self, name: str, timeout: float = 1800, **kwargs) -> dict:
        started = time.perf_counter()
        result = run_job(name, kwargs, self.code, timeout=timeout, log=self.log)
        load = round(os.getloadavg()[0], 1)
        self.results.setdefault("job_loads", []).append([name, load])
        self.say(f"  {name} done in {time.perf_counter() - started:.1f} s (load {load})"
                 + (f" — ERROR {result['error'][:300]}" if "error" in result else ""))
        return result

    def say(self, text: str) -> None:
        print(text, flush=True)

    def copy_store(self, source: Path, name: str) -> str:
        target = self.work / name
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"

    # ---- rows -------------------------------------------------------------------------------------------------

    def measure_rows(self) -> None:
        """Measure every row of the issue's table (not the scale runs)."""
        self.measure_import()
        self.measure_cli()
        self.say("KPI table: compute_report against read_inputs")
        self.results["kpi"] = self.measure_kpi(self.copy_store(self.demo_db, "kpi.db"), 3 if self.args.quick else 7)
        self.say(f"pages: each page through app.py, {self.reruns} warm reruns, against its bare page")
        self.results["pages"] = self.measure_pages(self.copy_store(self.demo_db, "pages.db"), self.reruns)
        self.measure_first_visit()
        self.measure_briefing()

    def load_demo_store(self) -> None:
        """Load the demo workbooks once into the run's demo store (what the scale runs copy)."""
        self.demo_db = self.work / "demo.db"
        result = self.job("import_files", files=[str(p) for p in demo_files(self.code)], keep_as=str(self.demo_db))
        if "error" in result or result["accepted"] != result["files"]:
            raise SystemExit(f"the demo data did not load: {result}")

    def measure_import(self) -> None:
        files = demo_files(self.code)
        returns = [str(p) for p in files if p.name.startswith("return_")]
        self.say(f"import: {len(returns)} demo returns (+{len(files) - len(returns)} other demo files), "
                 f"{self.repeats} repeat(s) each of the importer, python-calamine and naive pandas")
        ours, calamine, naive = [], [], []
        self.demo_db = self.work / "demo.db"
        for n in range(self.repeats):
            result = self.job("import_files", files=[str(p) for p in files],
                              keep_as=str(self.demo_db) if n == 0 else None, timed=[Path(r).name for r in returns])
            if "error" in result or result["accepted"] != len(files):
                raise SystemExit(f"the demo data did not load: {result}")
            ours.append(median(result["seconds"].values()))
            calamine.append(median(self.job("calamine_files", files=returns)["seconds"].values()))
            naive.append(median(self.job("naive_files", files=returns)["seconds"].values()))
        self.results["import"] = {"ours": median(ours), "calamine": median(calamine), "naive": median(naive),
                                  "returns": len(returns), "repeats": self.repeats}

        copies = self.args.copies
        small = shifted_returns(self.code / "data" / "demo", 1)
        large = shifted_returns(self.code / "data" / "demo", copies)
        self.say(f"import: {len(large)} returns (the demo returns re-used for {copies}× the years) against "
                 f"{len(small)}, into fresh stores, once each")
        one = self.job("import_files", files=[str(p) for p in small], timeout=3600)
        many = self.job("import_files", files=[str(p) for p in large], timeout=3600)
        self.results["import_many"] = {
            "small_files": len(small), "small_total": sum(one["seconds"].values()), "small_accepted": one["accepted"],
            "large_files": len(large), "large_total": sum(many["seconds"].values()),
            "large_accepted": many["accepted"], "rejected": many.get("rejected")}

    def measure_cli(self) -> None:
        url = f"sqlite:///{self.demo_db}"
        python = sys.executable
        commands = {"report": [python, "-m", "kpi", "report", "--db", url],
                    "help": [python, "-m", "importers", "--help"],
                    "kpi_help": [python, "-m", "kpi", "--help"],
                    "floor": [python, "-c", "import pandas, sqlalchemy"]}
        n = 3 if self.args.quick else 5
        self.say(f"CLI: {n} runs of each command, interleaved")
        timing = {k: [] for k in commands}
        cpu = {k: [] for k in commands}
        wall_time(commands["floor"], self.code)  # warm the file cache once
        for _ in range(n):
            for key, argv in commands.items():
                wall, used = wall_and_cpu_time(argv, self.code)
                timing[key].append(wall)
                cpu[key].append(used)
        self.results["cli"] = {k: median(v) for k, v in timing.items()}
        self.results["cli_cpu"] = {k: median(v) for k, v in cpu.items()}

    def measure_kpi(self, url: str, repeats: int) -> dict:
        return self.job("kpi_table", url=url, repeats=repeats)

    def measure_pages(self, url: str, reruns: int) -> dict:
        return self.job("page_reruns", url=url, repeats=reruns, timeout=3600)

    def measure_first_visit(self) -> None:
        runs = 1 if self.args.quick else 2
        self.say(f"first visit: {runs} fresh process(es), each on a never-used SQLite file")
        values, problems = [], []
        for n in range(runs):
            result = self.job("first_visit", url=f"sqlite:///{self.work / f'first{n}.db'}", timeout=900)
            values.append(result.get("seconds"))
            problems += result.get("problems", []) + ([result["error"]] if "error" in result else [])
        self.results["first_visit"] = {"seconds": median(values), "runs": values, "problems": problems}

    def measure_briefing(self) -> None:
        repeats, pdf = (1, 1) if self.args.quick else (self.repeats, 2)
        self.say(f"briefing: deck ×{repeats}, deck+PDF ×{pdf}, its figures alone before each")
        result = self.job("briefing", url=self.copy_store(self.demo_db, "briefing.db"), repeats=repeats,
                          pdf_repeats=pdf, timeout=1800)
        self.results["briefing"] = result

    def measure_scale(self) -> None:
        scale = {}
        demo = self.code / "data" / "demo"
        for factor in self.args.scale:
            self.say(f"scale {factor}×: generating the store")
            path = self.work / f"scale{factor}.db"
            made = self.job("scaled_store", demo_path=str(self.demo_db), target_path=str(path), factor=factor,
                            timeout=3600)
            if "error" in made:
                scale[factor] = {"error": made["error"]}
                continue
            self.say(f"  {made}")
            kpi = self.measure_kpi(f"sqlite:///{path}", 3 if factor < 20 else 1)
            pages = self.measure_pages(self.copy_store(path, f"scale{factor}-pages.db"), 3)
            new = shifted_returns(demo, 1, first_shift=-10, countries_year=2020)  # 2010: before every scaled store
            loaded = self.job("import_files", files=[str(p) for p in new], start_from=str(path), timeout=3600)
            scale[factor] = {
                "made": made, "kpi_report": median(kpi.get("report", [])), "kpi_reads": median(kpi.get("reads", [])),
                "kpi_rows": kpi.get("rows"),
                "pages": {p: {"warm": median(v["warm"]), "bare": median(v["bare"]), "first": v["first"]}
                          for p, v in pages.items() if isinstance(v, dict) and "warm" in v},
                "pages_error": pages.get("error"),
                "import_per_file": median(loaded.get("seconds", {}).values()),
                "import_accepted": f"{loaded.get('accepted')}/{loaded.get('files')}"}
        self.results["scale"] = scale

    def measure_memory(self) -> None:
        from memory import serve_and_measure
        stores = {"demo": self.demo_db}
        largest = max((f for f in self.results.get("scale", {}) if "error" not in self.results["scale"][f]),
                      default=None)
        if largest is not None:
            stores[f"{largest}×"] = self.work / f"scale{largest}.db"
        memory = {}
        for label, path in stores.items():
            self.say(f"memory: streamlit run app.py on the {label} store, every page opened in Chromium")
            started = time.perf_counter()
            memory[label] = serve_and_measure(self.code, self.copy_store(path, f"serve-{label}.db"),
                                              self.work / f"streamlit-{label}.log")
            self.say(f"  done in {time.perf_counter() - started:.1f} s: {memory[label]}")
        self.results["memory"] = memory

    def draw_chart(self) -> None:
        scale = {f: v for f, v in self.results.get("scale", {}).items() if "error" not in v}
        if len(scale) < 2:
            return
        factors = sorted(scale)
        series = {"KPI table": [(f, scale[f]["kpi_report"]) for f in factors],
                  "engine SQL reads": [(f, scale[f]["kpi_reads"]) for f in factors],
                  "import, per file": [(f, scale[f]["import_per_file"]) for f in factors]}
        for page in scale[factors[0]]["pages"]:
            series[f"page {page}, warm rerun"] = [(f, scale[f]["pages"].get(page, {}).get("warm")) for f in factors]
        label = self.args.label or self.code.name
        self.results["chart"] = self.job("scaling_chart", series=series, out_path=str(Path(self.args.png).resolve()),
                                         title=f"ACCSM KPI dashboard: cost against data size ({label}, "
                                               f"{dt.date.today().isoformat()})")

    # ---- table --------------------------------------------------------------------------------------------------

    def rows(self) -> list[Row]:
        r, rows = self.results, []
        imp = r.get("import")
        if imp:
            rows.append(Row(f"import, {imp['returns']} returns, per file (median)", seconds(imp["ours"]),
                            f"python-calamine reading every sheet: {seconds(imp['calamine'])}",
                            times(imp["ours"] / imp["calamine"]), "≤ 3×", imp["ours"] / imp["calamine"] <= 3))
            rows.append(Row("same, against naive pandas", seconds(imp["ours"]),
                            f"read_excel(openpyxl) + to_sql: {seconds(imp['naive'])}",
                            f"{times(imp['ours'] / imp['naive'])} the naive cost "
                            f"({imp['naive'] / imp['ours']:.2f}× faster)",
                            "≥ 5× faster than naive", imp["naive"] / imp["ours"] >= 5))
        many = r.get("import_many")
        if many:
            small = many["small_total"] / many["small_files"]
            large = many["large_total"] / many["large_files"]
            ok = many["small_accepted"] == many["small_files"] and many["large_accepted"] == many["large_files"]
            rows.append(Row(f"import, {many['large_files']} returns", f"{seconds(many['large_total'])} "
                            f"({seconds(large)}/file)",
                            f"{many['small_files']} returns: {seconds(many['small_total'])} ({seconds(small)}/file)",
                            f"{times(many['large_total'] / many['small_total'])} for "
                            f"{many['large_files'] / many['small_files']:.0f}× the files; {times(large / small)} "
                            "per file", f"linear (per file ≤ {LINEAR_MARGIN}×)",
                            large / small <= LINEAR_MARGIN if ok else None,
                            "" if ok else f"accepted {many['large_accepted']}/{many['large_files']}"))
        cli, cpu = r.get("cli"), r.get("cli_cpu") or {}

        def cpu_note(key):
            return f"CPU (user + sys) {seconds(cpu[key])}, floor's {seconds(cpu['floor'])}" if key in cpu else ""

        if cli:
            rows.append(Row("python -m kpi report (demo store)", seconds(cli["report"]),
                            f"python -c 'import pandas, sqlalchemy': {seconds(cli['floor'])}",
                            times(cli["report"] / cli["floor"]), "≤ 1.1×", cli["report"] / cli["floor"] <= 1.1,
                            cpu_note("report")))
            for key, command in (("help", "importers"), ("kpi_help", "kpi")):
                if key in cli:
                    rows.append(Row(f"python -m {command} --help", seconds(cli[key]),
                                    f"same: {seconds(cli['floor'])}", times(cli[key] / cli["floor"]), "≤ 0.2 s",
                                    cli[key] <= 0.2, cpu_note(key)))
        kpi = r.get("kpi")
        if kpi and "report" in kpi:
            report, reads = median(kpi["report"]), median(kpi["reads"])
            cpu = (f"CPU: {seconds(median(kpi['report_cpu']))} against {seconds(median(kpi['reads_cpu']))}, "
                   f"{times(median(kpi['report_cpu']) / median(kpi['reads_cpu']))}" if kpi.get("report_cpu") else "")
            rows.append(Row(f"KPI table, demo ({kpi['rows']} rows)", seconds(report),
                            f"the engine's own SQL reads: {seconds(reads)}", times(report / reads), "≤ 2×",
                            report / reads <= 2, cpu))
        for page, v in (r.get("pages") or {}).items():
            if not isinstance(v, dict) or "warm" not in v:
                rows.append(Row(f"pages: {page}", "—", "—", "—", "≤ 1.5× and < 150 ms", None, str(v)[:120]))
                continue
            warm, bare = median(v["warm"]), median(v["bare"])
            note = "; ".join(v["problems"])[:120] if v["problems"] else ""
            rows.append(Row(f"page {page}, warm rerun (AppTest)", seconds(warm),
                            f"bare page, {v['bare_figures']} of its {v['figures']} figure(s) and its tables: {seconds(bare)}",
                            times(warm / bare), "≤ 1.5× and < 150 ms", warm / bare <= 1.5 and warm < 0.150, note))
        first = r.get("first_visit")
        if first:
            value = first["seconds"]
            rows.append(Row("first visit, never-used database (AppTest run of app.py)", seconds(value), "—", "—",
                            "< 3 s, with progress shown", None if value is None else value < 3,
                            "progress not checked by the bench" + ("; " + "; ".join(first["problems"])[:100]
                                                                   if first["problems"] else "")))
        b = r.get("briefing")
        if b and "alone" in b:
            alone = median(b["alone"])
            if b["deck"]:
                deck = median(b["deck"])
                rows.append(Row(f"briefing deck ({b['slides']} slides, {b['figures']} figures)", seconds(deck),
                                f"its figures rendered alone: {seconds(alone)}", times(deck / alone), "≤ 1.3×",
                                deck / alone <= 1.3))
            if b["deck_pdf"]:
                deck_pdf = median(b["deck_pdf"])
                rows.append(Row("briefing deck with PDF", seconds(deck_pdf), f"same: {seconds(alone)}",
                                times(deck_pdf / alone), "≤ 2×", deck_pdf / alone <= 2))
            per = alone / b["figures"]
            rows.append(Row("render per figure (warm renderer)", seconds(per), "README says 0.21 s", "—", "≤ 0.2 s",
                            per <= 0.2, f"cold renderer start {seconds(b['cold_start'])}"))
        return rows

    def scale_lines(self) -> list[str]:
        scale = self.results.get("scale") or {}
        if not scale:
            return []
        pages = sorted({p for v in scale.values() for p in v.get("pages", {})})
        header = ["size", "returns (current)", "years", "ARC projects", "evaluations", "generate", "KPI table",
                  "SQL reads", "import/file", *[f"{p} warm" for p in pages]]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for factor, v in sorted(scale.items()):
            if "error" in v:
                lines.append(f"| {factor}× | error: {v['error'][:200]} |")
                continue
            m = v["made"]
            lines.append("| " + " | ".join([
                f"{factor}×", f"{m['returns']} ({m.get('current_returns', m['returns'])})", m["years"],
                f"{m['arc_projects']:,}", f"{m['evaluations']:,}",
                seconds(m["seconds"]), seconds(v["kpi_report"]), seconds(v["kpi_reads"]),
                f"{seconds(v['import_per_file'])} ({v['import_accepted']})",
                *[seconds(v["pages"].get(p, {}).get("warm")) for p in pages]]) + " |")
        return lines

    def memory_lines(self) -> list[str]:
        memory = self.results.get("memory") or {}
        lines = []
        for label, m in memory.items():
            pages = ", ".join(f"{p} {seconds(s)}" for p, s in m.get("pages", {}).items())
            peak = m.get("peak_rss_mib")
            lines.append(f"- {label} store: peak RSS {peak:.0f} MiB" if peak else f"- {label} store: peak RSS —")
            lines[-1] += (f" (idle after start {m.get('idle_rss_mib', 0):.0f} MiB); {m['server']}; page loads: "
                          f"{pages}" + (f"; ERROR {m['error']}" if m.get("error") else ""))
        return lines


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--code", default=str(BENCH_DIR.parent),
                        help="the checkout to measure (default: this one); run in subprocesses with cwd and "
                             "PYTHONPATH set to it")
    parser.add_argument("--quick", action="store_true",
                        help="1 repeat, fewer reruns, 138 instead of 345 returns, scale 1× and 2× only")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the import and briefing rows")
    parser.add_argument("--scale", default=None, help="comma-separated data sizes (default 1,5,20; quick 1,2; "
                                                      "'none' skips the scale runs and the memory of the scaled store)")
    parser.add_argument("--copies", type=int, default=None, help="the N×69 returns row (default 5; quick 2)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs of a real server")
    parser.add_argument("--label", help="name of this checkout in the output (default: its folder name)")
    parser.add_argument("--png", default=str(BENCH_DIR / "scaling.png"), help="where to write the scaling chart")
    parser.add_argument("--json", help="also write every figure as JSON here")
    parser.add_argument("--scale-only", action="store_true",
                        help="only the scale runs, the memory runs and the chart (the demo store is still loaded)")
    args = parser.parse_args(argv)
    scale = args.scale or ("1,2" if args.quick else "1,5,20")
    args.scale = [] if scale == "none" else [int(s) for s in scale.split(",")]
    args.copies = args.copies or (2 if args.quick else 5)
    return args


def main(argv=None) -> int:
    args = parse(argv)
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        print("python-calamine is missing (the floor of the import row): pip install -r bench/requirements.txt",
              file=sys.stderr)
        return 2
    if not args.no_memory:
        try:
            import playwright  # noqa: F401
        except ImportError:
            print("playwright is missing (the memory runs open the app in Chromium): pip install -r "
                  "requirements-test.txt, or pass --no-memory", file=sys.stderr)
            return 2
    bench = Bench(args)
    started = time.perf_counter()
    m = bench.results["machine_start"]
    bench.say(f"measuring {bench.code} on {m['host']}: {m['nproc']} cores, load {m['loadavg']}, {m['date']}; "
              f"scratch and log in {bench.work}")
    try:
        if args.scale_only:
            bench.load_demo_store()
        else:
            bench.measure_rows()
        if args.scale:
            bench.measure_scale()
        if not args.no_memory:
            bench.measure_memory()
        bench.draw_chart()
    finally:
        bench.results["machine_end"] = machine()
        bench.results["seconds"] = time.perf_counter() - started
        if args.json:
            Path(args.json).write_text(json.dumps(bench.results, indent=1, default=str))
        bench.log.close()
    m2 = bench.results["machine_end"]
    print()
    print(f"## {args.label or bench.code}  ({m['date']}, {m['host']}, {m['nproc']} cores, load "
          f"{m['loadavg']} at start, {m2['loadavg']} at end; run took {bench.results['seconds'] / 60:.1f} min"
          f"{', --quick' if args.quick else ''})")
    print()
    if not args.scale_only:
        print(format_table(bench.rows()))
    lines = bench.scale_lines()
    if lines:
        print("\nScale runs (store written through kpi.store; ARC projects and evaluations of the current returns; "
              "import/file = 10 new 2010 returns loaded into that store):\n")
        print("\n".join(lines))
    if bench.results.get("chart"):
        print(f"\nchart: {bench.results['chart']}")
    memory = bench.memory_lines()
    if memory:
        print("\nPeak resident memory of the server (VmHWM of the streamlit process):\n")
        print("\n".join(memory))
    for name in list(bench.work.glob("*.db*")):
        name.unlink()
    print(f"\nlog: {bench.work / 'bench.log'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
