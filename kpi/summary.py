"""The year at a glance: the ASEAN statuses counted by colour, and the returns received from the members of the year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kpi.fields import RETURN_KIND
from kpi.progress import ACCELERATION_NEEDED, ACHIEVED, DETERIORATION, LIMITED_PROGRESS, NOT_ACHIEVED, ON_TRACK

GREEN_STATUSES = (ACHIEVED, ON_TRACK)
AMBER_STATUSES = (ACCELERATION_NEEDED,)
RED_STATUSES = (LIMITED_PROGRESS, DETERIORATION, NOT_ACHIEVED)


@dataclass(frozen=True)
class StatusCounts:
    """How many statuses fall in each colour; `red_by_status` splits the red ones (only those that occur)."""

    green: int
    amber: int
    red: int
    not_judged: int
    red_by_status: dict[str, int]

    @property
    def total(self) -> int:
        return self.green + self.amber + self.red + self.not_judged


def count_statuses(statuses: Iterable[str | None]) -> StatusCounts:
    """Return the statuses counted as green (achieved, on track), amber, red and not judged (everything else)."""
    statuses = [s or "" for s in statuses]
    red_by_status = {s: statuses.count(s) for s in RED_STATUSES if s in statuses}
    green = sum(s in GREEN_STATUSES for s in statuses)
    amber = sum(s in AMBER_STATUSES for s in statuses)
    red = sum(red_by_status.values())
    return StatusCounts(green, amber, red, len(statuses) - green - amber - red, red_by_status)


def returns_received(submissions: pd.DataFrame, members: list[str], year: int) -> list[str]:
    """Return the members of `year` (in their order) with a current country return for `year` stored.

    `submissions` has the store's columns kind, status, country, year (kpi.store.read_submissions). A return
    of a country that is not a member in `year` is not counted: the count is "n of the members of the year".
    """
    if not len(submissions):
        return []
    current = submissions[(submissions["kind"] == RETURN_KIND) & (submissions["status"] == "current")
                          & (submissions["year"] == year)]
    sent = set(current["country"])
    return [c for c in members if c in sent]
