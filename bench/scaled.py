"""Worker job: a store k× the demo data (more years, plan periods, ARC projects, evaluations) via kpi.store."""

from __future__ import annotations

import hashlib
import math
import random
import time
from pathlib import Path

ARC_PROJECTS_PER_X = 250  # 5,000 at 20×
EVALUATIONS_PER_X = 10_000  # 200,000 at 20×
YEARS_IN_DEMO = 7
FIRST_YEAR, LAST_YEAR = 2014, 2100  # the importer refuses years after 2100


def build_scaled_store(demo_path: str, target_path: str, factor: int) -> dict:
    """Write factor copies of the demo store's current returns (copy k moved on 7·k years) into a new store.

    Years stay within the importer's range (up to 2100): a copy that would go past it wraps round to an
    earlier year and supersedes the return there, which the store keeps as history (from 13×: 20× holds
    1,380 returns, 866 of them current, 2014-2100). The current returns' ARC project lists are topped up to
    250·factor projects, which get 10,000·factor participant evaluations in all; the demo targets are
    copied, and copied again under a second plan period.
    """
    from sqlalchemy import insert, select

    from kpi import schema, store
    from kpi.catalogue import CURRENT_FRAMEWORK
    from kpi.db import open_store
    from kpi.fields import ANNEX1_ITEMS, RETURN_FIELDS_BY_CODE
    from kpi.store import CellValue, ReturnContent, SubmissionInfo

    started = time.perf_counter()
    source = open_store(f"sqlite:///{demo_path}")
    with source.connect() as connection:
        values = store.read_current_values(connection)
        items = {code: store.read_current_items(connection, code)
                 for code in ("policies", "arc_projects", "reform_measures")}
        targets = store.read_targets(connection, CURRENT_FRAMEWORK.code)
    source.dispose()
    Path(target_path).unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{target_path}")
    columns = {code: [c for c in frame.columns if c not in ("country", "year", "submission_id", "status", "is_demo",
                                                            "submitted_at", "file_name", "supersedes_id")]
               for code, frame in items.items()}
    keys = sorted({(c, int(y)) for c, y in zip(values["country"], values["year"])})
    span = LAST_YEAR - FIRST_YEAR + 1
    placed = {(k, n): FIRST_YEAR + (year + YEARS_IN_DEMO * k - FIRST_YEAR) % span
              for k in range(factor) for n, (_, year) in enumerate(keys)}
    last_copy = {}
    for (k, n), new_year in placed.items():
        last_copy[(keys[n][0], new_year)] = max(k, last_copy.get((keys[n][0], new_year), -1))
    current = {(k, n) for (k, n), new_year in placed.items() if last_copy[(keys[n][0], new_year)] == k}
    demo_count = items["arc_projects"].groupby(["country", "year"]).size().to_dict()
    demo_projects = sum(demo_count.get(keys[n], 0) for _, n in current)
    extra_per_return = max(0, ARC_PROJECTS_PER_X * factor - demo_projects) / len(current)
    order = {key: i for i, key in enumerate(sorted(current))}
    rng = random.Random(f"bench-{factor}")
    counts = {"returns": 0, "current_returns": len(current), "arc_projects": 0, "evaluations": 0,
              "evaluation_files": 0}
    projects_made: list[tuple[str, int, str]] = []
    with engine.begin() as connection:
        for k in range(factor):
            for n, (country, year) in enumerate(keys):
                new_year = placed[(k, n)]
                is_current = (k, n) in current
                rows = values[(values["country"] == country) & (values["year"] == year)]
                content_values = {}
                for r in rows.itertuples():
                    field = RETURN_FIELDS_BY_CODE.get(r.field_code)
                    value = r.value_text if isinstance(r.value_text, str) else r.value_number
                    if field is not None and field.type in ("integer", "year") and value is not None:
                        value = int(value)
                    if r.field_code == "year":
                        value = new_year
                    content_values[r.field_code] = CellValue(value, r.sheet, r.cell)
                content_items = {}
                for code, frame in items.items():
                    own = frame[(frame["country"] == country) & (frame["year"] == year)]
                    content_items[code] = [{c: _plain(getattr(r, c)) for c in columns[code]}
                                           for r in own.itertuples()]
                projects = content_items["arc_projects"]
                i = order.get((k, n))
                wanted = 0 if i is None else (math.floor(extra_per_return * (i + 1))
                                              - math.floor(extra_per_return * i))
                for _ in range(wanted):
                    template = dict(projects[0]) if projects else {"sheet": "ARC projects", "start_date": None,
                                                                    "end_date": None}
                    projects.append({**template, "title": f"Bench ARC project {len(projects) + 1} of {country} "
                                                          f"{new_year}", "row": len(projects) + 2,
                                     "participants": 30, "evaluations": 28, "satisfied": 21})
                for p in projects:
                    p["title"] = str(p["title"]).replace(str(year), str(new_year))
                if "d2_projects_count" in content_values:
                    old = content_values["d2_projects_count"]
                    content_values["d2_projects_count"] = CellValue(len(projects), old.sheet, old.cell)
                digest = hashlib.sha256(f"bench/{factor}/{k}/{country}/{new_year}".encode()).hexdigest()
                store.store_return(connection, ReturnContent(country=country, year=new_year, values=content_values,
                                                             items=content_items),
                                   SubmissionInfo(kind="return", file_name=f"return_{country}_{new_year}.xlsx",
                                                  sha256=digest, content_digest=digest, template_version="1",
                                                  user="local", is_demo=True, country=country, year=new_year))
                counts["returns"] += 1
                if is_current:
                    counts["arc_projects"] += len(projects)
                    projects_made += [(country, new_year, p["title"]) for p in projects]
        per_project = EVALUATIONS_PER_X * factor / max(1, len(projects_made))
        codes = [item.code for item in ANNEX1_ITEMS]
        for i, (country, year, title) in enumerate(projects_made):
            n = math.floor(per_project * (i + 1)) - math.floor(per_project * i)
            if not n:
                continue
            rows = [{"participant": f"P{j + 1:03d}", **{c: rng.randint(2, 5) for c in codes},
                     "a2_overall": rng.randint(2, 5), "sheet": "Participants", "row": j + 2} for j in range(n)]
            digest = hashlib.sha256(f"bench-eval/{factor}/{i}".encode()).hexdigest()
            store.store_evaluations(connection, rows, SubmissionInfo(
                kind="evaluations", file_name=f"evaluations_{country}_{year}_{i}.xlsx", sha256=digest,
                content_digest=digest, template_version="1", user="local", is_demo=True, country=country,
                year=year, subject=title))
            counts["evaluations"] += n
            counts["evaluation_files"] += 1
        second = "2021-2025"
        if connection.execute(select(schema.plan_period.c.code).where(schema.plan_period.c.code == second)).first() \
                is None:
            connection.execute(insert(schema.plan_period).values(
                code=second, title="Bench: a second plan period", start_year=2021, end_year=2025,
                baseline_year=2020, target_year=2025))
        for plan in (CURRENT_FRAMEWORK.code, second):
            for t in targets.itertuples():
                store.set_target(connection, plan, t.indicator_code, t.scope, _number(t.baseline),
                                 _number(t.target), t.note if isinstance(t.note, str) else None, "local",
                                 is_demo=True)
    engine.dispose()
    counts["years"] = f"{min(placed.values())}-{max(placed.values())}"
    counts["seconds"] = time.perf_counter() - started
    counts["factor"] = factor
    return counts


def _plain(value):
    import pandas as pd
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
