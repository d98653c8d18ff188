"""Which work plan a reporting year belongs to: each plan runs from its baseline year to the next plan's."""

from __future__ import annotations

from kpi.catalogue import FRAMEWORKS, Framework


def plan_years(framework: Framework,
               frameworks: dict[str, Framework] = FRAMEWORKS) -> tuple[int | None, int | None]:
    """Return (first, last) reporting year of a plan: from its baseline year to the year before the next plan's
    baseline year. None is open-ended: the first plan also shows earlier years ("before baseline"), the newest
    runs on. Years after a target year stay with the plan until the next one, so "not achieved" keeps showing."""
    earlier = [f for f in frameworks.values() if f.baseline_year < framework.baseline_year]
    later = sorted(f.baseline_year for f in frameworks.values() if f.baseline_year > framework.baseline_year)
    return (framework.baseline_year if earlier else None), (later[0] - 1 if later else None)


def in_plan(framework: Framework, year: int, frameworks: dict[str, Framework] = FRAMEWORKS) -> bool:
    """Return True when `year` is a reporting year of the plan."""
    first, last = plan_years(framework, frameworks)
    return (first is None or first <= year) and (last is None or year <= last)


def plan_for_year(year: int | None, frameworks: dict[str, Framework] = FRAMEWORKS) -> Framework:
    """Return the plan a year belongs to (the newest plan for None or a year after every plan's start)."""
    ordered = sorted(frameworks.values(), key=lambda f: f.baseline_year)
    if year is None:
        return ordered[-1]
    return next(f for f in reversed(ordered) if in_plan(f, year, frameworks))


def plan_members(framework: Framework, membership, frameworks: dict[str, Framework] = FRAMEWORKS) -> list[str]:
    """Return the AMS that are members in at least one reporting year of the plan (its baseline year to its
    last reporting year, or to its target year for the newest plan), in ASEAN's order."""
    first, last = plan_years(framework, frameworks)
    first = framework.baseline_year if first is None else first
    last = max(framework.target_year, first) if last is None else last
    return membership.members_in_any(range(first, last + 1))
