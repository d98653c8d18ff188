"""Every released workbook layout, by kind and version, from data/layouts.toml: a file is read by its own version."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache

from kpi.config import DATA_DIR

LAYOUTS_FILE = DATA_DIR / "layouts.toml"


@dataclass(frozen=True)
class Layout:
    """One released layout of one kind: what its Instructions identity block, sheet rows and columns hold."""

    kind: str
    version: str
    released: dt.date
    change: str
    identity: tuple[str, ...]  # the identity rows of the Instructions sheet, in order (from row 4)
    fields: tuple[str, ...] = ()  # a return's Return-sheet field codes
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a return's list sheets: code -> columns
    columns: tuple[str, ...] = ()  # the header codes of a one-sheet kind (targets, evaluations, work plan)

    @property
    def identity_rows(self) -> dict[str, int]:
        """Return code -> row of the identity block (row 4 down, as templates.write_instructions writes it)."""
        return {code: 4 + n for n, code in enumerate(self.identity)}


@cache
def read_layouts() -> dict[str, tuple[Layout, ...]]:
    """Return kind -> its released layouts, oldest first; raises ValueError naming the file and key if malformed."""
    with LAYOUTS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    layouts = {}
    for kind, entries in data.items():
        versions = []
        for n, entry in enumerate(entries):
            where = f"{LAYOUTS_FILE.name}: {kind}[{n}]"
            missing = [k for k in ("version", "released", "change", "identity") if k not in entry]
            if missing:
                raise ValueError(f"{where}: missing {', '.join(missing)}")
            if entry["version"] in {v.version for v in versions}:
                raise ValueError(f"{where}.version: version {entry['version']} is declared twice")
            versions.append(Layout(kind, str(entry["version"]), entry["released"], entry["change"],
                                   tuple(entry["identity"]), tuple(entry.get("fields", ())),
                                   {code: tuple(cols) for code, cols in entry.get("lists", {}).items()},
                                   tuple(entry.get("columns", ()))))
        layouts[kind] = tuple(versions)
    return layouts


def released(kind: str) -> tuple[Layout, ...]:
    """Return the released layouts of a kind, oldest first."""
    return read_layouts()[kind]


def latest(kind: str) -> Layout:
    """Return the layout new templates of a kind are written in."""
    return released(kind)[-1]


def find(kind: str, version: str | None) -> Layout | None:
    """Return the layout of a kind's version, or None when no such version was released."""
    return next((layout for layout in released(kind) if layout.version == version), None)


def version_of(workbook) -> str | None:
    """Return the version a workbook names in its Instructions sheet (as text), or None."""
    from importers import layout as cells

    sheet = workbook.sheet(cells.INSTRUCTIONS_SHEET)
    cell = sheet.cell(*cells.VERSION_VALUE_CELL) if sheet is not None else None
    if cell is None or cell.value is None:
        return None
    value = cell.value
    if isinstance(value, float) and value.is_integer():  # a version typed again by hand becomes the number 1
        value = int(value)
    return str(value).strip()
