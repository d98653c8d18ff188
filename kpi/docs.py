"""Render the indicator and field reference (docs/indicators.md) from the declarations in code."""

from __future__ import annotations

from kpi.catalogue import CURRENT_FRAMEWORK, Framework
from kpi.fields import LIST_SHEETS, RETURN_FIELDS, Field

DOCS_PATH = "docs/indicators.md"


def render_reference(framework: Framework = CURRENT_FRAMEWORK) -> str:
    """Return the Markdown reference of the framework's indicators and the country return's fields."""
    lines = [
        f"# {framework.title}: indicators and fields",
        "",
        "Generated from `kpi/catalogue.py` and `kpi/fields.py` by `python scripts/make_docs.py`;",
        "do not edit by hand (a test checks it is up to date).",
        "",
        f"Baseline year {framework.baseline_year}, target year {framework.target_year}.",
        "",
        "## Indicators",
        "",
        "| code | area | Work Plan wording | unit | kind | inputs | ASEAN value | definition |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i in framework.indicators:
        inputs = ", ".join(f"`{x}`" for x in i.inputs)
        lines.append(f"| {i.code} | {i.area} | {i.wording} | {i.unit} | {i.kind} | {inputs} | "
                     f"{i.aggregation} | {i.definition} |")
    lines += ["", "## Country return: single values (sheet `Return`)", "",
              "| code | label | type | unit | allowed | feeds |", "|---|---|---|---|---|---|"]
    lines += [_field_row(f) for f in RETURN_FIELDS]
    for sheet in LIST_SHEETS:
        lines += ["", f"## Country return: list sheet `{sheet.sheet}` (declared total `{sheet.declared_total}`, "
                      f"feeds {sheet.feeds})", "",
                  "| code | label | type | unit | allowed | feeds |", "|---|---|---|---|---|---|"]
        lines += [_field_row(f) for f in sheet.columns]
    return "\n".join(lines) + "\n"


def _field_row(field: Field) -> str:
    return f"| `{field.code}` | {field.label} | {field.type} | {field.unit} | {_allowed(field)} | {field.feeds} |"


def _allowed(field: Field) -> str:
    parts = []
    if field.required:
        parts.append("required")
    if field.choices:
        parts.append(" / ".join(field.choices))
    if field.minimum is not None:
        parts.append(f"≥ {field.minimum:g}")
    if field.maximum is not None:
        parts.append(f"≤ {field.maximum:g}")
    if field.at_most:
        parts.append(f"≤ `{field.at_most}`")
    if field.max_length is not None:
        parts.append(f"≤ {field.max_length:,} characters")
    return ", ".join(parts)
