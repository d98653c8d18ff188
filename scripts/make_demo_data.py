"""Write the fictional demo workbooks (ten AMS, 2014-2020) into data/demo/, and with --golden the KPI golden file."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python scripts/make_demo_data.py` from anywhere

from importers import evaluations, templates  # noqa: E402
from importers.demo import DEMO_DIR, compute_demo_report  # noqa: E402
from kpi.fields import ANNEX1_ITEMS, SATISFIED_MEAN_RATING  # noqa: E402

YEARS = range(2014, 2021)
FICTIONAL = "(fictional)"
FOCAL_POINT = "Demo focal point (fictional)"
GOLDEN_REPORT = ROOT / "tests" / "golden" / "demo_kpis.csv"
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # every zip entry and document date, so the bytes repeat run after run
_DOC_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


@dataclass(frozen=True)
class Profile:
    """How one AMS's fictional figures start in 2014 and move each year."""

    agencies: int
    agencies_growth: int  # agencies added per year
    yes_since: dict[str, int]  # yes/no field -> first year answered yes
    shares: dict[str, tuple[float, float]]  # agency count field -> (2014 percentage, points per year)
    processes: int  # e21_policy_processes
    engaged: tuple[float, float]  # percentage of processes with public engagement: 2014, points per year
    satisfaction: tuple[float, float]  # e3_satisfaction_pct: 2014, points per year
    arc_satisfied: tuple[float, float]  # share of evaluating participants satisfied: 2014, change per year
    policies: tuple[int, int]  # policies in force in 2014, new ones per year (at most)
    measures: tuple[int, int]  # reform measures in force in 2014, new ones per year (at most)
    sub_national: bool  # whether some policies are sub-national


def _yes(a1, b1, c1, c2, d1, e2) -> dict[str, int]:
    return {"a1_competency_institutionalised": a1, "b1_capacity_policies": b1,
            "c1_leadership_institutionalised": c1, "c2_succession_institutionalised": c2,
            "d1_arc_enhanced": d1, "e2_engagement_measures": e2}


def _shares(a11, b11, c11, c21) -> dict[str, tuple[float, float]]:
    return {"a11_agencies_competency": a11, "b11_agencies_capacity": b11,
            "c11_agencies_leadership": c11, "c21_agencies_succession": c21}


# Fast movers: VNM and KHM; slow: LAO and MMR; PHL's succession planning (C.2.1) deteriorates.
PROFILES: dict[str, Profile] = {
    "BRN": Profile(45, 0, _yes(2012, 2010, 2013, 2016, 2015, 2014),
                   _shares((40, 5), (55, 4), (50, 4), (20, 4)), 24, (30, 4), (72, 1.5), (0.78, 0.02),
                   (3, 1), (4, 1), False),
    "KHM": Profile(38, 1, _yes(2016, 2014, 2015, 2018, 2017, 2016),
                   _shares((12, 7), (30, 7), (20, 6), (10, 5)), 30, (10, 6), (55, 3), (0.70, 0.03),
                   (2, 2), (3, 2), False),
    "IDN": Profile(620, 10, _yes(2010, 2010, 2012, 2014, 2014, 2013),
                   _shares((35, 4), (45, 4), (40, 3), (25, 3)), 80, (35, 3), (63, 2), (0.80, 0.01),
                   (6, 2), (6, 2), True),
    "LAO": Profile(28, 0, _yes(2019, 2015, 2018, 2021, 2016, 2019),
                   _shares((5, 1.5), (15, 2), (10, 1.5), (0, 1)), 18, (5, 1.5), (58, 1), (0.72, 0.01),
                   (1, 1), (2, 1), False),
    "MYS": Profile(720, 5, _yes(2008, 2009, 2010, 2012, 2013, 2012),
                   _shares((55, 4), (60, 3), (55, 3), (40, 3)), 60, (45, 3), (75, 1), (0.85, 0.01),
                   (5, 1), (7, 2), True),
    "MMR": Profile(36, 1, _yes(2018, 2016, 2017, 2021, 2019, 2020),
                   _shares((8, 2), (20, 2.5), (12, 2), (5, 1.5)), 20, (5, 2), (50, 1.5), (0.65, 0.02),
                   (1, 1), (2, 1), False),
    "PHL": Profile(410, 4, _yes(2011, 2011, 2012, 2013, 2014, 2012),
                   _shares((45, 4), (50, 3), (45, 3), (60, -4)), 70, (40, 3), (68, 1), (0.82, 0.01),
                   (4, 2), (5, 2), True),
    "SGP": Profile(70, 0, _yes(2005, 2005, 2005, 2008, 2010, 2010),
                   _shares((80, 2.5), (85, 2), (85, 2), (70, 2)), 40, (55, 3), (84, 0.5), (0.90, 0.005),
                   (4, 1), (6, 1), False),
    "THA": Profile(320, 3, _yes(2013, 2012, 2011, 2015, 2016, 2014),
                   _shares((50, 3.5), (55, 3), (50, 3), (25, 4)), 55, (30, 4), (70, 1.5), (0.80, 0.015),
                   (4, 2), (5, 2), True),
    "VNM": Profile(92, 2, _yes(2016, 2014, 2015, 2017, 2016, 2015),
                   _shares((15, 9), (25, 8), (20, 8), (10, 7)), 45, (15, 6), (60, 3), (0.70, 0.03),
                   (3, 2), (4, 2), True),
}

MISSING_RETURNS = {("MMR", 2017)}  # no return sent that year
# (country, year) -> fields left blank: not reported
BLANKS: dict[tuple[str, int], tuple[str, ...]] = {
    ("KHM", 2014): ("e3_satisfaction_pct", "e3_survey"),  # no survey in 2014: the targets enter a baseline
    ("LAO", 2014): ("e3_satisfaction_pct", "e3_survey"),
    ("LAO", 2015): ("e3_satisfaction_pct", "e3_survey", "c21_agencies_succession"),
    ("MMR", 2016): ("e21_policy_processes", "e21_processes_engaged"),
    ("VNM", 2018): ("e3_satisfaction_pct", "e3_survey"),
    ("BRN", 2019): ("b11_agencies_capacity",),
    ("THA", 2015): ("arc_theme",),
}
NO_ARC_PROJECTS = {("LAO", 2014)}  # declared 0 projects
TOTAL_WITHOUT_DETAIL = ("IDN", 2015, "policies")  # a declared total with no rows listed: a warning
EVALUATED_PROJECT = ("PHL", 2019, 0)  # (country, year, project index) whose participants' ratings are loaded

# ARC themes by period, from data/arcs.csv: the April 2017 list until 2016, the May 2017 list after.
_THEMES = {
    "BRN": ("Managing Civil Service Competency", "Managing Civil Service Competencies"),
    "KHM": ("Public Service Delivery", "Public Service Delivery"),
    "IDN": ("ASEAN Pool of Experts on Civil Service", "ASEAN Pool of Experts on Civil Service"),
    "LAO": ("Civil Service Performance Appraisal", "Civil Service Performance Appraisal"),
    "MYS": ("Strategic Collaboration through National Blue Ocean Strategy",
            "Innovative Collaboration through National Blue Ocean Strategy"),
    "MMR": ("Training of Trainers (ToT) for Civil Service", "Public Service Motivation"),
    "PHL": ("Examination and Testing", "Assessment and Organization Development"),
    "SGP": ("ASEAN Leaders in Strategic Human Resource Programme", "ASEAN Leaders in Strategic Human Resource "
            "Programme"),
    "THA": ("ASEAN New Wave Leadership Development", "Human Resource Innovation"),
    "VNM": ("Supporting Public Service Reform", "Personnel Management"),
}
_POLICY_TOPICS = ("competency framework", "training and development", "performance management", "e-government",
                  "recruitment and selection", "knowledge management", "integrity and ethics",
                  "organisational development", "rewards and recognition", "digital skills")
_MEASURE_TOPICS = ("one-stop service centres", "service standards", "online services", "citizen charters",
                   "complaints handling", "open data", "process simplification", "asset declaration",
                   "customer surveys", "regulatory review")
_AIMS = ("effectiveness", "efficiency", "responsiveness", "accountability")

# Targets: ASEAN for every indicator, "AMS" (every Member State) for the percentage indicators.
ASEAN_TARGETS = {"A.1": 10, "A.1.1": 70, "B.1": 10, "B.1.1": 75, "B.2": 90, "C.1": 10, "C.1.1": 70, "C.2": 10,
                 "C.2.1": 60, "D.1": 10, "D.1.1": 90, "D.2": 30, "D.2.1": 850, "E.1": 110, "E.2": 10,
                 "E.2.1": 60, "E.3": 80}
EVERY_AMS_TARGETS = {"A.1.1": 60, "B.1.1": 65, "C.1.1": 60, "C.2.1": 50, "D.1.1": 85, "E.2.1": 50, "E.3": 75}
OWN_TARGETS = [("A.1.1", "LAO", None, 30, "Demo: a lower target agreed for Lao PDR (fictional)"),
               ("E.3", "SGP", None, 90, "Demo: a higher target set by Singapore (fictional)"),
               ("C.2.1", "PHL", None, 70, "Demo: Philippines' own target (fictional)"),
               ("E.3", "KHM", 52, None, "Demo: entered baseline from Demo survey 2013 (fictional); "
                                        "no survey in 2014")]


def write_demo_data(out_dir: Path = DEMO_DIR) -> list[Path]:
    """Write every demo workbook into out_dir (replacing the .xlsx files there); return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.xlsx"):
        old.unlink()
    written = []
    returns = {(country, year): build_return(country, year)
               for country in PROFILES for year in YEARS if (country, year) not in MISSING_RETURNS}
    with tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch) / "template.xlsx"
        for (country, year), (values, items) in returns.items():
            templates.write_return_template(template, country, year)
            written.append(_normalised(templates.fill_return(
                template, out_dir / f"return_{country}_{year}.xlsx", values, items)))
        templates.write_targets_template(template)
        written.append(_normalised(templates.fill_targets(template, out_dir / "targets_2016-2020.xlsx",
                                                          build_targets())))
        country, year, index = EVALUATED_PROJECT
        project = returns[country, year][1]["arc_projects"][index]
        evaluations.write_evaluations_template(template, country, year, project["title"])
        written.append(_normalised(evaluations.fill_evaluations(
            template, out_dir / f"evaluations_{country}_{year}.xlsx", build_participants(project))))
    return written


def build_return(country: str, year: int) -> tuple[dict, dict]:
    """Return (single values by field code, list rows by list code) of one fictional return."""
    profile = PROFILES[country]
    rng = random.Random(f"demo-return-{country}-{year}")  # str seeds hash the same in every run
    step = year - 2014
    agencies = profile.agencies + profile.agencies_growth * step
    values: dict[str, object] = {
        "focal_point": FOCAL_POINT, "email": f"focal.point.{country.lower()}@example.org",
        "agencies_total": agencies,
        "arc_theme": _THEMES[country][0 if year <= 2016 else 1],
    }
    for code, since in profile.yes_since.items():
        values[code] = "yes" if year >= since else "no"
    for code, (start, slope) in profile.shares.items():
        since = profile.yes_since[_YES_NO_OF[code]]
        # No agencies implement an approach before it is institutionalised; from then on the share grows.
        values[code] = 0 if year < since else _count(
            agencies, start + slope * (year - max(since, 2014)) + rng.uniform(-1.5, 1.5))
    processes = profile.processes + rng.randint(-3, 3)
    since = profile.yes_since["e2_engagement_measures"]
    values["e21_policy_processes"] = processes
    values["e21_processes_engaged"] = 0 if year < since else _count(
        processes, profile.engaged[0] + profile.engaged[1] * (year - max(since, 2014)) + rng.uniform(-2, 2))
    start, slope = profile.satisfaction
    values["e3_satisfaction_pct"] = round(min(98.0, start + slope * step + rng.uniform(-1.0, 1.0)), 1)
    values["e3_survey"] = f"Demo survey {year} {FICTIONAL}"
    items = {
        "policies": _policies(country, profile, year),
        "arc_projects": _projects(country, profile, year, rng),
        "reform_measures": _measures(country, profile, year),
    }
    values["b2_policies_count"] = len(items["policies"])
    values["d2_projects_count"] = len(items["arc_projects"])
    values["e1_measures_count"] = len(items["reform_measures"])
    if TOTAL_WITHOUT_DETAIL[:2] == (country, year):
        items[TOTAL_WITHOUT_DETAIL[2]] = []
    for code in BLANKS.get((country, year), ()):
        values[code] = None
    return values, items


_YES_NO_OF = {"a11_agencies_competency": "a1_competency_institutionalised",
              "b11_agencies_capacity": "b1_capacity_policies",
              "c11_agencies_leadership": "c1_leadership_institutionalised",
              "c21_agencies_succession": "c2_succession_institutionalised"}


def _count(total: int, percent: float) -> int:
    return max(0, min(total, round(total * percent / 100)))


def _policies(country: str, profile: Profile, year: int) -> list[dict]:
    """The policies in force in `year`: the 2014 ones and those added since (a snapshot, not a flow)."""
    rng = random.Random(f"demo-policies-{country}")
    rows = []
    for started in range(2014, year + 1):
        new = profile.policies[0] if started == 2014 else rng.randint(0, profile.policies[1])
        for _ in range(new):
            n = len(rows) + 1
            level = "sub-national" if profile.sub_national and rng.random() < 0.3 else "national"
            topic = _POLICY_TOPICS[rng.randrange(len(_POLICY_TOPICS))]
            rows.append({"title": f"Demo {country} policy {n} on {topic} {FICTIONAL}", "level": level,
                         "year_started": started if started > 2014 else rng.randint(2005, 2014)})
    return rows


def _measures(country: str, profile: Profile, year: int) -> list[dict]:
    rng = random.Random(f"demo-measures-{country}")
    rows = []
    for started in range(2014, year + 1):
        new = profile.measures[0] if started == 2014 else rng.randint(0, profile.measures[1])
        for _ in range(new):
            n = len(rows) + 1
            topic = _MEASURE_TOPICS[rng.randrange(len(_MEASURE_TOPICS))]
            rows.append({"title": f"Demo {country} reform measure {n}: {topic} {FICTIONAL}",
                         "aim": _AIMS[rng.randrange(len(_AIMS))],
                         "year_started": started if started > 2014 else rng.randint(2008, 2014)})
    return rows


def _projects(country: str, profile: Profile, year: int, rng: random.Random) -> list[dict]:
    if (country, year) in NO_ARC_PROJECTS:
        return []
    theme = _THEMES[country][0 if year <= 2016 else 1]
    rate = min(0.98, profile.arc_satisfied[0] + profile.arc_satisfied[1] * (year - 2014))
    rows = []
    # More projects as the ARCs grow: one or two in 2014, two to four by 2020.
    for n in range(1, 1 + (year - 2014 + rng.randint(0, 4)) // 3 + 1):
        start = dt.date(year, rng.randint(2, 11), rng.randint(1, 25))
        participants = rng.randint(18, 40)
        evaluated = participants - rng.randint(0, 4)
        satisfied = min(evaluated, round(evaluated * (rate + rng.uniform(-0.04, 0.04))))
        rows.append({"title": f"Demo ARC {country} course {year}-{n}: {theme} {FICTIONAL}",
                     "start_date": start, "end_date": start + dt.timedelta(days=rng.randint(2, 4)),
                     "participants": participants, "evaluations": evaluated, "satisfied": satisfied})
    return rows


def build_participants(project: dict) -> list[dict]:
    """Return one row of Annex 1 and Annex 2 ratings per evaluating participant, as many satisfied as the
    project's summary says (satisfied: mean Annex 1 rating of 3 or more)."""
    rng = random.Random(f"demo-evaluations-{project['title']}")
    rows = []
    for n in range(1, project["evaluations"] + 1):
        satisfied = n <= project["satisfied"]
        while True:
            ratings = [rng.choice((3, 4, 4, 5, 5)) if satisfied else rng.choice((1, 2, 2, 3)) for _ in ANNEX1_ITEMS]
            if (sum(ratings) / len(ratings) >= SATISFIED_MEAN_RATING) == satisfied:
                break
        row = {"participant": f"P{n:02d}", **{item.code: r for item, r in zip(ANNEX1_ITEMS, ratings)},
               "a2_overall": rng.choice((4, 5)) if satisfied else rng.choice((2, 3))}
        if n == 3:
            row["a1_17"] = None  # one item left unanswered
        rows.append(row)
    return rows


def build_targets() -> list[dict]:
    """Return the rows of the demo targets workbook."""
    note = f"Demo target {FICTIONAL}"
    rows = [{"indicator": code, "scope": "ASEAN", "target": target, "note": note}
            for code, target in ASEAN_TARGETS.items()]
    rows += [{"indicator": code, "scope": "AMS", "target": target, "note": note}
             for code, target in EVERY_AMS_TARGETS.items()]
    rows += [{"indicator": code, "scope": scope, "baseline": baseline, "target": target, "note": text}
             for code, scope, baseline, target, text in OWN_TARGETS]
    return rows


def _normalised(path: Path) -> Path:
    """Rewrite a saved workbook with fixed zip and document dates: the same content gives the same bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in entries:
            if info.filename == "docProps/core.xml":
                content = _DOC_DATE.sub(rb"\g<1>2020-01-01T00:00:00Z\g<3>", content)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME), content,
                            compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())
    return path


def write_golden(demo_dir: Path = DEMO_DIR, golden: Path = GOLDEN_REPORT) -> Path:
    """Write the KPI report of a fresh database loaded with the demo data; return the path."""
    golden.parent.mkdir(parents=True, exist_ok=True)
    golden.write_text(compute_demo_report(demo_dir), encoding="utf-8", newline="")
    return golden


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/make_demo_data.py", description=__doc__)
    parser.add_argument("-o", "--out", type=Path, default=DEMO_DIR, help=f"folder to write (default {DEMO_DIR})")
    parser.add_argument("--golden", action="store_true",
                        help=f"also write {GOLDEN_REPORT.relative_to(ROOT)} from the files written")
    args = parser.parse_args(argv)
    paths = write_demo_data(args.out)
    print(f"wrote {len(paths)} demo workbooks to {args.out}")
    if args.golden:
        print(f"wrote {write_golden(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
