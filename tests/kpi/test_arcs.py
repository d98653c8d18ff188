"""Which ARC theme is in force: the latest dated in or before the year; a return's theme wins over a list of its year."""

import pandas as pd

from kpi.arcs import order_themes, theme_in_force


def _themes(rows):
    return pd.DataFrame(rows, columns=["iso3", "theme", "as_of", "source"])


THEMES = _themes([
    ("BRN", "Theme listed in May 2017", "2017-05", "ACCSM overview 2017"),
    ("BRN", "Theme stated in the 2017 return", "2017", "country return"),
    ("BRN", "Theme of the 2016 list", "2016-01", "ASEAN Secretariat 2016"),
    ("KHM", "Cambodia's theme", "2015-03", "ASEAN Secretariat 2016"),
])


def test_a_return_for_the_year_wins_over_a_list_dated_in_that_year():
    assert theme_in_force(THEMES, "BRN", 2017)["theme"] == "Theme stated in the 2017 return"


def test_the_latest_earlier_theme_holds_in_later_years():
    assert theme_in_force(THEMES, "BRN", 2019)["theme"] == "Theme stated in the 2017 return"
    assert theme_in_force(THEMES, "BRN", 2016)["theme"] == "Theme of the 2016 list"
    assert theme_in_force(THEMES, "KHM", 2020)["theme"] == "Cambodia's theme"


def test_no_theme_before_the_first_one_or_for_another_country():
    assert theme_in_force(THEMES, "BRN", 2015) is None
    assert theme_in_force(THEMES, "LAO", 2019) is None


def test_history_in_the_order_themes_took_effect():
    assert list(order_themes(THEMES[THEMES.iso3 == "BRN"])["as_of"]) == ["2016-01", "2017-05", "2017"]
