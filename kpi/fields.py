"""The fields of every workbook kind, declared once: they drive templates, validation and docs."""

from __future__ import annotations

from dataclasses import dataclass

YES_NO = ("yes", "no")

# Every workbook the software writes names its kind and version in cells A2:B3 of this sheet, so the
# importer tells a return from a targets file, and a data export from anything loadable, without a flag.
IDENTITY_SHEET = "Instructions"
KIND_CODE, VERSION_CODE = "template_kind", "template_version"
EXPORT_KIND = "export"  # tables and stored returns written for reading, never loaded back
# The kinds of workbook that load (what Instructions!B2 says), in the order the software offers them; importers.kinds
# says what is done with each. They are named here because the store selects files by kind and kpi never imports
# importers.
RETURN_KIND, TARGETS_KIND, EVALUATIONS_KIND, WORKPLAN_KIND = "return", "targets", "evaluations", "workplan"
KIND_CODES = (RETURN_KIND, TARGETS_KIND, EVALUATIONS_KIND, WORKPLAN_KIND)
POLICY_LEVELS = ("national", "sub-national")
REFORM_AIMS = ("effectiveness", "efficiency", "responsiveness", "accountability")
# The most characters a text value may have, by what it is; a spreadsheet cell holds at most 32,767.
NAME_LENGTH, EMAIL_LENGTH, TITLE_LENGTH, NOTE_LENGTH = 200, 254, 500, 2000


@dataclass(frozen=True)
class Field:
    """One value a workbook carries: its code, label for people, type, allowed range and (text) maximum length."""

    code: str
    label: str
    type: str  # "iso3", "year", "text", "email", "integer", "number", "percent", "yes_no", "choice", "date", "scope", "indicator"
    unit: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    at_most: str | None = None  # the upper bound is another field of the same return or row
    choices: tuple[str, ...] = ()
    feeds: str = ""  # the indicator(s) this field feeds, for people reading the template
    help: str = ""
    max_length: int | None = None  # most characters a text value may have; every text field read declares one

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number", "percent", "year")


@dataclass(frozen=True)
class ListSheet:
    """A list sheet of the country return: one item per row under a header row of codes."""

    code: str  # stable identifier used in the database: policies, arc_projects, reform_measures
    sheet: str
    columns: tuple[Field, ...]
    declared_total: str  # the single-value field that states how many rows there should be
    feeds: str

    def column(self, code: str) -> Field:
        return next(c for c in self.columns if c.code == code)


RETURN_FIELDS: tuple[Field, ...] = (
    Field("country", "Reporting ASEAN Member State (ISO 3166-1 alpha-3)", "iso3", required=True,
          help="Filled in by the secretariat; do not change."),
    Field("year", "Reporting year", "year", required=True, minimum=2000, maximum=2100,
          help="Filled in by the secretariat; do not change."),
    Field("focal_point", "Focal point who answers for this return", "text", max_length=NAME_LENGTH),
    Field("email", "Focal point's e-mail address", "email", max_length=EMAIL_LENGTH),
    Field("agencies_total", "Number of public sector agencies/organisations covered by this return",
          "integer", unit="agencies", minimum=1,
          feeds="A.1.1, B.1.1, C.1.1, C.2.1 (denominator)"),
    Field("a1_competency_institutionalised",
          "The AMS has institutionalised competency-based approaches", "yes_no", choices=YES_NO, feeds="A.1"),
    Field("a11_agencies_competency",
          "Number of public sector agencies/organisations implementing institutionalised competency-based approaches",
          "integer", unit="agencies", minimum=0, at_most="agencies_total", feeds="A.1.1"),
    Field("b1_capacity_policies",
          "The AMS has policies to build and improve institutional capacities", "yes_no", choices=YES_NO, feeds="B.1"),
    Field("b11_agencies_capacity",
          "Number of public sector agencies/organisations implementing policies to build and improve institutional capacities",
          "integer", unit="agencies", minimum=0, at_most="agencies_total", feeds="B.1.1"),
    Field("c1_leadership_institutionalised",
          "The AMS has institutionalised leadership development programme(s) in the public sector",
          "yes_no", choices=YES_NO, feeds="C.1"),
    Field("c11_agencies_leadership",
          "Number of public sector agencies implementing/participating in leadership development programme(s)",
          "integer", unit="agencies", minimum=0, at_most="agencies_total", feeds="C.1.1"),
    Field("c2_succession_institutionalised",
          "The AMS has institutionalised succession planning policy/ies in the public sector",
          "yes_no", choices=YES_NO, feeds="C.2"),
    Field("c21_agencies_succession",
          "Number of public sector agencies implementing succession planning programme(s)",
          "integer", unit="agencies", minimum=0, at_most="agencies_total", feeds="C.2.1"),
    Field("d1_arc_enhanced", "The AMS's ASEAN Resource Centre (ARC) counts as enhanced in this year",
          "yes_no", choices=YES_NO, feeds="D.1"),
    Field("arc_theme", "Theme of the AMS's ARC in this year", "text", feeds="D", max_length=NOTE_LENGTH),
    Field("e2_engagement_measures",
          "The AMS has measures to promote public engagement in the policy-making process",
          "yes_no", choices=YES_NO, feeds="E.2"),
    Field("e21_policy_processes", "Number of policy-making processes in the year", "integer",
          unit="processes", minimum=0, feeds="E.2.1 (denominator)"),
    Field("e21_processes_engaged", "Of those, policy-making processes with public engagement", "integer",
          unit="processes", minimum=0, at_most="e21_policy_processes", feeds="E.2.1"),
    Field("e3_satisfaction_pct",
          "Satisfaction rate of reformed public services (third-party survey)", "percent",
          unit="%", minimum=0, maximum=100, feeds="E.3"),
    Field("e3_survey", "Name and year of the third-party survey behind the satisfaction rate", "text",
          feeds="E.3", help="Required when a satisfaction rate is given.", max_length=TITLE_LENGTH),
    Field("b2_policies_count", "Declared number of policies (list them on the Policies sheet)", "integer",
          unit="policies", minimum=0, feeds="B.2"),
    Field("d2_projects_count", "Declared number of ARC projects (list them on the ARC projects sheet)",
          "integer", unit="projects", minimum=0, feeds="D.2"),
    Field("e1_measures_count", "Declared number of reform measures (list them on the Reform measures sheet)",
          "integer", unit="measures", minimum=0, feeds="E.1"),
)

LIST_SHEETS: tuple[ListSheet, ...] = (
    ListSheet(
        "policies", "Policies",
        (
            Field("title", "Title of the policy", "text", required=True, max_length=TITLE_LENGTH),
            Field("level", "Level", "choice", required=True, choices=POLICY_LEVELS),
            Field("year_started", "Year the policy started", "year", minimum=1950, maximum=2100),
        ),
        declared_total="b2_policies_count", feeds="B.2",
    ),
    ListSheet(
        "arc_projects", "ARC projects",
        (
            Field("title", "Title of the project", "text", required=True, max_length=TITLE_LENGTH),
            Field("start_date", "Start date", "date"),
            Field("end_date", "End date", "date"),
            Field("participants", "Number of participants", "integer", unit="participants", minimum=0),
            Field("evaluations", "Participants who returned an evaluation", "integer", unit="participants",
                  minimum=0, at_most="participants"),
            Field("satisfied", "Of those, participants satisfied (mean rating 3 or more)", "integer",
                  unit="participants", minimum=0, at_most="evaluations"),
        ),
        declared_total="d2_projects_count", feeds="D.1.1, D.2, D.2.1",
    ),
    ListSheet(
        "reform_measures", "Reform measures",
        (
            Field("title", "Title of the measure", "text", required=True, max_length=TITLE_LENGTH),
            Field("aim", "Aim", "choice", required=True, choices=REFORM_AIMS),
            Field("year_started", "Year the measure started", "year", minimum=1950, maximum=2100),
        ),
        declared_total="e1_measures_count", feeds="E.1",
    ),
)

TARGET_FIELDS: tuple[Field, ...] = (
    Field("indicator", "Indicator code (A.1 … E.3)", "indicator", required=True),
    Field("scope", "ASEAN, an AMS's ISO3 code, or AMS for every Member State", "scope", required=True),
    Field("baseline", "Entered baseline (leave blank to use the value computed from the 2014 returns)", "number"),
    Field("target", "Target for the target year", "number"),
    Field("note", "Note (source, reason for an entered baseline)", "text", max_length=NOTE_LENGTH),
)

# Annex 1 of the Work Plan: 20 items in four groups, each rated 1 (Poor) to 5 (Excellent).
ANNEX1_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Topic/Content", (
        "Achievement of stated objectives",
        "Relevance of the covered topics",
        "Completeness of the covered topics",
        "Appropriateness of the activities",
        "Applicability of the topics in own situation",
    )),
    ("Resource Person", (
        "Expertise Level of the resource person",
        "Presentation and facilitation skills",
        "Helpful and Supportive",
        "Effort to relate topics/activities to participant context",
        "Flexible and Accommodating",
    )),
    ("Materials", (
        "User Friendly; Easy to use",
        "Usefulness of the materials in relation to the intervention",
        "Completeness",
        "Clear; Easy to understand",
        "Applicability in own situation",
    )),
    ("Administration/Coordination", (
        "Pre-event coordination/communication",
        "Environment was conducive and appropriate",
        "Attention to details",
        "Special needs determined and given proper attention",
        "Over-all coordination of all activities",
    )),
)
ANNEX1_ITEMS: tuple[Field, ...] = tuple(
    Field(f"a1_{n:02d}", f"{group}: {item}", "integer", minimum=1, maximum=5)
    for n, (group, item) in enumerate(
        ((g, i) for g, items in ANNEX1_GROUPS for i in items), start=1)
)
SATISFIED_MEAN_RATING = 3  # Annex 1 scale: 3 = "Satisfactory: your expectations have been met"

EVALUATION_FIELDS: tuple[Field, ...] = (
    Field("participant", "Participant number (no names needed)", "text", required=True, max_length=50),
    *ANNEX1_ITEMS,
    Field("a2_overall", "Annex 2: How satisfied are you with the results you achieved? (1-5)", "integer",
          minimum=1, maximum=5),
)

WORKPLAN_STATUSES = ("planned", "ongoing", "completed", "postponed", "cancelled")

# The work plan workbook: the programme columns, as in the reference CSV (see data/README.md); people read them,
# the importer reads `no` and the two status columns.
WORKPLAN_PROGRAMME_FIELDS: tuple[Field, ...] = (
    Field("no", "Programme number in the work plan", "integer", required=True, minimum=1),
    Field("plan", "ACCSM or ACCSM+3 work plan", "text"),
    Field("title", "Title of the programme", "text"),
    Field("objectives", "Objectives (items joined by |)", "text"),
    Field("priority_areas", "ACCSM priority areas A-E", "text"),
    Field("plus3_thematic_areas", "ACCSM+3 thematic areas 1-7", "text"),
    Field("ascc_kras", "ASCC Blueprint key result areas", "text"),
    Field("ascc_measures", "ASCC Blueprint strategic measures", "text"),
    Field("apsc_action_lines", "APSC Blueprint action lines", "text"),
    Field("timeline", "Timeline as printed in the work plan", "text"),
    Field("planned_years", "Years of the plan period the timeline covers", "text"),
    Field("completed_in_plan", "Marked [Completed] in the published work plan", "text"),
    Field("budget", "Budget", "text"),
    Field("coordinators", "Coordinating AMS (ISO3)", "text"),
    Field("partners", "Partners", "text"),
)
WORKPLAN_STATUS_FIELDS: tuple[Field, ...] = (
    Field("status", "Status of the programme", "choice", choices=WORKPLAN_STATUSES,
          help="Blank clears the status."),
    Field("status_note", "Note on the status (what happened, when, why)", "text", max_length=NOTE_LENGTH),
)
WORKPLAN_FIELDS = WORKPLAN_PROGRAMME_FIELDS + WORKPLAN_STATUS_FIELDS

# The identity block of each kind's Instructions sheet (code in A, value in B, from row 4): what the file is for.
PLAN_FIELD = Field("plan", "Work plan (period) the figures or programmes belong to, e.g. 2016-2020", "text",
                   required=True, max_length=NAME_LENGTH)
EVALUATION_IDENTITY_FIELDS: dict[str, Field] = {
    "country": Field("country", "ASEAN Member State whose ARC ran the project (ISO3)", "iso3", required=True),
    "year": Field("year", "Reporting year of the return that lists the project", "year", required=True,
                  minimum=2000, maximum=2100),
    "project": Field("project", "Project title exactly as listed on the ARC projects sheet of the return",
                     "text", required=True, max_length=TITLE_LENGTH),
}
WORKPLAN_IDENTITY_FIELDS: dict[str, Field] = {"plan": PLAN_FIELD}
TARGETS_IDENTITY_FIELDS: dict[str, Field] = {"plan": PLAN_FIELD}
# The identity row a return names its plan in (from return version 2), beside its country and year fields.
RETURN_PLAN_FIELDS: dict[str, Field] = {"plan": PLAN_FIELD}

RETURN_FIELDS_BY_CODE = {f.code: f for f in RETURN_FIELDS}
LIST_SHEETS_BY_CODE = {s.code: s for s in LIST_SHEETS}
