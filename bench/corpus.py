"""Workbook corpora for the import rows: the demo returns re-used for more years (year cells rewritten)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import openpyxl

CACHE_DIR = Path("/tmp/accsm-bench-cache")
YEARS_IN_DEMO = 7  # 2014-2020: a copy k years on is shifted by 7·k, so copies never collide
_RETURN_NAME = re.compile(r"^return_([A-Z]{3})_(\d{4})\.xlsx$")


def demo_returns(demo_dir: Path) -> list[Path]:
    """Return the demo country returns (return_<AMS>_<year>.xlsx), sorted by name."""
    return sorted(p for p in demo_dir.glob("return_*.xlsx") if _RETURN_NAME.match(p.name))


def reyear(source: Path, target: Path, year: int) -> Path:
    """Copy a return, rewriting its year in the Return sheet and the Instructions identity block; return target."""
    old_year = int(_RETURN_NAME.match(source.name).group(2))
    workbook = openpyxl.load_workbook(source)
    for sheet in workbook.worksheets[:2] + [s for s in workbook.worksheets[2:] if s.title == "Return"]:
        for row in sheet.iter_rows(max_row=min(sheet.max_row, 60)):
            if row and row[0].value == "year":
                for cell in row[1:]:
                    if cell.value == old_year:
                        cell.value = year
    workbook.save(target)
    return target


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def shifted_returns(demo_dir: Path, copies: int, first_shift: int = 0, countries_year: int | None = None) -> list[Path]:
    """Return `copies` copies of the demo returns, copy k shifted by first_shift + 7·k years (cached on disk).

    With countries_year, only that demo year's returns (one per AMS) are copied.
    """
    sources = demo_returns(demo_dir)
    if countries_year is not None:
        sources = [p for p in sources if p.name.endswith(f"_{countries_year}.xlsx")]
    folder = CACHE_DIR / f"{_fingerprint(sources)}-{first_shift}-{copies}"
    marker = folder / ".complete"
    if marker.exists():
        return sorted(folder.glob("return_*.xlsx"), key=_load_order)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for k in range(copies):
        shift = first_shift + YEARS_IN_DEMO * k
        for source in sources:
            country, year = _RETURN_NAME.match(source.name).groups()
            target = folder / f"return_{country}_{int(year) + shift}.xlsx"
            if shift == 0:
                shutil.copyfile(source, target)
            else:
                reyear(source, target, int(year) + shift)
    marker.touch()
    return sorted(folder.glob("return_*.xlsx"), key=_load_order)


def _load_order(path: Path) -> tuple[int, str]:
    """Load in year order then AMS, so each return sees the previous year's (as a secretariat would)."""
    country, year = _RETURN_NAME.match(path.name).groups()
    return int(year), country
