"""What reasoning found, as data and as text: :class:`ReasoningReport` with its
:class:`Explanation` (why the graph contradicts itself), :class:`UnsatisfiableClass` and
:class:`Classification` (what HermiT infers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collabkg.terms import compact


@dataclass(frozen=True)
class Explanation:
    """One reason the graph is inconsistent, in words.

    ``kind`` is one of ``disjoint-classes``, ``datatype-range``, ``ill-typed-value``,
    ``functional-property``, ``different-individuals``, ``minimal-set`` (found by
    bisection) or ``ontology`` (the ontology alone is inconsistent).
    """

    kind: str
    message: str
    individuals: tuple[str, ...] = ()
    """IRIs of the individuals involved (to find them in files)."""
    individual_labels: tuple[str, ...] = ()
    axioms: tuple[str, ...] = ()
    """The ontology axioms involved, in words with their Turtle form."""
    confirmed: bool | None = True
    """HermiT found just these individuals (with the ontology) inconsistent; None when
    that was not checked (beyond the first few clashes, to save time: the clash pattern is
    a proof by itself)."""
    minimal: bool = True
    """No individual could be left out (bisection ran to the end within the budget)."""
    files: tuple[str, ...] = ()
    """The files that describe the individuals involved."""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "message": self.message,
            "files": list(self.files),
            "individuals": [
                {"iri": iri, "label": label}
                for iri, label in zip(self.individuals, self.individual_labels, strict=False)
            ],
            "axioms": list(self.axioms),
            "confirmed": self.confirmed,
            "minimal": self.minimal,
        }


@dataclass(frozen=True)
class Classification:
    """Classes HermiT infers for an individual that its asserted types do not give."""

    individual: str
    label: str
    classes: tuple[str, ...]
    class_labels: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.label} → {', '.join(self.class_labels)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "individual": self.individual,
            "label": self.label,
            "classes": [
                {"iri": iri, "label": label}
                for iri, label in zip(self.classes, self.class_labels, strict=True)
            ],
        }


@dataclass(frozen=True)
class UnsatisfiableClass:
    """A class that can have no members."""

    iri: str
    label: str
    reason: str = ""

    def __str__(self) -> str:
        text = f"{self.label} ({compact(self.iri)})"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass
class ReasoningReport:
    """What HermiT says about a graph, explained."""

    consistent: bool
    explanations: list[Explanation] = field(default_factory=list)
    unsatisfiable: list[UnsatisfiableClass] = field(default_factory=list)
    inferred: list[Classification] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was left out of reasoning and why (unsupported datatypes, non-DL usage)."""
    triples: int = 0
    individuals: int = 0
    seconds: float = 0.0
    """Wall time of the main HermiT run (consistency, classification, realisation)."""
    explain_seconds: float = 0.0
    reasoner_calls: int = 0
    vocabularies: list[str] = field(default_factory=list)
    """The W3C vocabulary files reasoned with (their real axioms), as file names."""
    unexpected: list[Classification] = field(default_factory=list)
    """Inferred kinds that neither the data's asserted types (up the class hierarchy) nor
    one of the ontology's defined classes (cross-sector, co-creating) account for: an item
    inferred to be of a kind the data did not give it. Should be empty."""

    @property
    def ok(self) -> bool:
        """Consistent and no unsatisfiable class."""
        return self.consistent and not self.unsatisfiable

    def to_dict(self) -> dict[str, object]:
        return {
            "consistent": self.consistent,
            "explanations": [e.to_dict() for e in self.explanations],
            "unsatisfiable_classes": [
                {"iri": u.iri, "label": u.label, "reason": u.reason} for u in self.unsatisfiable
            ],
            "inferred_classifications": [c.to_dict() for c in self.inferred],
            "unexpected_kinds": [c.to_dict() for c in self.unexpected],
            "vocabularies": list(self.vocabularies),
            "notes": list(self.notes),
            "triples": self.triples,
            "individuals": self.individuals,
            "seconds": round(self.seconds, 3),
            "explain_seconds": round(self.explain_seconds, 3),
            "reasoner_calls": self.reasoner_calls,
        }

    def to_text(self) -> str:
        """The report as plain text, for the command line."""
        lines = [
            f"HermiT reasoned over {self.triples} triples ({self.individuals} data "
            f"individuals) in {self.seconds:.1f} s."
        ]
        if self.vocabularies:
            lines.append(f"With the W3C axioms of: {', '.join(self.vocabularies)}.")
        else:
            lines.append(
                "Without the W3C vocabularies: only the bare declarations of ORG and PROV-O "
                "terms were used, so their domains, ranges and disjointness were not checked."
            )
        if self.consistent:
            lines.append("Consistent: yes.")
        else:
            lines.append("Consistent: NO — the graph contradicts itself. Why:")
            for number, item in enumerate(self.explanations, 1):
                lines.append(f"  {number}. {item.message}")
                if item.files:
                    lines.append(f"     described in: {', '.join(item.files)}")
                if item.individuals:
                    names = ", ".join(
                        f"{label} ({compact(iri)})"
                        for iri, label in zip(
                            item.individuals, item.individual_labels, strict=False
                        )
                    )
                    lines.append(f"     individuals: {names}")
                for axiom in item.axioms:
                    lines.append(f"     axiom: {axiom}")
                if item.confirmed is False:
                    lines.append("     (HermiT did not confirm this on its own; see the others)")
                if not item.minimal:
                    lines.append("     (not minimal: the explanation budget ran out)")
            if not self.explanations:
                lines.append("  (no explanation found)")
            if self.explain_seconds:
                lines.append(
                    f"  Explaining took {self.explain_seconds:.1f} s and "
                    f"{self.reasoner_calls - 1} more HermiT run(s)."
                )
        if self.unsatisfiable:
            lines.append(f"Unsatisfiable classes ({len(self.unsatisfiable)}):")
            lines.extend(f"  {u}" for u in self.unsatisfiable)
        elif self.consistent:
            lines.append("Unsatisfiable classes: none.")
        if self.consistent:
            if self.inferred:
                lines.append(f"Inferred classifications ({len(self.inferred)}):")
                lines.extend(f"  {c}" for c in self.inferred)
            else:
                lines.append("Inferred classifications: none.")
            if self.unexpected:
                lines.append(
                    f"Kinds the data did not give ({len(self.unexpected)}) — an axiom gives "
                    "these items a kind nobody asserted; check the data or the ontology:"
                )
                lines.extend(f"  {c}" for c in self.unexpected)
            else:
                lines.append("Kinds the data did not give: none.")
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


__all__ = ["Classification", "Explanation", "ReasoningReport", "UnsatisfiableClass"]
