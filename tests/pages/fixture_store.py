"""A small seeded store for the page tests: three AMS, years 2014, 2017 and 2018, some blanks."""

from __future__ import annotations

import hashlib

from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.db import open_store
from tests.known_users import TEST_USERS, add_test_users
from kpi.store import CellValue, ReturnContent, SubmissionInfo

# (country, year) -> single values; a missing key is a blank (not reported)
RETURNS = {
    ("BRN", 2014): dict(agencies_total=20, a1_competency_institutionalised="yes", a11_agencies_competency=5,
                        b1_capacity_policies="no", e3_satisfaction_pct=70.0, e3_survey="Survey 2014"),
    ("KHM", 2014): dict(agencies_total=40, a1_competency_institutionalised="no", a11_agencies_competency=4,
                        b1_capacity_policies="yes", e3_satisfaction_pct=60.0, e3_survey="Survey 2014"),
    ("IDN", 2014): dict(agencies_total=100, a1_competency_institutionalised="yes", a11_agencies_competency=30,
                        b1_capacity_policies="yes"),
    ("BRN", 2017): dict(agencies_total=20, a1_competency_institutionalised="yes", a11_agencies_competency=9,
                        b1_capacity_policies="yes", e3_satisfaction_pct=75.5, e3_survey="Survey 2017"),
    ("KHM", 2017): dict(agencies_total=40, a1_competency_institutionalised="yes", a11_agencies_competency=8,
                        e3_satisfaction_pct=58.0, e3_survey="Survey 2017"),
    ("BRN", 2018): dict(agencies_total=20, a1_competency_institutionalised="yes", a11_agencies_competency=12,
                        b1_capacity_policies="yes", e3_satisfaction_pct=80.0, e3_survey="Survey 2018"),
    ("IDN", 2018): dict(agencies_total=100, a1_competency_institutionalised="yes", a11_agencies_competency=45,
                        b1_capacity_policies="no"),
}

TARGETS = [  # indicator, scope, baseline, target
    ("A.1.1", "ASEAN", None, 50.0),
    ("A.1.1", "AMS", None, 60.0),
    ("E.3", "ASEAN", None, 85.0),
    ("A.1", "ASEAN", 2.0, 10.0),
]


def build_fixture_store(url: str, user: str = "fixture", is_demo: bool = False):
    """Create and fill a store at `url`; return its engine."""
    engine = open_store(url)
    add_test_users(engine, (*TEST_USERS, user))  # who the tests act as, secretariat users of the store
    with engine.begin() as connection:
        for (country, year), values in RETURNS.items():
            content = ReturnContent(country=country, year=year, values={
                code: CellValue(value, "Return", f"D{row}")
                for row, (code, value) in enumerate({"country": country, "year": year, **values}.items(), start=2)
            })
            digest = hashlib.sha256(f"{country}{year}{values}".encode()).hexdigest()
            store.store_return(connection, content, SubmissionInfo(
                kind="return", file_name=f"{country}_{year}.xlsx", sha256=digest, content_digest=digest,
                template_version="1", user=user, is_demo=is_demo, country=country, year=year))
        for indicator, scope, baseline, target in TARGETS:
            store.set_target(connection, CURRENT_FRAMEWORK.code, indicator, scope, baseline, target, None, user,
                             is_demo=is_demo)
    return engine
