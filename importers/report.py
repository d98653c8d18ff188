"""The import report: a value the CLI prints and the dashboard renders."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """One problem found in a file, located by sheet and cell where it has a place."""

    sheet: str | None
    cell: str | None
    text: str

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}: {self.text}"
        if self.sheet:
            return f"{self.sheet}: {self.text}"
        return f"file: {self.text}"


def file_message(text: str) -> Message:
    """Return a message about the whole file."""
    return Message(None, None, text)


@dataclass(frozen=True)
class Change:
    """What loading a file would change against the stored current values."""

    item: str  # a field code, "Policies (rows)", or "A.1.1 ASEAN target"
    old: object
    new: object


@dataclass
class ImportReport:
    """What happened to one file: accepted or not, every error and warning, and what changed."""

    file_name: str
    kind: str | None = None
    accepted: bool = False
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    duplicate_of: int | None = None
    duplicate_loaded_at: str | None = None
    submission_id: int | None = None
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    title: str = ""  # what the file is about, for people: "return BRN 2018"

    nothing_to_change: bool = False  # a targets or work plan file whose every figure matches the store
    store_error: str | None = None  # the store failed, not the file: what to do, in words (kpi.store_errors)

    @property
    def is_unchanged(self) -> bool:
        return self.duplicate_of is not None or self.nothing_to_change

    def summarise(self) -> str:
        """Return the one line the CLI prints for this file."""
        if self.store_error:
            return f"not stored: {self.file_name} (a problem with the database, not with the file)"
        if not self.accepted:
            return f"rejected: {self.file_name} ({_count(len(self.errors), 'error')})"
        if self.duplicate_of is not None:
            return (f"unchanged: {self.file_name} (already loaded as submission {self.duplicate_of} "
                    f"on {self.duplicate_loaded_at})")
        if self.nothing_to_change:
            return f"unchanged: {self.file_name} (every figure already matches the stored {self.title}; nothing stored)"
        outcome = "would be stored" if self.dry_run else f"stored as submission {self.submission_id}"
        details = [f"{self.title} {outcome}".strip(), _count(len(self.changes), "change")]
        if self.warnings:
            details.append(_count(len(self.warnings), "warning"))
        prefix = "accepted (dry run)" if self.dry_run else "accepted"
        return f"{prefix}: {self.file_name} ({'; '.join(details)})"

    def describe_lines(self) -> list[str]:
        """Return the summary line, then every error and warning as `Sheet!Cell: message`."""
        return ([self.summarise()] + [str(m) for m in self.errors]
                + [_as_warning(m) for m in self.warnings])


def _as_warning(message: Message) -> str:
    return str(Message(message.sheet, message.cell, f"warning: {message.text}"))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class Validation:
    """What a validator found in a workbook: the content to store (when no errors), errors and warnings."""

    content: object = None
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    country: str | None = None
    year: int | None = None
    subject: str | None = None  # what else keys a submission in the store (an evaluations file's project)
    title: str = ""  # what the file is about, for people: "return BRN 2018"

    def add_error(self, sheet: str | None, cell: str | None, text: str) -> None:
        self.errors.append(Message(sheet, cell, text))

    def add_warning(self, sheet: str | None, cell: str | None, text: str) -> None:
        self.warnings.append(Message(sheet, cell, text))
