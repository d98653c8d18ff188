"""The ASEAN Resource Centres: which theme is in force for an AMS in a year, from dated lists and returns."""

from __future__ import annotations

import pandas as pd

RETURN_SOURCE = "country return"


def _effective_date(row) -> str:
    # A reference list is dated to the day ("2017-05"); a return states the theme for its whole year ("2017"),
    # so it counts as of the end of that year and wins over a list published earlier in the same year.
    as_of = str(row["as_of"])
    return f"{as_of}-12-31" if row["source"] == RETURN_SOURCE and len(as_of) == 4 else as_of


def order_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """Return the themes (iso3, theme, as_of, source) in the order they took effect, oldest first."""
    if not len(themes):
        return themes
    return (themes.assign(_effective=themes.apply(_effective_date, axis=1))
            .sort_values(["iso3", "_effective"], kind="stable").drop(columns="_effective")
            .reset_index(drop=True))


def theme_in_force(themes: pd.DataFrame, country: str, year: int) -> dict | None:
    """Return the theme row in force for `country` in `year` (the latest dated in or before it), or None."""
    own = order_themes(themes[themes["iso3"] == country])
    if not len(own):
        return None
    earlier = own[own["as_of"].astype(str).str[:4].astype(int) <= year]
    return earlier.iloc[-1].to_dict() if len(earlier) else None
