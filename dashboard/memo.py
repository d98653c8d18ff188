"""What pages build from the cached data (figures, tables), kept between reruns until data.clear_caches."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


@st.cache_resource(show_spinner=False, max_entries=1000)
def _slot(name: str, key: tuple) -> dict:
    # cache_resource, not cache_data: a plotly figure would be pickled and rebuilt (validated again) on every hit,
    # which costs as much as building it.
    return {}


def remember(name: str, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """Return what build() returns, built once per name and key (which must name everything it depends on: the
    database, plan, year, choices, demo marker) until the data changes. The object is shared by every session:
    draw it, never change it."""
    slot = _slot(name, key)
    if "value" not in slot:
        slot["value"] = build()
    return slot["value"]


def forget() -> None:
    """Drop everything remembered (data.clear_caches calls this after any import or edit)."""
    _slot.clear()
