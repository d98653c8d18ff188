"""Dated membership: which Member States report in a year (ASEAN grew to eleven with Timor-Leste)."""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

from kpi.progress import is_missing

if TYPE_CHECKING:
    import pandas as pd

ASEAN = "ASEAN"  # the regional scope
EVERY_AMS = "AMS"  # the target scope that applies to each AMS without a target of its own
SCOPE_NAMES = (ASEAN, EVERY_AMS)


@dataclass(frozen=True)
class Membership:
    """The AMS in ASEAN's order, each with the first year it reports (None: from the start)."""

    order: tuple[str, ...]
    reports_from: dict[str, int | None]

    @classmethod
    def from_frame(cls, member_states: pd.DataFrame) -> "Membership":
        """Build from the store's member_state rows (iso3, accsm_since)."""
        since = {}
        for row in member_states.itertuples(index=False):
            value = getattr(row, "accsm_since", None)
            since[row.iso3] = None if is_missing(value) else int(value)
        return cls(tuple(member_states["iso3"]), since)

    def members_in(self, year: int) -> list[str]:
        """Return the AMS that report in `year`, in ASEAN's order."""
        return [c for c in self.order if self.reports_from.get(c) is None or self.reports_from[c] <= year]

    def count_in(self, year: int) -> int:
        """Return how many AMS report in `year` (the N of "8 of N AMS")."""
        return len(self.members_in(year))

    def members_in_any(self, years) -> list[str]:
        """Return the AMS that report in at least one of `years`, in ASEAN's order."""
        years = list(years)
        return [c for c in self.order if any(c in self.members_in(y) for y in years)]

    def is_member(self, country: str, year: int) -> bool:
        """Return True when `country` reports in `year`."""
        return country in self.members_in(year)
