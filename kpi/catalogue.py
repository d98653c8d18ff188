"""The indicator framework of a work plan, declared as data: one entry per KPI."""

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

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with this code; raise KeyError naming the valid codes otherwise."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(f"unknown indicator {code!r}; known: {', '.join(self.codes)}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)


_AREAS_2016_2020 = {
    "A": "Enhancing workforce competencies and standards in the public sector",
    "B": "Building institutional capacities",
    "C": "Strengthening leadership",
    "D": "Strengthening ASEAN Resource Centres",
    "E": "Public sector reform",
}

_PCT_OF_AGENCIES = "100 × {field} / agencies_total per AMS (no data when agencies_total is blank); ASEAN: unweighted mean of the AMS percentages, with the sum of the numbers beside it."

WORK_PLAN_2016_2020 = Framework(
    code="2016-2020",
    title="ACCSM Work Plan 2016-2020",
    start_year=2016,
    end_year=2020,
    baseline_year=2014,
    target_year=2020,
    areas=_AREAS_2016_2020,
    indicators=(
        Indicator("A.1", "A", "Number of AMS with institutionalized competency-based approaches",
                  "AMS", YES_COUNT, ("a1_competency_institutionalised",), "count of yes",
                  "Per AMS the yes/no answer; ASEAN: the number of AMS answering yes, with how many answered."),
        Indicator("A.1.1", "A",
                  "Number/ Percentage of public sector agencies/ organizations implementing institutionalized "
                  "competency-based approaches in each AMS",
                  "%", AGENCY_SHARE, ("a11_agencies_competency", "agencies_total"), "mean",
                  _PCT_OF_AGENCIES.format(field="a11_agencies_competency")),
        Indicator("B.1", "B", "Number of AMS with policies to build and improve institutional capacities",
                  "AMS", YES_COUNT, ("b1_capacity_policies",), "count of yes",
                  "Per AMS the yes/no answer; ASEAN: the number of AMS answering yes, with how many answered."),
        Indicator("B.1.1", "B",
                  "Number/ Percentage of public sector agencies/ organizations implementing policies to build and "
                  "improve institutional capacities in each AMS",
                  "%", AGENCY_SHARE, ("b11_agencies_capacity", "agencies_total"), "mean",
                  _PCT_OF_AGENCIES.format(field="b11_agencies_capacity")),
        Indicator("B.2", "B",
                  "Number of policies implemented to build and improve institutional capacities at national and "
                  "sub-national levels",
                  "policies", LIST_COUNT, ("policies",), "sum",
                  "Per AMS the rows of the Policies sheet (checked against b2_policies_count), split by level; "
                  "ASEAN: the sum."),
        Indicator("C.1", "C",
                  "Number of AMS with institutionalized leadership development programme(s) in the public sector",
                  "AMS", YES_COUNT, ("c1_leadership_institutionalised",), "count of yes",
                  "Per AMS the yes/no answer; ASEAN: the number of AMS answering yes, with how many answered."),
        Indicator("C.1.1", "C",
                  "Percentage of public sector agencies implementing/participating in leadership development "
                  "programme(s) in each AMS",
                  "%", AGENCY_SHARE, ("c11_agencies_leadership", "agencies_total"), "mean",
                  _PCT_OF_AGENCIES.format(field="c11_agencies_leadership")),
        Indicator("C.2", "C",
                  "Number of AMS with institutionalized succession planning policy/ies in the public sector",
                  "AMS", YES_COUNT, ("c2_succession_institutionalised",), "count of yes",
                  "Per AMS the yes/no answer; ASEAN: the number of AMS answering yes, with how many answered."),
        Indicator("C.2.1", "C",
                  "Percentage of public sector agencies implementing in succession planning programme(s) in each AMS",
                  "%", AGENCY_SHARE, ("c21_agencies_succession", "agencies_total"), "mean",
                  _PCT_OF_AGENCIES.format(field="c21_agencies_succession")),
        Indicator("D.1", "D", "Number of enhanced ARCs",
                  "ARCs", YES_COUNT, ("d1_arc_enhanced",), "count of yes",
                  "Per AMS whether its ARC counts as enhanced; ASEAN: the number of enhanced ARCs, with how many "
                  "answered."),
        Indicator("D.1.1", "D",
                  "Percentage of satisfied participants of projects implemented by each ARC [Refer to Annexes 1 and 2]",
                  "%", POOLED_SHARE, ("arc_projects",), "pooled",
                  "100 × Σ satisfied / Σ evaluations over the ARC projects (participant evaluations replace a "
                  "project's counts where loaded); ASEAN pooled over all ARCs' participants."),
        Indicator("D.2", "D", "Number of projects implemented by each ARC",
                  "projects", LIST_COUNT, ("arc_projects",), "sum",
                  "Per AMS the rows of the ARC projects sheet (checked against d2_projects_count); ASEAN: the sum."),
        Indicator("D.2.1", "D", "Number of participants of each project",
                  "participants", PARTICIPANTS, ("arc_projects",), "sum",
                  "Per AMS the sum of participants over its projects (0 when it had no project), with the mean per "
                  "project; ASEAN: the sum and mean per project."),
        Indicator("E.1", "E",
                  "Number of measures to promote effectiveness, efficiency, responsiveness and accountability of "
                  "the bureaucracy in each AMS",
                  "measures", LIST_COUNT, ("reform_measures",), "sum",
                  "Per AMS the rows of the Reform measures sheet (checked against e1_measures_count), split by aim; "
                  "ASEAN: the sum."),
        Indicator("E.2", "E", "Number of AMS with measures promote public engagement in policy-making process",
                  "AMS", YES_COUNT, ("e2_engagement_measures",), "count of yes",
                  "Per AMS the yes/no answer; ASEAN: the number of AMS answering yes, with how many answered."),
        Indicator("E.2.1", "E", "Percentage of policy-making process with public engagement in each AMS",
                  "%", SHARE, ("e21_processes_engaged", "e21_policy_processes"), "mean",
                  "100 × e21_processes_engaged / e21_policy_processes per AMS (no data when there were no "
                  "processes); ASEAN: unweighted mean."),
        Indicator("E.3", "E",
                  "Satisfaction rate of reformed public services in each AMS (based on a third party survey)",
                  "%", REPORTED_PCT, ("e3_satisfaction_pct",), "mean",
                  "The satisfaction rate reported from a third-party survey; ASEAN: unweighted mean."),
    ),
)

FRAMEWORKS = {WORK_PLAN_2016_2020.code: WORK_PLAN_2016_2020}
CURRENT_FRAMEWORK = WORK_PLAN_2016_2020
