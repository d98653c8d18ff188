"""The Indicator page: choices kept when coming back, the status rules in words, the map, targets "not set",
yes/no answers as a grid, the values table in words."""

from __future__ import annotations

from conftest import assert_clean, figures, shown, texts

from kpi import charts


def _param(at, name):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def _values(at):
    return next(f.value for f in at.dataframe if "scope" in f.value.columns and "progress" in f.value.columns) \
        .set_index("scope")


def _titles(at) -> list[str]:
    return [f["layout"]["title"]["text"] for f in figures(at)]


def test_indicator__keeps_its_choices_when_you_come_back(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="E.3", countries="BRN,KHM")
    assert_clean(at)
    at.switch_page("pages/member_state.py")
    at.query_params.clear()  # the sidebar's link to a page carries no parameters
    at.run()
    assert_clean(at)
    # Streamlit dropped the widgets' own state with the page: what comes back is the kept choice.
    assert "url_indicator" not in at.session_state and "url_countries" not in at.session_state
    at.switch_page("pages/indicator.py")
    at.query_params.clear()
    at.run()
    assert_clean(at)
    assert shown(at.title[0].value).startswith("E.3 ·")
    assert at.selectbox(key="url_indicator").value == "E.3"
    assert at.multiselect(key="url_countries").value == ["BRN", "KHM"]
    assert _param(at, "indicator") == "E.3"  # and back in the link, so it can be shared
    assert _param(at, "countries") == "BRN,KHM"


def test_indicator__a_link_wins_over_the_kept_choice(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="E.3")
    at.switch_page("pages/member_state.py")
    at.query_params.clear()
    at.run()
    at.query_params["indicator"] = "A.1.1"
    at.switch_page("pages/indicator.py").run()
    assert_clean(at)
    assert shown(at.title[0].value).startswith("A.1.1 ·")


def test_indicator__explains_the_status_rules_in_words(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year="2018")
    assert_clean(at)
    assert [e for e in at.expander if "status" in e.label.lower()]
    assert "target" in texts(at).lower()


def test_indicator__draws_the_map_by_status_for_the_year(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year="2018")
    assert_clean(at)
    assert "A.1.1 by Member State, 2018" in [t.split("<br>")[0] for t in _titles(at)]


def test_indicator__ranking_draws_each_ams_target(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year="2018")
    ranking = next(f for f in figures(at) if f["layout"]["title"]["text"] == "A.1.1 by AMS, 2018")
    marks = next(t for t in ranking["data"] if t.get("name") == "target 2020 for every AMS")
    assert {"Brunei Darussalam", "Indonesia"} <= set(marks["y"])


def test_indicator__a_missing_target_reads_not_set(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="E.3", year="2018")
    assert_clean(at)
    values = _values(at)
    assert values.at["BRN", "target"] == "not set"  # E.3 has a target for ASEAN only
    assert values.at["ASEAN", "target"] == "85.0 %"
    at = open_page("pages/indicator.py", indicator="B.1.1", year="2018")
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["ASEAN target 2020"] == "not set"


def test_indicator__own_target_is_marked_own_and_region_target_is_not(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year="2018")
    values = _values(at)
    assert values.at["ASEAN", "target"] == "50.0 %"
    assert values.at["BRN", "target"] == "60.0 %"  # the target set for every AMS


def test_indicator__yes_no_is_a_grid_of_answers_not_a_ranking_of_bars(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1", year="2018")
    assert_clean(at)
    specs = figures(at)
    trend = next(f for f in specs if f["layout"]["title"]["text"].startswith("A.1 trend"))
    grid = next(t for t in trend["data"] if t["type"] == "heatmap")
    assert {"yes", "no data"} <= {word for row in grid["text"] for word in row}
    assert not [t for f in specs for t in f["data"] if t["type"] == "bar"]
    values = _values(at)
    assert values.at["BRN", "value"] == "yes"
    assert values.at["BRN", "target"] == charts.YES_NO_TARGET
    assert values.at["BRN", "status"] == charts.YES_NO_STATUS
    assert values.at["KHM", "status"] == "no data"  # no 2018 return


def test_indicator__a_sum_puts_the_asean_total_on_its_own_panel(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="B.2", year="2018")
    assert_clean(at)
    trend = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("B.2 trend"))
    assert "yaxis2" in trend["layout"]
    assert "panel of its own" in texts(at)


def test_indicator__coverage_counts_the_members_of_the_year(database_url, open_page):
    at = open_page("pages/indicator.py", indicator="A.1.1", year="2018")
    coverage = _values(at).at["ASEAN", "coverage"]
    assert coverage.endswith(" of 10 AMS")
