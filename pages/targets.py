"""Baselines and targets: what applies to each indicator and scope, who set it and when, and editing them."""

import json

import pandas as pd
import streamlit as st

from dashboard import data, frame, identity, state, uploads, widgets
from dashboard.text import literal
from importers.targets import check_figures
from kpi import access, store
from kpi.engine import EVERY_AMS
from kpi.fields import NOTE_LENGTH
from kpi.membership import ASEAN
from kpi.progress import is_missing


def _editable_rows(framework, entered: pd.DataFrame) -> pd.DataFrame:
    by_key = {(r["indicator_code"], r["scope"]): r for r in entered.to_dict("records")}
    keys = [(i.code, s) for i in framework.indicators for s in ((ASEAN,) if i.is_yes_count else (ASEAN, EVERY_AMS))]
    keys += [k for k in by_key if k not in keys]
    order = {code: n for n, code in enumerate(framework.codes)}
    keys.sort(key=lambda k: (order.get(k[0], 99), k[1] != ASEAN, k[1] != EVERY_AMS, k[1]))
    rows = []
    for code, scope in keys:
        entry = by_key.get((code, scope), {})
        rows.append({"indicator": code, "scope": scope, "unit": framework.indicator(code).unit,
                     "baseline": _number(entry.get("baseline")), "target": _number(entry.get("target")),
                     "note": entry.get("note") or "", "set by": entry.get("set_by") or "",
                     "set at (UTC)": _when(entry.get("set_at"))})
    return pd.DataFrame(rows)


def _number(value):
    return None if is_missing(value) else float(value)


def _when(value) -> str:
    return "" if is_missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def validate_edits(framework, edited: pd.DataFrame) -> list[str]:
    """Return the problems of edited rows in words (empty when every figure is acceptable)."""
    return [message for row in edited.to_dict("records")
            for _, message in check_figures(framework.indicator(row["indicator"]), row["scope"],
                                            _number(row["baseline"]), _number(row["target"]), framework)]


def _changed_rows(before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    changed = []
    for old, new in zip(before.to_dict("records"), after.to_dict("records")):
        if any(_differs(old[c], new[c]) for c in ("baseline", "target", "note")):
            changed.append(new)
    return changed


def _differs(a, b) -> bool:
    a = None if is_missing(a) or a == "" else a
    b = None if is_missing(b) or b == "" else b
    return a != b


@widgets.guard_callback("saving the baselines and targets")
def _save(url, framework, rows: list[dict]) -> None:
    try:
        changed = data.save_targets(url, framework.code, [
            (row["indicator"], row["scope"], _number(row["baseline"]), _number(row["target"]),
             (row["note"] or None) if isinstance(row["note"], str) else None) for row in rows], state.current_user())
    except access.AccessRefused as refusal:  # rolled back: nothing saved; record it and say it
        access.record_refusal(data.get_engine(url), refusal)
        st.session_state[widgets.CALLBACK_ERROR] = str(refusal)
        return
    st.session_state["flash"] = f"Saved {changed} change(s) to baselines and targets."
    st.session_state.pop("targets_editor", None)  # the editor starts again from the stored figures


def _draw_editor(url, framework) -> None:
    entered = data.load_targets(url, framework.code)
    rows = _editable_rows(framework, entered)
    user = identity.current_identity().user
    may_edit = access.is_allowed(user, access.LOAD_TARGETS)
    if may_edit:
        st.caption(f"Edit a baseline, target or note and press **Save changes**. Leave the baseline blank to use "
                   f"the value computed from the {framework.baseline_year} returns. Scope “AMS” is a target for "
                   "every Member State without a row of its own. Every change is recorded under your user "
                   f"(“{literal(state.current_user())}”).")
    else:  # the store refuses it anyway (kpi.store.set_target); the page does not offer what would be refused
        who = user.describe() if user is not None else state.current_user()
        st.info(f"Only the secretariat sets baselines and targets; you ({literal(who)}) can read them here. "
                f"Scope “AMS” is a target for every Member State without a row of its own.",
                icon=":material/lock:")
    disabled = True if not may_edit else ["indicator", "scope", "unit", "set by", "set at (UTC)"]
    edited = st.data_editor(rows, hide_index=True, key="targets_editor", placeholder="blank", disabled=disabled,
                            column_config={
                                "baseline": st.column_config.NumberColumn("Baseline (entered)", format="%.1f"),
                                "target": st.column_config.NumberColumn(f"Target {framework.target_year}",
                                                                        format="%.1f"),
                                "note": st.column_config.TextColumn("Note (source, reason)", max_chars=NOTE_LENGTH),
                            })
    changed = _changed_rows(rows, edited)
    if not changed or not may_edit:
        return
    problems = validate_edits(framework, pd.DataFrame(changed))
    for problem in problems:
        st.error(literal(problem))
    st.button(f"Save changes ({len(changed)} row(s))", type="primary", key="targets_save", disabled=bool(problems),
              on_click=_save, args=(url, framework, changed))


def _draw_applied(report, names) -> None:
    applied = report[report["year"] == report["year"].max()][
        ["indicator", "scope", "baseline", "baseline_source", "target", "target_source", "unit"]].copy()
    applied.insert(2, "name", [names.get(s, s) for s in applied["scope"]])
    for column in ("baseline", "target"):
        applied[column] = [widgets.format_number(v, u) if pd.notna(v) else "not set"
                           for v, u in zip(applied[column], applied["unit"])]
    for column in ("baseline_source", "target_source"):
        applied[column] = applied[column].fillna("")
    scope = st.segmented_control("Show", ["ASEAN", "Every AMS"], default="ASEAN", key="applied_scope")
    shown = applied[applied["scope"] == ASEAN] if scope != "Every AMS" else applied[applied["scope"] != ASEAN]
    st.dataframe(shown.drop(columns=["unit"]), hide_index=True, key="applied", column_config={
        "baseline_source": st.column_config.TextColumn("Baseline is", help="computed from the baseline-year "
                                                                           "returns, or entered"),
        "target_source": st.column_config.TextColumn("Target is", help="own row, or the row for every AMS")})
    widgets.draw_table_downloads("applied_targets", applied, "accsm_baselines_targets")


def _draw_history(url) -> None:
    history = data.load_audit(url, entity="target")
    if not len(history):
        st.write("No baseline or target has been set yet.")
        return
    details = [json.loads(d) if d else {} for d in history["detail"]]
    st.dataframe(pd.DataFrame({
        "when (UTC)": [_when(w) for w in history["at"]], "who": history["user_name"],
        "indicator / scope": [k.split("/", 1)[-1] for k in history["entity_key"]],
        "before": [_describe(d.get("before")) for d in details], "after": [_describe(d.get("after")) for d in details],
    }), hide_index=True, key="target_history")


def _describe(figures) -> str:
    if not figures:
        return "(not set)"
    parts = [f"{k} {widgets.format_number(figures.get(k), percent=False) if figures.get(k) is not None else 'blank'}"
             for k in ("baseline", "target")]
    return ", ".join(parts) + (f" · {figures['note']}" if figures.get("note") else "")


with widgets.explain_errors("the baselines and targets page"):
    frame.draw_furniture()
    url = data.get_database_url()
    framework = data.get_framework()
    report = data.load_report(url, framework.code)
    names = data.read_country_names(url)
    st.title("Baselines and targets")
    st.caption(f"{literal(framework.title)}: baseline year {framework.baseline_year}, target year {framework.target_year}.")

    st.header("Entered baselines and targets")
    _draw_editor(url, framework)

    st.header("What applies to each indicator")
    if len(report):
        _draw_applied(report, names)
    else:
        st.info("No country return is stored yet, so no baseline can be computed.")

    st.header("Load a targets workbook")
    st.caption("Download the targets workbook on the **Country returns** page, fill it in and upload it here. "
               "Only the rows it contains are updated.")
    uploads.draw_upload_flow("targets_upload", "Targets workbook", "The workbook is checked before anything "
                                                                    "is stored.")

    st.header("History")
    _draw_history(url)
