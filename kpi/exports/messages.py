"""The briefing pack's words, written from the KPI table: key messages, leaders and laggards, figures in words."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kpi.catalogue import Framework, Indicator
from kpi.charts import format_value
from kpi.completeness import indicator_gaps, return_completeness
from kpi.indicators import ASEAN
from kpi.progress import (
    ACCELERATION_NEEDED, ACHIEVED, DETERIORATION, JUDGED_STATUSES, LIMITED_PROGRESS, NO_DATA, NOT_ACHIEVED,
    ON_TRACK, is_missing,
)

RED_STATUSES = (LIMITED_PROGRESS, DETERIORATION, NOT_ACHIEVED)
MOVERS = 3  # how many of the largest moves a key message names
BEHIND = 3  # how many AMS the "furthest behind" message names


@dataclass(frozen=True)
class Move:
    """How far one indicator's ASEAN value moved from the previous year, as share of its baseline-to-target way."""

    code: str
    previous_value: float
    value: float
    progress_points: float  # change of the share of the distance covered, in percentage points


@dataclass(frozen=True)
class Behind:
    """One AMS's red statuses (limited progress, deterioration, not achieved) against its own targets."""

    country: str
    red: int
    judged: int


@dataclass(frozen=True)
class KeyMessages:
    """What the key-messages slide says, as data: statuses at ASEAN level, moves, who is behind, coverage gaps."""

    year: int
    previous_year: int | None
    target_year: int
    statuses: dict[str, tuple[str, ...]]  # ASEAN status -> indicator codes, framework order
    moves: tuple[Move, ...]  # the largest, largest first
    status_changes: tuple[tuple[str, str, str], ...]  # (code, status before, status now), the telling ones
    furthest_behind: tuple[Behind, ...]
    judged_ams_statuses: int  # how many AMS statuses were judged at all
    members: tuple[str, ...]
    no_return: tuple[str, ...]
    blank_fields: tuple[tuple[str, int, int], ...]  # (country, blank needed fields, needed fields)
    thin_indicators: tuple[tuple[str, int, int], ...]  # (code, AMS with every field, members): blanks only

    @property
    def achieved(self) -> tuple[str, ...]:
        return self.statuses.get(ACHIEVED, ())

    @property
    def missed(self) -> tuple[str, ...]:
        """The indicators judged and not achieved: below target at the end of the plan, or behind the path."""
        return tuple(c for s in (NOT_ACHIEVED, ACCELERATION_NEEDED, LIMITED_PROGRESS, DETERIORATION)
                     for c in self.statuses.get(s, ()))

    @property
    def not_judged(self) -> dict[str, tuple[str, ...]]:
        return {s: codes for s, codes in self.statuses.items() if s not in JUDGED_STATUSES}


# --- computing ----------------------------------------------------------------------------------

def compute_key_messages(report: pd.DataFrame, framework: Framework, year: int, members: list[str],
                         values: pd.DataFrame) -> KeyMessages:
    """Return the key messages for `year` from the KPI table and the store's current values.

    `members` are the AMS of the year (kpi.membership); `values` is kpi.store.read_current_values, from which
    kpi.completeness says which AMS sent no return and which returns leave needed fields blank.
    """
    asean = _rows(report, ASEAN, year)
    statuses: dict[str, list[str]] = {}
    for indicator in framework.indicators:
        status = (asean.get(indicator.code) or {}).get("status") or NO_DATA
        statuses.setdefault(status, []).append(indicator.code)
    earlier = sorted(int(y) for y in set(report["year"]) if int(y) < year) if len(report) else []
    previous_year = earlier[-1] if earlier else None
    moves, changes = (), ()
    if previous_year is not None:
        before = _rows(report, ASEAN, previous_year)
        moves = _largest_moves(framework, before, asean)
        changes = tuple((i.code, _status(before, i.code), _status(asean, i.code)) for i in framework.indicators
                        if _telling_change(_status(before, i.code), _status(asean, i.code), year, framework))
    behind, judged_total = _furthest_behind(report, framework, year, members)
    completeness = return_completeness(values, framework, members, [year])
    no_return = tuple(completeness.loc[~completeness["has_return"], "country"])
    with_blanks = completeness[completeness["has_return"] & (completeness["filled"] < completeness["needed"])]
    blanks = tuple((r.country, int(r.needed - r.filled), int(r.needed)) for r in with_blanks.itertuples())
    gaps = indicator_gaps(values, framework, members, year)
    # A missing return already has its sentence: list the indicators that blank fields leave short.
    thin = tuple((r.indicator, int(r.reported), int(r.of)) for r in gaps.itertuples() if r.missing_blank)
    return KeyMessages(year=year, previous_year=previous_year, target_year=framework.target_year,
                       statuses={s: tuple(c) for s, c in statuses.items()}, moves=moves, status_changes=changes,
                       furthest_behind=behind, judged_ams_statuses=judged_total, members=tuple(members),
                       no_return=no_return, blank_fields=blanks, thin_indicators=thin)


def _largest_moves(framework: Framework, before: dict, now: dict) -> tuple[Move, ...]:
    moves = []
    for indicator in framework.indicators:
        old, new = before.get(indicator.code) or {}, now.get(indicator.code) or {}
        old_progress, new_progress = _present(old.get("progress")), _present(new.get("progress"))
        old_value, new_value = _present(old.get("value")), _present(new.get("value"))
        # The share of the baseline-to-target distance is unit-free, so moves of a percentage and of a count
        # compare; an indicator without it (no target, no baseline) is not ranked.
        if None in (old_progress, new_progress, old_value, new_value):
            continue
        points = 100 * (float(new_progress) - float(old_progress))
        if abs(points) >= 0.5:
            moves.append(Move(indicator.code, float(old_value), float(new_value), points))
    moves.sort(key=lambda m: -abs(m.progress_points))
    return tuple(moves[:MOVERS])


def _telling_change(before: str, now: str, year: int, framework: Framework) -> bool:
    """Return True for a status change worth a key message: into or out of achieved, or into red before the
    target year (from the target year on, every value below its target reads not achieved by rule)."""
    if before == now or now not in JUDGED_STATUSES or before not in JUDGED_STATUSES:
        return False
    if (before == ACHIEVED) != (now == ACHIEVED):
        return True
    return year < framework.target_year and now in RED_STATUSES and before not in RED_STATUSES


def _furthest_behind(report: pd.DataFrame, framework: Framework, year: int,
                     members: list[str]) -> tuple[tuple[Behind, ...], int]:
    rows = report[(report["year"] == year) & (report["scope"].isin(members))]
    codes = set(framework.codes)
    counted = []
    judged_total = 0
    for country in members:
        own = rows[(rows["scope"] == country) & (rows["indicator"].isin(codes))]
        statuses = [s for s in own["status"] if isinstance(s, str)]
        judged = sum(s in JUDGED_STATUSES for s in statuses)
        judged_total += judged
        red = sum(s in RED_STATUSES for s in statuses)
        if red:
            counted.append(Behind(country, red, judged))
    counted.sort(key=lambda b: (-b.red, -(b.red / b.judged), members.index(b.country)))
    return tuple(counted[:BEHIND]), judged_total


# --- writing ------------------------------------------------------------------------------------

def write_key_messages(messages: KeyMessages, framework: Framework, names: dict[str, str]) -> list[str]:
    """Return the key messages as sentences, one bullet each: achieved, missed, not judged, moves, behind, gaps."""
    year, total = messages.year, len(framework.indicators)
    sentences = []
    achieved = messages.achieved
    if achieved:
        sentences.append(f"Achieved at ASEAN level in {year}: {len(achieved)} of {total} indicators "
                         f"({_codes(achieved)}).")
    else:
        sentences.append(f"No indicator has reached its {messages.target_year} target at ASEAN level in {year}.")
    if year >= messages.target_year:
        missed = messages.statuses.get(NOT_ACHIEVED, ())
        if missed:
            sentences.append(f"Not achieved by {messages.target_year}: {len(missed)} of {total} indicators "
                             f"({_codes(missed)}).")
    else:
        groups = [(label, messages.statuses.get(status, ())) for label, status in
                  (("on track", ON_TRACK), ("acceleration needed", ACCELERATION_NEEDED),
                   ("limited progress", LIMITED_PROGRESS), ("deterioration", DETERIORATION))]
        parts = [f"{label} {len(codes)} ({_codes(codes)})" for label, codes in groups if codes]
        if parts:
            sentences.append(f"Against the path to the {messages.target_year} targets: {'; '.join(parts)}.")
    not_judged = messages.not_judged
    if not_judged:
        count = sum(len(c) for c in not_judged.values())
        parts = [f"{status}: {_codes(codes)}" for status, codes in not_judged.items()]
        sentences.append(f"Not judged: {count} of {total} indicators ({'; '.join(parts)}).")
    sentences.append(_moves_sentence(messages, framework))
    sentences.append(_behind_sentence(messages, names))
    sentences.extend(_coverage_sentences(messages, names))
    return sentences


def _moves_sentence(messages: KeyMessages, framework: Framework) -> str:
    if messages.previous_year is None:
        return f"No earlier year to compare {messages.year} with."
    since = messages.previous_year
    text = (f"No indicator moved by half a point or more of its way to target since {since}." if not messages.moves
            else f"Largest moves since {since}, in points of the way from baseline to target: " + "; ".join(
                f"{m.code} {m.progress_points:+.0f} points "
                f"({format_amount(m.previous_value, framework.indicator(m.code))} → "
                f"{format_amount(m.value, framework.indicator(m.code))})" for m in messages.moves) + ".")
    changes = messages.status_changes
    for label, codes in (("Newly achieved", [c for c, _, now in changes if now == ACHIEVED]),
                         ("No longer achieved", [c for c, old, _ in changes if old == ACHIEVED]),
                         ("Into red", [c for c, old, now in changes if old != ACHIEVED and now != ACHIEVED])):
        if codes:
            text += f" {label} since {since}: {_codes(codes)}."
    return text


def _behind_sentence(messages: KeyMessages, names: dict[str, str]) -> str:
    if not messages.judged_ams_statuses:
        return "No AMS figure is judged against an AMS target, so no AMS can be named as behind."
    if not messages.furthest_behind:
        return ("No AMS has an indicator in red (limited progress, deterioration or not achieved) against its own "
                "targets.")
    parts = [f"{names.get(b.country, b.country)} ({b.red} of {b.judged} judged indicators)"
             for b in messages.furthest_behind]
    return ("Furthest behind, by indicators in red (limited progress, deterioration or not achieved) against "
            f"their own targets: {join_words(parts)}.")


def _coverage_sentences(messages: KeyMessages, names: dict[str, str]) -> list[str]:
    members = len(messages.members)
    received = members - len(messages.no_return)
    text = f"Returns for {messages.year}: {received} of {members} AMS"
    text += (f"; none from {join_words([names.get(c, c) for c in messages.no_return])}." if messages.no_return
             else " (all received).")
    if messages.blank_fields:
        text += " Needed fields left blank: " + join_words(
            [f"{names.get(c, c)} ({blank} of {needed})" for c, blank, needed in messages.blank_fields]) + "."
    sentences = [text]
    if messages.thin_indicators:
        sentences.append("Indicators short of an AMS's figure because of blank fields: " + "; ".join(
            f"{code} ({reported} of {of} AMS)" for code, reported, of in messages.thin_indicators) + ".")
    return sentences


# --- one indicator ------------------------------------------------------------------------------

def rank_members(report: pd.DataFrame, indicator: Indicator, year: int, members: list[str]) -> list[dict]:
    """Return the AMS of the year for one indicator, best first: scope, value, target, status (None if none).

    Values rank from highest (every KPI of the plan counts more as better); yes answers come before no
    answers; AMS without a value come last, in ASEAN's order.
    """
    rows = _rows(report, None, year, indicator.code)
    ranked = []
    for country in members:
        row = rows.get(country) or {}
        ranked.append({"scope": country, "value": _present(row.get("value")), "target": _present(row.get("target")),
                       "status": row.get("status") or None})
    order = {c: i for i, c in enumerate(members)}
    return sorted(ranked, key=lambda r: (r["value"] is None, -(r["value"] or 0), order[r["scope"]]))


def describe_leaders(report: pd.DataFrame, indicator: Indicator, year: int, members: list[str],
                     names: dict[str, str]) -> str:
    """Return one sentence naming the leading and the lagging AMS on an indicator in `year` (and who sent nothing).

    E.g. "Highest in 2019: Singapore (95.0 %) and Malaysia (80.0 %); lowest: Lao PDR (12.0 %) and Myanmar
    (10.0 %); no data: Cambodia."
    """
    ranked = rank_members(report, indicator, year, members)
    with_value = [r for r in ranked if r["value"] is not None]
    missing = [names.get(r["scope"], r["scope"]) for r in ranked if r["value"] is None]
    no_data = f"; no data: {join_words(missing)}" if missing else ""
    if not with_value:
        return f"No AMS has a figure for {year}."
    if indicator.is_yes_count:
        yes = [names.get(r["scope"], r["scope"]) for r in with_value if r["value"] == 1]
        no = [names.get(r["scope"], r["scope"]) for r in with_value if r["value"] != 1]
        if not no:
            return f"In {year} every AMS that answered says yes ({len(yes)} AMS){no_data}."
        if not yes:
            return f"In {year} no AMS says yes; no: {join_words(no)}{no_data}."
        return f"Yes in {year}: {len(yes)} AMS; no: {join_words(no)}{no_data}."

    def named(rows: list[dict]) -> str:
        return join_words([f"{names.get(r['scope'], r['scope'])} ({format_amount(r['value'], indicator)})"
                           for r in rows])
    if len(with_value) <= 2:
        return f"Only {named(with_value)} reported for {year}{no_data}."
    count = 2 if len(with_value) >= 4 else 1
    sentence = f"Highest in {year}: {named(with_value[:count])}; lowest: {named(with_value[-count:])}"
    with_target = [r for r in with_value if r["target"] is not None]
    if with_target:
        reached = sum(r["value"] >= r["target"] for r in with_target)
        sentence += f"; {reached} of {len(with_target)} AMS with a target have reached it"
    return sentence + no_data + "."


# --- formatting ---------------------------------------------------------------------------------

def format_amount(value, indicator: Indicator, blank: str = NO_DATA) -> str:
    """Return a value with its unit ("54.9 %", "32 policies"), or `blank` for no value."""
    value = _present(value)
    if value is None:
        return blank
    shown = format_value(value, indicator.unit)
    return shown if indicator.is_percent else f"{shown} {indicator.unit}"


def format_change(change: float, indicator: Indicator) -> str:
    """Return a signed change with its unit ("+12.5 points", "+2 AMS")."""
    if indicator.is_percent:
        return f"{change:+.1f} points"
    shown = f"{change:+,.0f}" if float(change).is_integer() else f"{change:+,.1f}"
    return f"{shown} {indicator.unit}"


def join_words(items: list[str]) -> str:
    """Return "a", "a and b" or "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _codes(codes) -> str:
    return ", ".join(codes)


def _status(rows: dict, code: str) -> str:
    return (rows.get(code) or {}).get("status") or NO_DATA


def _rows(report: pd.DataFrame, scope: str | None, year: int, code: str | None = None) -> dict[str, dict]:
    """Return {indicator code: row} for one scope and year, or {scope: row} for one indicator and year."""
    if not len(report):
        return {}
    selected = report[report["year"] == year]
    if scope is not None:
        selected = selected[selected["scope"] == scope]
        return {r["indicator"]: r for r in selected.to_dict("records")}
    selected = selected[selected["indicator"] == code]
    return {r["scope"]: r for r in selected.to_dict("records")}


def _present(value):
    return None if value is None or value is pd.NA or is_missing(value) else value
