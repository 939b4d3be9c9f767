"""The one report type of the validation pipeline: a list of issues, each located and explained.

Every stage (file reading, Turtle syntax, vocabulary, SHACL, OWL consistency) produces
:class:`Issue` objects; a :class:`Report` gathers them for the files that were asked about
and decides the exit status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """SHACL's three tiers, used by every stage."""

    VIOLATION = "violation"
    """Broken: the data is not loaded until it is fixed."""
    WARNING = "warning"
    """Probably incomplete; loaded anyway (fails only with --strict)."""
    INFO = "info"
    """A note to double-check."""

    @property
    def rank(self) -> int:
        return {"violation": 0, "warning": 1, "info": 2}[self.value]

    @property
    def word(self) -> str:
        """What people read: error / warning / note."""
        return {"violation": "error", "warning": "warning", "info": "note"}[self.value]


class Stage(StrEnum):
    """Where in the pipeline an issue was found."""

    FILE = "file"
    SYNTAX = "syntax"
    VOCABULARY = "vocabulary"
    QUOTATIONS = "quotations"
    SHACL = "shacl"
    CONSISTENCY = "consistency"


@dataclass
class Issue:
    """One problem, located in a file and explained in plain English."""

    severity: Severity
    stage: Stage
    code: str
    """A stable identifier of the kind of problem, e.g. ``syntax.undeclared-prefix``."""
    message: str
    """What is wrong (and, for SHACL results, what to add or change)."""
    file: str | None = None
    """Relative to the project root where possible, with forward slashes."""
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    """What to do about it, when the message does not already say."""
    source_line: str | None = None
    """The text of ``line``, to show under the message."""
    width: int | None = None
    """How many characters from ``column`` the offending text spans (for the ^^^ marker)."""
    focus: str | None = None
    """The item concerned, compact (``ckd:wigan-council``)."""
    focus_label: str | None = None
    """The item's name (its rdfs:label), what people recognise."""
    focus_kind: str | None = None
    """The kind of item (``funding stream``), from its most specific type."""
    path: str | None = None
    """The property concerned, compact (``ck:hasFunder``)."""
    value: str | None = None
    """The offending value, compact or quoted."""
    shape: str | None = None
    """The SHACL shape (or property shape name) that produced the issue."""
    related: list[str] = field(default_factory=list)
    """Other places involved (``data/cases/a.ttl:12``), e.g. for duplicates."""

    def sort_key(self) -> tuple[object, ...]:
        return (
            self.file or "",
            self.line if self.line is not None else 0,
            self.column if self.column is not None else 0,
            self.severity.rank,
            self.code,
            self.message,
        )

    @property
    def location(self) -> str:
        parts = [self.file or "(no file)"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def subject_text(self) -> str:
        """``funding stream “DCMS grant” (ckd:funding-dcms)`` — the item, as people know it."""
        if not self.focus:
            return ""
        pieces: list[str] = []
        if self.focus_kind:
            pieces.append(self.focus_kind)
        if self.focus_label:
            pieces.append(f"“{self.focus_label}”")
        text = " ".join(pieces)
        return f"{text} ({self.focus})" if text else self.focus

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["stage"] = self.stage.value
        return {k: v for k, v in data.items() if v not in (None, [])}


@dataclass
class Report:
    """Everything the pipeline found about the files asked about."""

    files: list[str] = field(default_factory=list)
    """The files reported on (relative paths), in the order given."""
    issues: list[Issue] = field(default_factory=list)
    context_files: int = 0
    """How many files made up the graph the files were checked against."""
    stages: list[str] = field(default_factory=list)
    """The stages that ran."""
    notes: list[str] = field(default_factory=list)
    """Remarks about the run itself (e.g. a context file left out, the reasoner missing)."""
    other_files_problems: int = 0
    """Violations found in context files that were not asked about (not listed)."""
    seconds: float = 0.0
    not_shown: list[Issue] = field(default_factory=list)
    """Issues found but left out of the listing (``--errors-only``): counted, not listed."""

    def add(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def sorted_issues(self) -> list[Issue]:
        order = {name: index for index, name in enumerate(self.files)}
        return sorted(
            self.issues,
            key=lambda i: (order.get(i.file or "", len(order)), *i.sort_key()),
        )

    def by_file(self) -> dict[str, list[Issue]]:
        grouped: dict[str, list[Issue]] = {}
        for issue in self.sorted_issues():
            grouped.setdefault(issue.file or "(no file)", []).append(issue)
        return grouped

    def counts(self) -> dict[str, int]:
        found = Counter(issue.severity for issue in self.issues)
        return {severity.value: found.get(severity, 0) for severity in Severity}

    @property
    def violations(self) -> int:
        return self.counts()[Severity.VIOLATION.value]

    @property
    def warnings(self) -> int:
        return self.counts()[Severity.WARNING.value]

    @property
    def infos(self) -> int:
        return self.counts()[Severity.INFO.value]

    def ok(self, *, strict: bool = False) -> bool:
        """No violations (and, with ``strict``, no warnings either)."""
        hidden = sum(1 for i in self.not_shown if i.severity is Severity.WARNING)
        return self.violations == 0 and (not strict or self.warnings + hidden == 0)

    def exit_code(self, *, strict: bool = False) -> int:
        return 0 if self.ok(strict=strict) else 1

    def files_with_violations(self) -> list[str]:
        return sorted({i.file or "" for i in self.issues if i.severity is Severity.VIOLATION})

    def to_dict(self, *, strict: bool = False) -> dict[str, object]:
        found = self.counts()
        hidden = Counter(issue.severity.value for issue in self.not_shown)
        data: dict[str, object] = {
            "valid": self.ok(strict=strict),
            "strict": strict,
            "files": self.files,
            "context_files": self.context_files,
            "stages": self.stages,
            "summary": {
                **{name: count + hidden[name] for name, count in found.items()},
                "files": len(self.files),
            },
            "notes": self.notes,
            "other_files_problems": self.other_files_problems,
            "issues": [issue.to_dict() for issue in self.sorted_issues()],
        }
        if self.not_shown:
            data["not_shown"] = {name: hidden[name] for name in found}
        return data


__all__ = ["Issue", "Report", "Severity", "Stage"]
