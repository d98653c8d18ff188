"""Slides of the SOM cycle for the briefing pack: work plan status, ARC evaluations, revisions since an edition.

Built with the furniture of kpi.exports.slides and its rules: texts measured before they are placed, tables
split over slides rather than run over the footer, nothing under 12 pt. The pack's footer is added by the
caller (kpi.exports.briefing adds it to every slide of the deck).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pptx import Presentation
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Pt
from sqlalchemy import Connection

from kpi import editions, evaluation_summary, store, workplan
from kpi.catalogue import CURRENT_FRAMEWORK, Framework
from kpi.charts import format_value
from kpi.exports.slides import (CONTENT_BOTTOM, CONTENT_WIDTH, GAP, MARGIN, MUTED, Box, Cell, Column, Para,
                                add_table, content_top, layout_table, new_slide, paginate_rows, para, paras_height,
                                set_body, set_notes)
from kpi.membership import Membership
from kpi.progress import is_missing

LEAD_PT = 14
_STATUS_FILLS = {s: c for s, c in workplan.STATUS_COLOURS.items()}


@dataclass
class CycleInputs:
    """What the cycle slides need from the store for one year."""

    framework: Framework
    year: int
    programmes: pd.DataFrame  # kpi.workplan.read_programmes
    arcs: pd.DataFrame  # kpi.evaluation_summary.arcs_overview
    edition: dict | None  # the latest edition frozen (list_editions row), if any
    changes: editions.Changes | None  # since that edition


def read_cycle_inputs(connection: Connection, year: int, framework: Framework = CURRENT_FRAMEWORK) -> CycleInputs:
    """Return the work plan, the ARC overview of `year` and the revisions since the latest edition."""
    states = store.read_member_states(connection)
    names = dict(zip(states["iso3"], states["name"]))
    members = Membership.from_frame(states).members_in(year)
    arcs = evaluation_summary.arcs_overview(evaluation_summary.read_arc_inputs(connection), members, names, year)
    listed = editions.list_editions(connection)
    listed = listed[listed["plan_code"] == framework.code] if len(listed) else listed
    edition = listed.iloc[0].to_dict() if len(listed) else None
    changes = editions.changes_since(connection, int(edition["id"])) if edition else None
    return CycleInputs(framework, year, workplan.read_programmes(connection, framework.code), arcs, edition, changes)


def add_cycle_slides(deck: Presentation, cycle: CycleInputs) -> int:
    """Add the revisions (when an edition exists), work plan and ARC slides; return how many slides were added."""
    return (add_revisions_slide(deck, cycle) + add_workplan_slide(deck, cycle) + add_arc_slide(deck, cycle))


def add_workplan_slide(deck: Presentation, cycle: CycleInputs) -> int:
    """Add the work plan status slide(s): per priority area, programmes by status; then the programmes whose status
    was recorded, with its note and date. Return the slides added (none for a plan whose work plan the store does
    not hold, such as the provisional 2026-2030 plan: a table of zeros would read as "nothing done")."""
    programmes, framework = cycle.programmes, cycle.framework
    if not len(programmes):
        return 0
    counts = workplan.count_by_area(programmes, framework)
    totals = programmes["status_label"].value_counts()
    summary = ", ".join(f"{int(totals[s])} {s}" for s in workplan.STATUS_LABELS if s in totals)
    lead = [para(f"{len(programmes)} programmes of the Work Plans {framework.code}: {summary}.", LEAD_PT + 1,
                 bold=True),
            para("Per priority area (a programme serving two areas counts in both). Statuses are the "
                 "secretariat's; “not set” means none was recorded, which is not “planned”.", 13, colour=MUTED,
                 space_before=4)]
    columns = [Column("Priority area", wrap=True, grow=True), Column("Programmes"),
               *[Column(s, wrap=True, same_width_as_next=s != workplan.STATUS_LABELS[-1])
                 for s in workplan.STATUS_LABELS]]
    rows = [[Cell(f"{r['area']} {r['title']}"), Cell(str(r["programmes"]), align=PP_ALIGN.RIGHT),
             *[Cell(str(r[s]), align=PP_ALIGN.CENTER) for s in workplan.STATUS_LABELS]]
            for r in counts.to_dict("records")]
    notes = [f"Area {r['area']} {r['title']}: {r['programmes']} programmes; "
             + ", ".join(f"{r[s]} {s}" for s in workplan.STATUS_LABELS if r[s]) + "." for r in counts.to_dict("records")]
    added = add_table_slides(deck, f"Work plan {framework.code}: status by priority area", lead, columns, rows,
                             list(range(len(rows))), notes)
    recorded = programmes[programmes["status_label"] != workplan.NOT_SET]
    if len(recorded):
        columns = [Column("No"), Column("Programme", wrap=True, grow=True), Column("Status", wrap=True),
                   Column("Note", wrap=True), Column("Set on")]
        rows = [[Cell(str(int(r["no"])), align=PP_ALIGN.RIGHT), Cell(str(r["title"])),
                 Cell(r["status_label"], fill=_STATUS_FILLS[r["status_label"]], bold=True),
                 Cell(_text(r.get("status_note")) or "–"), Cell(_text(r.get("status_set_at"))[:10] or "–")]
                for r in recorded.to_dict("records")]
        notes = [f"Programme {int(r['no'])}, {r['title']}: {r['status_label']}"
                 + (f" ({_text(r.get('status_note'))})" if _text(r.get("status_note")) else "") + "."
                 for r in recorded.to_dict("records")]
        lead = [para(f"The {len(recorded)} programme(s) with a recorded status, with the secretariat's note and the "
                     "date the status was set.", 13, colour=MUTED)]
        added += add_table_slides(deck, f"Work plan {framework.code}: programmes with a status", lead, columns, rows,
                                  list(range(len(rows))), notes)
    return added


def add_arc_slide(deck: Presentation, cycle: CycleInputs) -> int:
    """Add the ARC slide(s): per AMS, its ARC's theme in force, projects, participants, D.1.1 and its source."""
    arcs, year = cycle.arcs, cycle.year
    flagged = f"flagged (< {evaluation_summary.MIN_RESPONSES} evaluations)"
    lead = [para(f"ASEAN Resource Centres in {year}: theme in force, projects listed in the returns, participants "
                 "and satisfied participants (D.1.1).", LEAD_PT + 1, bold=True),
            para("D.1.1 source: participant forms (Annexes 1 and 2) where loaded, else the return's counts. "
                 + evaluation_summary.explain_threshold(), 12, colour=MUTED, space_before=4)]
    columns = [Column("AMS", wrap=True), Column("Theme in force", wrap=True, grow=True), Column("Projects"),
               Column("Participants", wrap=True), Column("Satisfied (D.1.1)", wrap=True),
               Column("Source", wrap=True), Column("Few evaluations", wrap=True)]
    rows, notes = [], []
    for r in arcs.to_dict("records"):
        sources = [f"{r['from participant rows']} forms"] if r["from participant rows"] else []
        sources += [f"{r['from summary counts']} counts"] if r["from summary counts"] else []
        satisfied = format_value(r["D.1.1 satisfied %"], "%")
        participants = format_value(r["participants"]) if r["projects listed"] else "–"
        rows.append([Cell(r["AMS"]), Cell(r["theme in force"] or "no theme recorded"),
                     Cell(str(r["projects listed"]), align=PP_ALIGN.RIGHT), Cell(participants, align=PP_ALIGN.RIGHT),
                     Cell(satisfied, align=PP_ALIGN.RIGHT), Cell(", ".join(sources) or "–"),
                     Cell(str(r[flagged]) if r[flagged] else "–", align=PP_ALIGN.CENTER)])
        notes.append(f"{r['AMS']}: theme {r['theme in force'] or 'not recorded'}; {r['projects listed']} project(s), "
                     f"participants {participants}, satisfied {satisfied}"
                     + (f", sources {', '.join(sources)}" if sources else "") + ".")
    return add_table_slides(deck, f"ASEAN Resource Centres {year}: projects and evaluations", lead, columns, rows,
                            list(range(len(rows))), notes)


def add_revisions_slide(deck: Presentation, cycle: CycleInputs) -> int:
    """Add the revisions slide(s): what changed since the latest edition (none when no edition was frozen)."""
    if cycle.edition is None or cycle.changes is None:
        return 0
    edition, changes = cycle.edition, cycle.changes
    units = {i.code: i.unit for i in cycle.framework.indicators}
    title = f"Revised since “{edition['name']}”"
    lead = [para(editions.describe_changes(changes), LEAD_PT + 1, bold=True),
            para(f"Compared with the edition frozen for the SOM of {edition['som_date']} (reporting year "
                 f"{edition['year']}): values revised by later returns, new returns and changed targets.", 13,
                 colour=MUTED, space_before=4)]
    if changes.is_empty:
        slide, top = new_slide(deck, title)
        set_body(slide, lead, Box(MARGIN, top, CONTENT_WIDTH, Pt(paras_height(lead, CONTENT_WIDTH))))
        set_notes(slide, [p.text for p in lead])
        return 1
    columns = [Column("Indicator"), Column("Scope"), Column("Year"), Column("Shown", wrap=True),
               Column("Now", wrap=True), Column("Status (shown → now)", wrap=True), Column("Why", wrap=True, grow=True)]
    rows, notes = [], []
    for r in changes.values.to_dict("records"):
        unit = units.get(r["indicator"], "")
        shown, now = format_value(_none(r["value_before"]), unit), format_value(_none(r["value_after"]), unit)
        before, after = _text(r["status_before"]) or "–", _text(r["status_after"]) or "–"
        status = after if before == after else f"{before} → {after}"
        rows.append([Cell(r["indicator"], bold=True), Cell(r["scope"]), Cell(str(r["year"])),
                     Cell(shown, align=PP_ALIGN.RIGHT), Cell(now, align=PP_ALIGN.RIGHT), Cell(status),
                     Cell(r["why"])])
        notes.append(f"{r['indicator']} {r['scope']} {r['year']}: shown {shown}, now {now}; status {status} "
                     f"({r['why']}).")
    for r in changes.targets.to_dict("records"):
        unit = units.get(r["indicator"], "")
        shown, now = format_value(_none(r["target_before"]), unit), format_value(_none(r["target_after"]), unit)
        rows.append([Cell(r["indicator"], bold=True), Cell(r["scope"]), Cell("target"),
                     Cell(shown, align=PP_ALIGN.RIGHT), Cell(now, align=PP_ALIGN.RIGHT), Cell("–"),
                     Cell(f"target {r['why']}")])
        notes.append(f"Target {r['indicator']} {r['scope']}: shown {shown}, now {now}.")
    for r in changes.returns.to_dict("records"):
        rows.append([Cell(r["kind"]), Cell(_text(r["country"])), Cell(_text(r["year"])), Cell("–"),
                     Cell(_text(r["file_name"])), Cell("–"), Cell(r["why"])])
        notes.append(f"{r['kind']} {r['country']} {r['year']}: {r['file_name']}, {r['why']}.")
    return add_table_slides(deck, title, lead, columns, rows, list(range(len(rows))), notes)


def add_table_slides(deck: Presentation, title: str, lead: list[Para], columns: list[Column],
                     rows: list[list[Cell]], groups: list, notes: list[str]) -> int:
    """Add a table under its lead on as many slides as its rows need (never over the footer); return the count."""
    longest = f"{title} (99 of 99)"
    top = content_top(longest)
    lead_height = paras_height(lead, CONTENT_WIDTH)
    widths, heights = layout_table(columns, rows, Emu(CONTENT_WIDTH).pt)
    room = Emu(CONTENT_BOTTOM - top).pt - lead_height - Emu(GAP).pt - heights[0]
    pages = paginate_rows(heights[1:], groups, room) if rows else [[]]
    for number, page in enumerate(pages):
        suffix = "" if len(pages) == 1 else f" ({number + 1} of {len(pages)})"
        slide, top = new_slide(deck, title + suffix)
        set_body(slide, lead, Box(MARGIN, top, CONTENT_WIDTH, Pt(lead_height)))
        if page:
            add_table(slide, MARGIN, top + Pt(lead_height) + GAP, columns, [rows[i] for i in page], widths,
                      [heights[0], *[heights[i + 1] for i in page]])
        set_notes(slide, [p.text for p in lead] + [notes[i] for i in page])
    return len(pages)


def _text(value) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a year from a column pandas made float
    return str(value)


def _none(value):
    return None if is_missing(value) else value
