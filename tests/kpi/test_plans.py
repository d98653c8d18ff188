"""Which plan a year belongs to, and the reporting years of each plan."""

import pytest

from kpi.catalogue import FRAMEWORKS
from kpi.plans import in_plan, plan_for_year, plan_years

OLD, NEW = FRAMEWORKS["2016-2020"], FRAMEWORKS["2026-2030"]


def test_plan_years__each_plan_runs_from_its_baseline_to_the_next_plans():
    assert plan_years(OLD) == (None, 2024)  # the first plan also shows years before its baseline
    assert plan_years(NEW) == (2025, None)  # the newest runs on


@pytest.mark.parametrize(("year", "plan"), [(2012, "2016-2020"), (2014, "2016-2020"), (2020, "2016-2020"),
                                            (2024, "2016-2020"), (2025, "2026-2030"), (2026, "2026-2030"),
                                            (2031, "2026-2030"), (None, "2026-2030")])
def test_plan_for_year(year, plan):
    assert plan_for_year(year).code == plan


def test_in_plan__the_2025_baseline_belongs_to_2026_2030_only():
    assert in_plan(NEW, 2025) and not in_plan(OLD, 2025)
