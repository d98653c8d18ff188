"""Read and validate the KPI framework files of data/frameworks/ (one TOML file per work plan)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kpi.catalogue import KINDS, Framework, Indicator
from kpi.fields import LIST_SHEETS, RETURN_FIELDS

FRAMEWORKS_DIR = Path(__file__).resolve().parents[1] / "data" / "frameworks"
STATUSES = ("adopted", "provisional")
_TOP_KEYS = {"code": str, "title": str, "status": str, "start_year": int, "end_year": int, "baseline_year": int,
             "target_year": int, "areas": dict, "indicators": list}
_INDICATOR_KEYS = {"code": str, "area": str, "wording": str, "unit": str, "kind": str, "inputs": list,
                   "aggregation": str, "definition": str}


class FrameworkFileError(ValueError):
    """A framework file is not valid; the message names the file and the key, and says what to change."""


def load_framework_file(path: Path) -> Framework:
    """Return the framework declared in one TOML file; raise FrameworkFileError naming the file and key."""
    name = _display(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise FrameworkFileError(f"{name}: not valid TOML ({error}); fix the line it names") from None
    problems = _check_keys(data, _TOP_KEYS, "")
    if problems:
        raise FrameworkFileError(f"{name}: " + "; ".join(problems))
    problems = []
    if data["status"] not in STATUSES:
        problems.append(f"status: {data['status']!r} is not one of {', '.join(STATUSES)}")
    if data["baseline_year"] > data["target_year"]:
        problems.append(f"baseline_year: {data['baseline_year']} is after target_year {data['target_year']}")
    if data["start_year"] > data["end_year"]:
        problems.append(f"start_year: {data['start_year']} is after end_year {data['end_year']}")
    areas = {str(k): v for k, v in data["areas"].items()}
    for key, title in areas.items():
        if not isinstance(title, str) or not title.strip():
            problems.append(f"areas.{key}: needs a title (text)")
    fields = {f.code for f in RETURN_FIELDS} | {s.code for s in LIST_SHEETS}
    indicators, seen = [], set()
    for index, entry in enumerate(data["indicators"]):
        where = f"indicators[{index}]" + (f" ({entry.get('code')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table ([[indicators]])")
            continue
        entry_problems = _check_keys(entry, _INDICATOR_KEYS, f"{where}.")
        if entry_problems:
            problems.extend(entry_problems)
            continue
        if entry["code"] in seen:
            problems.append(f"{where}.code: duplicate indicator code {entry['code']!r}")
        seen.add(entry["code"])
        if entry["kind"] not in KINDS:
            problems.append(f"{where}.kind: unknown kind {entry['kind']!r}; use one of {', '.join(KINDS)}")
        if entry["area"] not in areas:
            problems.append(f"{where}.area: {entry['area']!r} is not an area of [areas] ({', '.join(areas)})")
        if not entry["inputs"]:
            problems.append(f"{where}.inputs: lists no input")
        for code in entry["inputs"]:
            if code not in fields:
                problems.append(f"{where}.inputs: {code!r} is not a field of the country return or a list sheet "
                                "(kpi/fields.py); declare the field there first")
        indicators.append(Indicator(entry["code"], entry["area"], entry["wording"], entry["unit"], entry["kind"],
                                    tuple(entry["inputs"]), entry["aggregation"], entry["definition"]))
    if not data["indicators"]:
        problems.append("indicators: the framework declares no indicator")
    if problems:
        raise FrameworkFileError(f"{name}: " + "; ".join(problems))
    return Framework(code=data["code"], title=data["title"], start_year=data["start_year"],
                     end_year=data["end_year"], baseline_year=data["baseline_year"],
                     target_year=data["target_year"], areas=areas, indicators=tuple(indicators),
                     status=data["status"])


def load_frameworks(directory: Path = FRAMEWORKS_DIR) -> dict[str, Framework]:
    """Return every framework of the directory by code, in order of their periods; raise FrameworkFileError."""
    frameworks: dict[str, Framework] = {}
    for path in sorted(directory.glob("*.toml")):
        framework = load_framework_file(path)
        if framework.code in frameworks:
            raise FrameworkFileError(f"{_display(path)}: code: {framework.code!r} is declared by another file too")
        frameworks[framework.code] = framework
    if not frameworks:
        raise FrameworkFileError(f"{_display(directory)}: no framework file (*.toml) found")
    return dict(sorted(frameworks.items(), key=lambda item: (item[1].start_year, item[0])))


def _check_keys(data: dict, expected: dict[str, type], prefix: str) -> list[str]:
    problems = [f"{prefix}{key}: missing" for key in expected if key not in data]
    problems += [f"{prefix}{key}: unknown key (known: {', '.join(expected)})" for key in data if key not in expected]
    for key, kind in expected.items():
        if key in data and not isinstance(data[key], kind) or (kind is int and isinstance(data.get(key), bool)):
            problems.append(f"{prefix}{key}: must be {kind.__name__.replace('str', 'text').replace('int', 'a whole number')}")
    return problems


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(FRAMEWORKS_DIR.parents[1]))
    except ValueError:
        return str(path)
