"""A seeded store for the export tests and the benchmark: ten AMS, 2014–2019, two AMS missing in 2019, no E.3."""

from __future__ import annotations

import datetime as dt
import hashlib

from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.db import open_store
from tests.known_users import TEST_USERS, add_test_users
from kpi.store import CellValue, ReturnContent, SubmissionInfo

AMS = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
YEARS = tuple(range(2014, 2020))
LATEST_YEAR = 2019
MISSING_IN_LATEST = ("KHM", "MMR")  # 8 of 10 AMS report in 2019: counts become "incomplete data"
NO_DATA_INDICATOR = "E.3"  # nobody reports a satisfaction survey
NO_TARGET_INDICATOR = "E.2.1"
HOSTILE_FOCAL_POINT = '=HYPERLINK("http://evil.example","click")'
LIST_SHEET_NAMES = {"policies": "Policies", "arc_projects": "ARC projects", "reform_measures": "Reform measures"}

TARGETS = [  # indicator, scope, entered baseline, target
    ("A.1", "ASEAN", None, 10.0), ("A.1.1", "ASEAN", None, 50.0), ("A.1.1", "AMS", None, 75.0),
    ("B.1", "ASEAN", None, 10.0), ("B.1.1", "ASEAN", None, 50.0), ("B.2", "ASEAN", None, 80.0),
    ("C.1", "ASEAN", None, 10.0), ("C.1.1", "ASEAN", None, 40.0), ("C.2", "ASEAN", None, 8.0),
    ("C.2.1", "ASEAN", None, 50.0), ("D.1", "ASEAN", None, 10.0), ("D.1.1", "ASEAN", None, 90.0),
    ("D.2", "ASEAN", None, 60.0), ("D.2.1", "ASEAN", None, 2500.0), ("E.1", "ASEAN", None, 70.0),
    ("E.2", "ASEAN", None, 10.0), ("E.3", "ASEAN", None, 85.0),
]


def build_return(country: str, year: int, user: str, is_demo: bool) -> tuple[ReturnContent, SubmissionInfo]:
    """Return one AMS's return for a year with values that grow from 2014 at an AMS-specific pace."""
    n, t = AMS.index(country), year - 2014
    values = {
        "country": country, "year": year,
        "focal_point": HOSTILE_FOCAL_POINT if country == "BRN" else f"Focal point {country}",
        "agencies_total": 50 + 10 * n,
        "a1_competency_institutionalised": "yes" if n + t >= 4 else "no",
        "a11_agencies_competency": min(50 + 10 * n, 10 + 3 * n + (2 + n % 3) * t),
        "b1_capacity_policies": "yes" if n % 2 == 0 or t >= 3 else "no",
        "b11_agencies_capacity": min(50 + 10 * n, 20 + 2 * n + 3 * t),
        "c1_leadership_institutionalised": "yes" if n < 6 or t >= 4 else "no",
        "c11_agencies_leadership": 15 + n + 2 * t,
        "c2_succession_institutionalised": "yes" if n < 3 + t else "no",
        "c21_agencies_succession": 5 + n + t,
        "d1_arc_enhanced": "yes" if n < 5 + t // 2 else "no",
        "arc_theme": f"Theme of {country}",
        "e2_engagement_measures": "yes" if n != 7 else "no",
        "e21_policy_processes": 10 + n,
        "e21_processes_engaged": min(10 + n, 2 + t + n // 2),
    }
    items = {
        "policies": [{"title": f"Policy {k + 1} of {country}", "level": "national" if k % 2 else "sub-national",
                      "year_started": 2010 + k} for k in range(2 + t // 2 + n % 3)],
        "arc_projects": [{"title": f"ARC project {k + 1} of {country} {year}", "start_date": dt.date(year, 3, 1),
                          "end_date": dt.date(year, 3, 5), "participants": 30 + 5 * k + n,
                          "evaluations": 25 + 5 * k, "satisfied": 18 + 5 * k + min(t, 6)}
                         for k in range(1 + t // 3 + n % 2)],
        "reform_measures": [{"title": f"Measure {k + 1} of {country}", "aim": "efficiency", "year_started": 2012}
                            for k in range(3 + t // 2)],
    }
    values["b2_policies_count"] = len(items["policies"])
    values["d2_projects_count"] = len(items["arc_projects"])
    values["e1_measures_count"] = len(items["reform_measures"])
    content = ReturnContent(
        country=country, year=year,
        values={code: CellValue(value, "Return", f"C{row}") for row, (code, value) in enumerate(values.items(), 2)},
        items={code: [{**item, "sheet": LIST_SHEET_NAMES[code], "row": row} for row, item in enumerate(rows, 2)]
               for code, rows in items.items()},
    )
    digest = hashlib.sha256(f"{country}/{year}/{values}".encode()).hexdigest()
    info = SubmissionInfo(kind="return", file_name=f"{country}_{year}.xlsx", sha256=digest, content_digest=digest,
                          template_version="1", user=user, is_demo=is_demo, country=country, year=year)
    return content, info


def build_fixture_store(url: str, is_demo: bool = False, user: str = "fixture", later_years: tuple[int, ...] = ()):
    """Create and fill a store at `url` (marked demo when asked), with returns of the ten AMS in `later_years` too
    (e.g. 2025 and 2026, the years of the next plan); return its engine."""
    engine = open_store(url)
    add_test_users(engine, (*TEST_USERS, user))  # who the tests act as, secretariat users of the store
    with engine.begin() as connection:
        for year in later_years:
            for country in AMS:
                store.store_return(connection, *build_return(country, year, user, is_demo))
        for year in YEARS:
            for country in AMS:
                if year == LATEST_YEAR and country in MISSING_IN_LATEST:
                    continue
                store.store_return(connection, *build_return(country, year, user, is_demo))
        # a corrected BRN 2018 return supersedes the first: the returns workbook keeps both
        content, info = build_return("BRN", 2018, user, is_demo)
        content.values["c11_agencies_leadership"] = CellValue(25, "Return", "C99")
        store.store_return(connection, content, SubmissionInfo(
            **{**info.__dict__, "file_name": "BRN_2018_corrected.xlsx", "sha256": "f" * 64,
               "content_digest": "f" * 64}))
        for indicator, scope, baseline, target in TARGETS:
            store.set_target(connection, CURRENT_FRAMEWORK.code, indicator, scope, baseline, target, None, user,
                             is_demo=is_demo)
    return engine


EDITION_NAME = "22nd ACCSM SOM, 2019"
LONG_STATUS_NOTE = ("Held in Manila with twelve AMS delegations; the report of the workshop goes to the next SOM "
                    "with the secretariat's recommendations on follow-up capacity building")


def revise_after_edition(engine, year: int = LATEST_YEAR, user: str = "fixture", is_demo: bool = True,
                         framework=CURRENT_FRAMEWORK) -> int:
    """Freeze the store as the edition EDITION_NAME, then revise it as a SOM cycle does; return the edition id.

    Every AMS that reported in `year` sends a corrected return (more agencies with competency frameworks), the two
    that did not report send theirs, and the secretariat records work plan statuses: the pack then opens with
    many revisions and lists programmes with a status.
    """
    from kpi import editions, workplan  # the benchmark imports this module without them

    edition_id = editions.freeze_edition(engine, EDITION_NAME, dt.date(year, 10, 15), year, user, framework)
    with engine.begin() as connection:
        for country in AMS:
            content, info = build_return(country, year, user, is_demo)
            revised = content.values["a11_agencies_competency"].value + 3
            content.values["a11_agencies_competency"] = CellValue(revised, "Return", "C99")
            digest = hashlib.sha256(f"revised {country}/{year}".encode()).hexdigest()
            store.store_return(connection, content, SubmissionInfo(
                **{**info.__dict__, "file_name": f"{country}_{year}_revised.xlsx", "sha256": digest,
                   "content_digest": digest}))
        for no, status in ((4, "completed"), (13, "completed"), (21, "ongoing"), (28, "postponed"),
                           (35, "cancelled")):
            workplan.set_status(connection, framework.code, no, status, LONG_STATUS_NOTE if no == 13 else None,
                                "secretariat")
    return edition_id
