"""The indicator frameworks of the work plans: kinds, the Indicator and Framework types, and the loaded files."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of indicator, each computed by one function of kpi.indicators:
YES_COUNT = "yes_count"  # per AMS a yes/no answer; ASEAN counts the yeses
AGENCY_SHARE = "agency_share"  # per AMS agencies implementing / agencies_total; ASEAN mean of shares
LIST_COUNT = "list_count"  # per AMS the rows of a list sheet (with its declared total); ASEAN sum
POOLED_SHARE = "pooled_share"  # per AMS and ASEAN pooled satisfied / evaluations over ARC projects
PARTICIPANTS = "participants"  # per AMS the participants over its ARC projects; ASEAN sum
SHARE = "share"  # per AMS numerator / denominator field; ASEAN mean
REPORTED_PCT = "reported_pct"  # per AMS a percentage reported as such; ASEAN mean

KINDS = (YES_COUNT, AGENCY_SHARE, LIST_COUNT, POOLED_SHARE, PARTICIPANTS, SHARE, REPORTED_PCT)

# Regional values that are counts or sums: a missing AMS makes them a lower bound (progress.md).
COUNT_OR_SUM_KINDS = (YES_COUNT, LIST_COUNT, PARTICIPANTS)
PERCENT_KINDS = (AGENCY_SHARE, POOLED_SHARE, SHARE, REPORTED_PCT)


@dataclass(frozen=True)
class Indicator:
    """One KPI of the work plan and how to compute it."""

    code: str
    area: str
    wording: str  # as printed in the Work Plan's KPI table
    unit: str
    kind: str
    inputs: tuple[str, ...]  # return field codes or list sheet codes, in the order the kind uses them
    aggregation: str  # how the ASEAN value is formed from the AMS values
    definition: str  # the computation in words, for the docs and the Indicator page

    @property
    def is_percent(self) -> bool:
        return self.kind in PERCENT_KINDS

    @property
    def is_count_or_sum(self) -> bool:
        return self.kind in COUNT_OR_SUM_KINDS

    @property
    def is_yes_count(self) -> bool:
        return self.kind == YES_COUNT


@dataclass(frozen=True)
class Framework:
    """A work plan's KPI framework: its period, baseline and target years, and indicators."""

    code: str
    title: str
    start_year: int
    end_year: int
    baseline_year: int
    target_year: int
    areas: dict[str, str]
    indicators: tuple[Indicator, ...]
    status: str = "adopted"  # or "provisional": a framework not yet adopted, marked wherever it is used

    @property
    def is_provisional(self) -> bool:
        return self.status == "provisional"

    def covers(self, year: int) -> bool:
        """Return True when `year` lies in the plan's period."""
        return self.start_year <= year <= self.end_year

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with this code; raise KeyError naming the valid codes otherwise."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(f"unknown indicator {code!r}; known: {', '.join(self.codes)}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)


def _load_frameworks() -> dict[str, Framework]:
    # The frameworks are data (data/frameworks/*.toml); the reader needs the classes above, hence the late import.
    from kpi.frameworks import load_frameworks
    return load_frameworks()


FRAMEWORKS: dict[str, Framework] = _load_frameworks()
WORK_PLAN_2016_2020 = FRAMEWORKS["2016-2020"]
CURRENT_FRAMEWORK = WORK_PLAN_2016_2020
