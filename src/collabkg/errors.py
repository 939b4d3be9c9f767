"""All domain exceptions of collabkg.

Every error carries an optional location (file, line, column), the offending source line
and a hint in plain English, so the CLI and the explorer can say what is wrong, where,
and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence


class CollabkgError(Exception):
    """Base class of every error collabkg raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        source_line: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        self.source_line = source_line

    @property
    def location(self) -> str:
        """``file:line:column`` (as much of it as is known), or an empty string."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
            if self.line is not None:
                parts.append(str(self.line))
                if self.column is not None:
                    parts.append(str(self.column))
        elif self.line is not None:
            parts.append(f"line {self.line}")
            if self.column is not None:
                parts.append(f"column {self.column}")
        return ":".join(parts)

    def one_line(self) -> str:
        """One readable line: ``<file>:<line>:<col>: <what> — <hint>``."""
        text = self.message
        if self.location:
            text = f"{self.location}: {text}"
        if self.hint:
            text = f"{text} — {self.hint}"
        return text

    def __str__(self) -> str:
        return self.one_line()


class LoadError(CollabkgError):
    """A file could not be read or parsed; nothing was loaded.

    ``errors`` holds every problem found in the same load (the first one is ``self``).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        source_line: str | None = None,
        errors: Sequence[LoadError] = (),
    ) -> None:
        super().__init__(
            message, file=file, line=line, column=column, hint=hint, source_line=source_line
        )
        self.errors: list[LoadError] = list(errors) or [self]


class QueryError(CollabkgError):
    """A query could not be parsed or run."""


class ReadOnlyViolation(QueryError):
    """A query tried to change data or reach outside the graph (UPDATE, SERVICE...)."""


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped (its process killed)."""


class EngineCrashed(QueryError):
    """The process evaluating a query died (stack or memory exhausted); nothing else was hurt."""


class ParameterError(CollabkgError):
    """A query parameter is missing, unknown or has a value of the wrong type."""


class ValidationFailed(CollabkgError):
    """The data did not pass validation."""


class EndpointError(CollabkgError):
    """A remote SPARQL endpoint could not be reached or answered with an error."""


class UsageError(CollabkgError):
    """The command line or the API was used the wrong way."""


class ReasonerError(CollabkgError):
    """The OWL reasoner (HermiT, run by owlready2 on Java) could not run or failed."""


class AnswerDamaged(CollabkgError):
    """A kept answer (``.collabkg-cache/answers/``) that cannot be trusted: missing, short,
    of another format or question, or failing a checksum. The facade computes the answer
    again and keeps it again; it never reaches a user."""


class LoadStopped(CollabkgError):
    """A load given a ``stop`` test was stopped part-way (its partial store thrown away):
    the caller asked for it (e.g. a validation running beside it needs the memory); it never
    reaches a user."""


__all__ = [
    "AnswerDamaged",
    "CollabkgError",
    "EndpointError",
    "EngineCrashed",
    "LoadError",
    "LoadStopped",
    "ParameterError",
    "QueryError",
    "QueryTimeout",
    "ReadOnlyViolation",
    "ReasonerError",
    "UsageError",
    "ValidationFailed",
]
