"""The regional overview (AppTest): the year's line, the rules, the map in the URL, what changed, "of N" by year."""

from __future__ import annotations

import re

from conftest import assert_clean, figures, texts
from sqlalchemy import create_engine, text

# The fixture store (fixture_store.py) in 2018: ASEAN A.1.1 achieved and E.3 on track, every other indicator not
# judged (A.1 incomplete data, B.1 no target, the rest no data); returns from BRN and IDN of the ten AMS.
YEAR_LINE = re.compile(r"^2018: .*2 achieved / on track.*0 acceleration needed.*0 red.*15 not judged.*"
                       r"returns received 2 of 10 · data as of \d{4}-\d{2}-\d{2}$")


def _param(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def _year_line(at) -> str:
    return next(line for line in texts(at).splitlines() if "returns received" in line).replace("*", "")


def _table(at, *columns):
    return next(f.value for f in at.dataframe if all(c in f.value.columns for c in columns))


def _map_titles(at) -> list[str]:
    titles = [f["layout"]["title"]["text"].split("<br>")[0] for f in figures(at)]  # kpi.maps: subtitle after <br>
    return [t for t in titles if "by Member State" in t]


def test_overview__the_year_in_one_line_above_the_scorecard(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    assert_clean(at)
    line = _year_line(at)
    assert YEAR_LINE.match(re.sub(r":\w+-badge\[([^\]]*)\]", r"\1", line)), line
    assert ":green-badge[2 achieved / on track]" in line and ":gray-badge[15 not judged]" in line
    # It comes before the first section: above the fold.
    markdown = [m.value for m in at.markdown]
    assert markdown.index(next(m for m in markdown if "returns received" in m)) < markdown.index(
        next(m for m in markdown if "Enhancing workforce" in m))


def test_overview__status_rules_are_explained_in_words(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    rules = [e for e in at.expander if "status" in e.label.lower()]
    assert len(rules) == 1
    assert "on track at 95 % of what is due" in texts(at)


def test_overview__of_n_counts_the_members_of_the_year(database_url, open_page):
    engine = create_engine(database_url)
    with engine.begin() as connection:  # Timor-Leste reports from 2018 in this store
        connection.execute(text("UPDATE member_state SET accsm_since = 2018 WHERE iso3 = 'TLS'"))
    engine.dispose()
    at = open_page("pages/overview.py", year="2018")
    assert_clean(at)
    assert "returns received 2 of 11" in _year_line(at)
    scorecard = _table(at, "code", "coverage", "progress_pct").set_index("code")
    assert scorecard.at["A.1.1", "coverage"] == "2 of 11 AMS"
    assert "Timor-Leste" in texts(at)  # no 2018 return yet from it
    at.selectbox(key="url_year").select(2017).run()
    assert "returns received 2 of 10" in _year_line(at)


def test_overview__map_indicator_defaults_to_the_first_and_lives_in_the_url(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    assert at.selectbox(key="url_indicator").value == "A.1"
    assert _param(at, "indicator") == "A.1"
    assert _map_titles(at) == ["A.1 by Member State, 2018"]
    at.selectbox(key="url_indicator").select("E.3").run()
    assert_clean(at)
    assert _param(at, "indicator") == "E.3"
    assert _map_titles(at) == ["E.3 by Member State, 2018"]


def test_overview__map_indicator_from_the_url_reproduces_the_view(database_url, open_page):
    at = open_page("pages/overview.py", year="2018", indicator="A.1.1")
    assert_clean(at)
    assert _map_titles(at) == ["A.1.1 by Member State, 2018"]


def test_overview__asean_changes_list_every_indicator_with_its_change(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    table = _table(at, "change", "movement").set_index("code")
    assert len(table) == 17
    assert table.at["A.1.1", "change"] == "+20.0 pts"  # 32.5 % in 2017 to 52.5 % in 2018
    assert table.at["E.3", "movement"] == "improved"  # limited progress to on track
    assert table.at["B.1.1", "change"] == "no data"  # never 0


def test_overview__member_states_whose_status_moved(database_url, open_page):
    at = open_page("pages/overview.py", year="2018")
    moved = _table(at, "AMS", "worsened", "improved").set_index("AMS")
    assert moved.to_dict("index") == {
        "Brunei Darussalam": {"worsened": "", "improved": "A.1.1", "other": ""},  # on track to achieved
        "Cambodia": {"worsened": "", "improved": "", "other": "A.1.1 no longer judged"},  # no 2018 return
        "Indonesia": {"worsened": "", "improved": "", "other": "A.1.1 now judged"},  # no 2017 return
    }
    assert not any("movement" in f.value.columns and "AMS" in f.value.columns for f in at.dataframe)
    at.toggle(key="show_ams_changes").set_value(True).run()
    assert_clean(at)
    detail = _table(at, "AMS", "movement")
    assert list(detail["movement"]) == ["improved", "no longer judged", "now judged"]
    assert list(detail["status 2017"]) == ["on track", "limited progress", "no data"]
