"""The registry of workbook kinds: one module per kind, in the order the software offers them."""

from __future__ import annotations

import importlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kpi.fields import EVALUATIONS_KIND, KIND_CODES, RETURN_KIND, TARGETS_KIND, WORKPLAN_KIND

# kind code (kpi.fields.KIND_CODES, in its order) -> the module of this package that builds its Kind. The registry:
# importers.layout's WORKBOOK_KINDS, the CLI's choices, the loader and the Country returns page's templates all come
# from it. The modules are imported on first use of KINDS, so `python -m importers --help` needs none of them.
_MODULES = {RETURN_KIND: "country_return", TARGETS_KIND: "targets", EVALUATIONS_KIND: "evaluations",
            WORKPLAN_KIND: "workplan"}
if tuple(_MODULES) != KIND_CODES:
    raise ImportError("importers.kinds must have one module per kind of kpi.fields.KIND_CODES, in its order")


@dataclass(frozen=True)
class Kind:
    """Everything the software does with one kind of workbook; adding a kind is one module of importers.kinds."""

    write_template: Callable[..., object]
    template_options: tuple[str, ...]  # the keyword arguments write_template needs (CLI options)
    validate: Callable
    compare: Callable
    canonicalise: Callable[[object], object]
    store: Callable
    # Kinds that update stored figures pre-fill their template with them, so an unedited row changes nothing
    # (called with the connection and the plan's framework).
    read_stored: Callable[[object, object], dict] | None = None
    takes_plan: bool = False  # write_template takes the plan's framework (targets, work plan)
    code: str = ""  # what Instructions!B2 says: return, targets, evaluations, workplan
    label: str = ""  # for people: "Country return"
    title: str = ""  # the file name of its template: accsm_<title>_<file_parts>.xlsx
    fields: tuple = ()  # the kpi.fields Fields it reads
    file_parts: tuple[str, ...] = ()  # what the template's file name says after the title: country, year, plan
    download_label: str = ""  # the page's download button, formatted with country and year
    locks_confirmed: bool = False  # a stored file can be confirmed, and is then locked (kpi.review): returns
    fills_programmes: bool = False  # its template lists a plan's programmes, so needs a plan that has them

    def file_name(self, **parts) -> str:
        """Return the template's file name for these country, year and plan (those the kind names)."""
        return "_".join(("accsm", self.title, *(str(parts[p]) for p in self.file_parts))) + ".xlsx"


def __getattr__(name: str):
    if name == "KINDS":
        global KINDS
        KINDS = {code: importlib.import_module(f"{__name__}.{module}").KIND for code, module in _MODULES.items()}
        return KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def kind_of(code: str) -> Kind:
    """Return the Kind of a code; raises KeyError naming the kinds there are."""
    kinds = globals().get("KINDS") or __getattr__("KINDS")
    if code not in kinds:
        raise KeyError(f"{code!r} is not a kind of workbook: this software knows {', '.join(kinds)}")
    return kinds[code]


def gather_template_options(kind: Kind, connection, framework, given: dict) -> dict:
    """Return the keyword arguments of kind.write_template: the given options it takes, the plan's framework when
    it takes one, and the stored figures it pre-fills (read through `connection`, unused by a kind without)."""
    options = {o: given[o] for o in kind.template_options}
    if kind.takes_plan:
        options["framework"] = framework
    if kind.read_stored is not None:
        options.update(kind.read_stored(connection, framework))
    return options


def write_template_bytes(kind: Kind, engine, framework, given: dict) -> bytes:
    """Return the bytes of the kind's template for these options, pre-filled from the store of `engine`."""
    with engine.connect() as connection:
        options = gather_template_options(kind, connection, framework, given)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        kind.write_template(path, **options)
        return path.read_bytes()
