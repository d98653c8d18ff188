"""The SOM cycle slides (kpi.exports.cycle_slides): work plan status, ARCs, revisions since the latest edition,
laid out by the pack's rules (nothing under 12 pt, nothing over the footer)."""

from __future__ import annotations

import datetime as dt

import pytest
from pptx.util import Emu

from kpi import editions, workplan
from kpi.exports import cycle_slides
from kpi.exports.slides import CONTENT_BOTTOM, MIN_TEXT_PT, SLIDE_WIDTH, new_deck

PLAN = "2016-2020"


@pytest.fixture
def cycle_store(engine, add_return):
    """BRN and KHM 2018 (A.1.1 25 % each) frozen as an edition; then BRN revised to 50 %; three statuses set;
    KHM lists one ARC project with 8 evaluations, 6 satisfied (summary counts, fewer than 20)."""
    project = {"title": "Service Delivery Lab", "participants": 12, "evaluations": 8, "satisfied": 6}
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 5})
        add_return(connection, "KHM", 2018, {"agencies_total": 40, "a11_agencies_competency": 10,
                                             "d2_projects_count": 1}, {"arc_projects": [project]})
    editions.freeze_edition(engine, "22nd ACCSM SOM, 2019", dt.date(2019, 10, 15), 2018, "secretariat")
    with engine.begin() as connection:
        add_return(connection, "BRN", 2018, {"agencies_total": 20, "a11_agencies_competency": 10})
        workplan.set_status(connection, PLAN, 13, "completed", "Held in Manila", "secretariat")
        workplan.set_status(connection, PLAN, 28, "postponed", None, "secretariat")
        workplan.set_status(connection, PLAN, 4, "completed", None, "secretariat")
    with engine.connect() as connection:
        return cycle_slides.read_cycle_inputs(connection, 2018)


def _texts(slide) -> list[str]:
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found += shape.text_frame.text.split("\n")
        if shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


def _sizes(slide) -> list[float]:
    frames = [s.text_frame for s in slide.shapes if s.has_text_frame]
    frames += [c.text_frame for s in slide.shapes if s.has_table for row in s.table.rows for c in row.cells]
    return [run.font.size.pt for f in frames for p in f.paragraphs for run in p.runs if run.text.strip()]


@pytest.fixture
def deck(cycle_store):
    deck = new_deck()
    assert cycle_slides.add_cycle_slides(deck, cycle_store) == len(deck.slides)
    return deck


def test_cycle_slides__revisions_first_then_work_plan_then_arcs(deck):
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    assert titles == ["Revised since “22nd ACCSM SOM, 2019”", "Work plan 2016-2020: status by priority area",
                      "Work plan 2016-2020: programmes with a status",
                      "ASEAN Resource Centres 2018: projects and evaluations"]


def test_revisions_slide__the_revised_values_shown_and_now(deck):
    cells = _texts(deck.slides[0])
    assert "2 value(s) revised; 1 return(s) or evaluation file(s) new or replaced." in cells
    # A.1.1 ASEAN: 25 % shown, (50 + 25) / 2 = 37.5 % now; BRN 25 % -> 50 %.
    assert cells[cells.index("ASEAN"):cells.index("ASEAN") + 4] == ["ASEAN", "2018", "25.0\u00a0%", "37.5\u00a0%"]
    assert cells[cells.index("BRN"):cells.index("BRN") + 4] == ["BRN", "2018", "25.0\u00a0%", "50.0\u00a0%"]
    assert "replaces the one in the edition" in cells


def test_workplan_slides__counts_and_recorded_statuses(deck):
    counts = _texts(deck.slides[1])
    assert "41 programmes of the Work Plans 2016-2020: 2 completed, 1 postponed, 38 not set." in counts
    area_d = counts.index("D Strengthening ASEAN Resource Centres")
    # Area D: programmes 13 (completed) and 28 (postponed): planned, ongoing, completed, postponed, cancelled, not set.
    assert counts[area_d + 1:area_d + 8] == ["2", "0", "0", "1", "1", "0", "0"]
    recorded = _texts(deck.slides[2])
    assert "Held in Manila" in recorded and "postponed" in recorded


def test_arc_slide__theme_in_force_and_the_source_of_d11(deck):
    cells = _texts(deck.slides[3])
    khm = cells.index("Cambodia")
    assert cells[khm:khm + 7] == ["Cambodia", "Public Service Delivery", "1", "12", "75.0\u00a0%", "1 counts", "1"]


def test_cycle_slides__nothing_under_12_pt_nor_over_the_footer_nor_the_edge(deck):
    for slide in deck.slides:
        assert min(_sizes(slide)) >= MIN_TEXT_PT
        for shape in slide.shapes:
            assert shape.top + shape.height <= CONTENT_BOTTOM, (shape.name, Emu(shape.top + shape.height).inches)
            assert shape.left + shape.width <= SLIDE_WIDTH
        assert slide.notes_slide.notes_text_frame.text


def test_revisions_slide__none_without_an_edition(engine):
    with engine.connect() as connection:
        cycle = cycle_slides.read_cycle_inputs(connection, 2018)
    deck = new_deck()
    assert cycle_slides.add_revisions_slide(deck, cycle) == 0 and len(deck.slides) == 0
