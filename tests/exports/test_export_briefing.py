"""The SOM briefing pack: slides on the master's layouts, texts from the data, honest statuses, pictures, notes."""

from __future__ import annotations

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from kpi import store
from kpi.catalogue import CURRENT_FRAMEWORK
from kpi.engine import compute_report
from kpi.exports.briefing import DEMO_MARKER, BriefingError, build_briefing, describe_indicator
from kpi.exports.messages import compute_key_messages, write_key_messages
from kpi.maps import NO_COLOUR, YES_COLOUR
from kpi.membership import Membership
from kpi.progress import STATUS_COLOURS, explain_status_rules
from tests.exports.fixture_store import AMS, LATEST_YEAR, MISSING_IN_LATEST, NO_DATA_INDICATOR, NO_TARGET_INDICATOR

A11 = CURRENT_FRAMEWORK.indicator("A.1.1")
A1 = CURRENT_FRAMEWORK.indicator("A.1")
FIGURES = len(CURRENT_FRAMEWORK.indicators) + len(AMS) + 1  # a trend per indicator, a profile per AMS, the map
NBSP = "\u00a0"
AMS_NAMES = ["Brunei Darussalam", "Cambodia", "Indonesia", "Lao PDR", "Malaysia", "Myanmar", "Philippines",
             "Singapore", "Thailand", "Viet Nam"]


@pytest.fixture(scope="module")
def demo_pack(demo_engine, tmp_path_factory):
    with demo_engine.connect() as connection:
        result = build_briefing(connection, LATEST_YEAR, tmp_path_factory.mktemp("pack") / "som.pptx")
    return result, Presentation(str(result.pptx_path))


@pytest.fixture(scope="module")
def deck(demo_pack):
    return demo_pack[1]


@pytest.fixture(scope="module")
def plain_deck(plain_engine, tmp_path_factory):
    with plain_engine.connect() as connection:
        result = build_briefing(connection, LATEST_YEAR, tmp_path_factory.mktemp("plain") / "som.pptx")
    return Presentation(str(result.pptx_path))


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts).replace(NBSP, " ")


def deck_text(deck) -> str:
    return "\n".join(slide_text(s) for s in deck.slides)


def title(slide) -> str:
    return slide.shapes.title.text_frame.text


def slides_titled(deck, prefix: str) -> list:
    return [s for s in deck.slides if title(s).startswith(prefix)]


def table_rows(slides) -> list[list]:
    """Return the body rows (cells) of the tables on these slides, header rows left out."""
    return [list(row.cells) for slide in slides for shape in slide.shapes if shape.has_table
            for row in list(shape.table.rows)[1:]]


def text(cell) -> str:
    return cell.text.replace(NBSP, " ")


def fill(cell) -> str:
    return str(cell.fill.fore_color.rgb)


def test_build_briefing__slide_and_figure_counts(demo_pack):
    result, deck = demo_pack
    assert result.slide_count == len(deck.slides)
    assert result.figure_count == FIGURES
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01
    assert {"compute", "figures", "renderer_start", "render", "deck", "total"} <= set(result.timings)


def test_build_briefing__the_order_of_the_slides(deck):
    titles = [title(s) for s in deck.slides]
    first = {prefix: next(i for i, t in enumerate(titles) if t.startswith(prefix))
             for prefix in ("ACCSM KPI briefing", "Key messages", "Scorecard", "Status by AMS and indicator",
                            "A.1.1 by Member State", "A.1 ·", "Brunei Darussalam (BRN)",
                            "Work plan 2016-2020: status by priority area",
                            f"ASEAN Resource Centres {LATEST_YEAR}: projects and evaluations", "Data completeness",
                            "Country returns by AMS and year", "Method")}
    assert list(first.values()) == sorted(first.values()) and first["ACCSM KPI briefing"] == 0


def test_build_briefing__no_revisions_slide_without_an_edition(deck):
    assert not any(title(s).startswith("Revised since") for s in deck.slides)


def test_build_briefing__work_plan_and_arc_slides_say_their_figures(deck):
    work_plan = slides_titled(deck, "Work plan 2016-2020")
    assert len(work_plan) == 1  # no status recorded yet: no list of programmes with a status
    assert "41 programmes of the Work Plans 2016-2020: 41 not set." in slide_text(work_plan[0])
    arc = slides_titled(deck, f"ASEAN Resource Centres {LATEST_YEAR}")
    names = [text(row[0]) for row in table_rows(arc)]
    assert names == AMS_NAMES  # the ten AMS of 2019 (not Timor-Leste), in ASEAN's order
    missing = [row for row in table_rows(arc) if text(row[0]) in ("Cambodia", "Myanmar")]
    assert [text(row[2]) for row in missing] == ["0", "0"]  # no 2019 return: no project listed


def test_build_briefing__every_slide_is_on_a_master_layout_with_its_title_in_the_title_placeholder(deck):
    layouts = {s.slide_layout.name for s in deck.slides}
    assert layouts <= {"Title Slide", "Title and Content"}
    assert all(s.shapes.title.is_placeholder and title(s).strip() for s in deck.slides)


def test_build_briefing__every_indicator_code_and_ams_name_appears(deck, demo_engine):
    text_of_deck = deck_text(deck)
    with demo_engine.connect() as connection:
        states = store.read_member_states(connection)
    members = Membership.from_frame(states).members_in(LATEST_YEAR)
    names = dict(zip(states["iso3"], states["name"]))
    assert all(code in text_of_deck for code in CURRENT_FRAMEWORK.codes)
    assert all(names[iso3] in text_of_deck for iso3 in members)
    later = [names[c] for c in states["iso3"] if c not in members]  # not yet a member in the year: not shown
    assert all(f"{name} (" not in text_of_deck for name in later)


def test_build_briefing__title_slide_names_plan_year_and_as_of(deck):
    text_of_slide = slide_text(deck.slides[0])
    assert CURRENT_FRAMEWORK.title in text_of_slide and f"Reporting year {LATEST_YEAR}" in text_of_slide
    assert "data as of" in text_of_slide and "10 ASEAN Member States" in text_of_slide


def test_build_briefing__demo_marker_on_title_and_every_footer(deck):
    assert DEMO_MARKER in slide_text(deck.slides[0])
    assert all(DEMO_MARKER in slide_text(slide) for slide in deck.slides)


def test_build_briefing__no_demo_marker_without_demo_data(plain_deck):
    assert DEMO_MARKER not in deck_text(plain_deck)


def test_build_briefing__every_slide_has_a_source_footnote_and_a_number(deck):
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        assert "Source: ACCSM country returns" in slide_text(slide)
        assert f"{number} / {total}" in slide_text(slide)


def test_build_briefing__key_messages_are_written_from_the_data(deck, demo_engine):
    with demo_engine.connect() as connection:
        report = compute_report(connection)
        values = store.read_current_values(connection)
        states = store.read_member_states(connection)
    names = dict(zip(states["iso3"], states["name"]))
    messages = compute_key_messages(report[report["year"] <= LATEST_YEAR], CURRENT_FRAMEWORK, LATEST_YEAR,
                                    list(AMS), values)
    written = "\n".join(slide_text(s) for s in slides_titled(deck, "Key messages"))
    for sentence in write_key_messages(messages, CURRENT_FRAMEWORK, names):
        assert sentence in written
    assert f"Returns for {LATEST_YEAR}: 8 of 10 AMS; none from Cambodia and Myanmar." in written


def test_build_briefing__scorecard_holds_every_indicator_whole_with_values_and_status(deck):
    slides = slides_titled(deck, f"Scorecard {LATEST_YEAR}")
    assert len(slides) >= 1
    rows = {text(r[0]): r for r in table_rows(slides)}
    assert list(rows) == list(CURRENT_FRAMEWORK.codes)
    assert all(text(rows[i.code][1]) == i.wording for i in CURRENT_FRAMEWORK.indicators)  # never cut
    assert text(rows[NO_DATA_INDICATOR][7]) == "no data" and text(rows[NO_DATA_INDICATOR][2]) == "no data"
    assert text(rows[NO_TARGET_INDICATOR][7]) == "no target"
    assert text(rows["A.1"][7]) == "incomplete data" and text(rows["A.1"][3]) == "8 of 10 AMS"
    assert text(rows["D.1.1"][7]) == "achieved" and fill(rows["D.1.1"][7]) == "1A7F37"
    assert text(rows["A.1.1"][2]) == "39.6 %"


def test_build_briefing__a_split_scorecard_keeps_each_area_on_one_slide(deck):
    slides = slides_titled(deck, f"Scorecard {LATEST_YEAR}")
    where: dict[str, set[int]] = {}
    for index, slide in enumerate(slides):
        for row in table_rows([slide]):
            where.setdefault(CURRENT_FRAMEWORK.indicator(text(row[0])).area, set()).add(index)
    assert all(len(found) == 1 for found in where.values())


def test_build_briefing__status_matrix_words_in_status_colours_and_answers_neutral(deck):
    slides = slides_titled(deck, f"Status by AMS and indicator, {LATEST_YEAR}")
    rows = table_rows(slides)
    answers = [c for r in rows for c in r[1:] if text(c) in ("yes", "no")]
    assert answers and all(fill(c) == (YES_COLOUR if text(c) == "yes" else NO_COLOUR).lstrip("#").upper()
                           for c in answers)
    judged = [c for r in rows for c in r[1:] if text(c) in STATUS_COLOURS and text(c) not in ("no data",)]
    assert all(fill(c) in {v.lstrip("#").upper() for v in STATUS_COLOURS.values()} | {"D9DCE1"} for c in judged)
    headers = [cell.text for slide in slides for shape in slide.shapes if shape.has_table
               for cell in shape.table.rows[0].cells][1:]
    assert set(CURRENT_FRAMEWORK.codes) <= set(headers)
    asean = [r for r in rows if text(r[0]) == "ASEAN"]
    assert len(asean) == len(slides)


def test_build_briefing__indicator_slides_have_ranking_trend_and_an_honest_summary(deck):
    by_code = {}
    for indicator in CURRENT_FRAMEWORK.indicators:
        slide = next(s for s in deck.slides if title(s).startswith(f"{indicator.code} ·"))
        assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes), indicator.code
        assert any(shape.has_table for shape in slide.shapes), indicator.code
        by_code[indicator.code] = slide_text(slide)
        assert indicator.wording in by_code[indicator.code]
    assert f"ASEAN {LATEST_YEAR}: no data (no AMS reported)." in by_code[NO_DATA_INDICATOR]
    assert "Status: no data." in by_code[NO_DATA_INDICATOR]
    assert "Status: incomplete data – only 8 of 10 AMS reported" in by_code["A.1"]
    assert f"ASEAN {LATEST_YEAR}: 39.6 % (8 of 10 AMS), +15.4 points since 2014." in by_code["A.1.1"]
    assert "Status: acceleration needed" in by_code["A.1.1"]
    assert f"Highest in {LATEST_YEAR}: " in by_code["A.1.1"] and "no data: Cambodia and Myanmar" in by_code["A.1.1"]


def test_build_briefing__indicator_notes_carry_the_figures(deck):
    slide = next(s for s in deck.slides if title(s).startswith("A.1.1 ·"))
    notes = slide.notes_slide.notes_text_frame.text
    assert f"ASEAN {LATEST_YEAR}: 39.6 % (8 of 10 AMS)" in notes and "Cambodia: no data." in notes


def test_build_briefing__ams_slides_list_every_indicator_with_status_and_a_chart(deck):
    slides = [s for s in deck.slides if any(f"({iso3}) · {LATEST_YEAR}" in title(s) for iso3 in AMS)]
    assert len(slides) == len(AMS)
    for iso3, slide in zip(AMS, slides):
        assert f"({iso3})" in title(slide)
        assert [text(r[0]) for r in table_rows([slide])] == list(CURRENT_FRAMEWORK.codes)
        assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)
    cambodia = slides[AMS.index("KHM")]
    assert f"No return for {LATEST_YEAR}" in slide_text(cambodia)
    a1 = next(r for r in table_rows([slides[AMS.index("BRN")]]) if text(r[0]) == "A.1")
    assert text(a1[1]) in ("yes", "no") and text(a1[3]) == "answer (not judged)"
    assert fill(a1[1]) in (YES_COLOUR.lstrip("#").upper(), NO_COLOUR.lstrip("#").upper())


def test_build_briefing__completeness_slides_name_the_missing_ams_and_count_fields(deck):
    slide = slides_titled(deck, f"Data completeness {LATEST_YEAR}")[0]
    text_of_slide = slide_text(slide)
    assert f"Returns for {LATEST_YEAR}: 8 of 10 AMS (missing: Cambodia, Myanmar)." in text_of_slide
    rows = {text(r[0]): [text(c) for c in r] for r in table_rows([slide])}
    assert rows["Cambodia"][1] == "missing" and rows["Cambodia"][3] == "all (no return)"
    assert rows["Brunei Darussalam"][1] == "received" and rows["Brunei Darussalam"][2].endswith(" needed")
    grid = slides_titled(deck, "Country returns by AMS and year")[0]
    header = [c.text for shape in grid.shapes if shape.has_table for c in shape.table.rows[0].cells]
    assert header[1:] == [str(y) for y in range(2014, LATEST_YEAR + 1)]
    assert all(text(r[-1]) == "missing" for r in table_rows([grid])
               if text(r[0]) in ("Cambodia", "Myanmar")) and len(MISSING_IN_LATEST) == 2


@pytest.fixture(scope="module")
def reviewed_deck(tmp_path_factory):
    """A pack of the seeded store after the secretariat confirmed BRN's 2019 return and queried IDN's."""
    from kpi import review
    from tests.exports.fixture_store import build_fixture_store
    engine = build_fixture_store(f"sqlite:///{tmp_path_factory.mktemp('reviewed')}/kpi.db")
    review.apply_review(engine, review.confirm, "BRN", LATEST_YEAR, by="fixture")
    review.apply_review(engine, review.query, "IDN", LATEST_YEAR, "Is agencies_total right?", by="fixture")
    with engine.connect() as connection:
        result = build_briefing(connection, LATEST_YEAR, tmp_path_factory.mktemp("reviewed-pack") / "som.pptx")
    engine.dispose()
    return Presentation(str(result.pptx_path))


def test_build_briefing__completeness_slide_counts_the_review_states(deck, reviewed_deck):
    lead = "Confirmed by the secretariat: 0 of 10; received, not yet confirmed: 8; queried: 0; missing: 2."
    assert lead in slide_text(slides_titled(deck, f"Data completeness {LATEST_YEAR}")[0])
    slide = slides_titled(reviewed_deck, f"Data completeness {LATEST_YEAR}")[0]
    assert ("Confirmed by the secretariat: 1 of 10; received, not yet confirmed: 6; queried: 1; missing: 2."
            in slide_text(slide))
    rows = {text(r[0]): r for r in table_rows([slide])}
    states = {name: text(row[1]) for name, row in rows.items()}
    assert (states["Brunei Darussalam"], states["Indonesia"], states["Cambodia"], states["Lao PDR"]) == (
        "confirmed", "queried", "missing", "received")
    fills = {name: fill(row[1]) for name, row in rows.items()}
    assert len({fills["Brunei Darussalam"], fills["Indonesia"], fills["Lao PDR"], fills["Cambodia"]}) == 4
    notes = slide.notes_slide.notes_text_frame.text
    assert "Brunei Darussalam: return confirmed" in notes and "Indonesia: return queried" in notes


def test_build_briefing__method_slide_says_the_status_rules_of_the_pages(deck):
    text_of_slides = "\n".join(slide_text(s) for s in slides_titled(deck, "Method"))
    for paragraph in explain_status_rules(CURRENT_FRAMEWORK.baseline_year, CURRENT_FRAMEWORK.target_year):
        assert paragraph in text_of_slides
    assert "yes (an answer)" in text_of_slides and "not achieved" in text_of_slides


def test_build_briefing__the_map_slide_has_a_described_map(deck):
    slide = slides_titled(deck, "A.1.1 by Member State")[0]
    picture = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    assert "Map of the ASEAN Member States" in picture._element.nvPicPr.cNvPr.get("descr")


def test_build_briefing__a_year_without_data_is_refused(demo_engine, tmp_path):
    with demo_engine.connect() as connection, pytest.raises(BriefingError, match="no KPI figures for 2030"):
        build_briefing(connection, 2030, tmp_path / "x.pptx")


@pytest.mark.parametrize("row, expected", [
    ({"value": 62.5, "coverage": 8, "change": 12.5, "status": "acceleration needed", "target": 80.0,
      "progress": 0.5}, ("ASEAN 2019: 62.5 % (8 of 10 AMS), +12.5 points since 2014.",
                         "Status: acceleration needed (50 % of the way to the 2020 target 80.0 %).")),
    ({"value": None, "coverage": 0, "status": "no data"}, ("ASEAN 2019: no data (no AMS reported).",
                                                            "Status: no data.")),
    ({"value": 55.0, "coverage": 3, "change": None, "status": "no baseline", "target": 70.0},
     ("ASEAN 2019: 55.0 % (3 of 10 AMS), no 2014 baseline to compare with.",
      "Status: no baseline – no 2014 value from all AMS and none entered, so progress is not judged "
      "(2020 target 70.0 %).")),
    (None, ("ASEAN 2019: no data (no AMS reported).", "Status: no data.")),
])
def test_describe_indicator__percent_cases(row, expected):
    assert describe_indicator(row, A11, 2019, CURRENT_FRAMEWORK) == expected


def test_describe_indicator__an_incomplete_count_is_a_lower_bound():
    row = {"value": 7.0, "coverage": 8, "change": 2.0, "status": "incomplete data", "target": 10.0}
    assert describe_indicator(row, A1, 2019, CURRENT_FRAMEWORK) == (
        "ASEAN 2019: 7 AMS (8 of 10 AMS), +2 AMS since 2014.",
        "Status: incomplete data – only 8 of 10 AMS reported, so the regional count is a lower bound and is not "
        "judged.")
