"""Running HermiT through owlready2: one run on a fresh World (:func:`run_hermit`), and
:class:`Reasoner`, the consistency checks an explanation makes, within a budget and
remembered across a process.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import rdflib

from collabkg.errors import ReasonerError
from collabkg.reasoning.owl import Triple
from collabkg.terms import ONTOLOGY_IRI, OWL

DEFAULT_BUDGET = 40
"""HermiT runs allowed for explaining one inconsistency (about a second each)."""


_LOCK = threading.Lock()


@dataclass
class Outcome:
    consistent: bool
    seconds: float
    unsatisfiable: list[str] = field(default_factory=list)
    types: dict[str, list[str]] = field(default_factory=dict)


def _ntriples(triples: Iterable[Triple]) -> bytes:
    """The triples as N-Triples, lines sorted: the same set gives HermiT the same file."""
    graph = rdflib.Graph(bind_namespaces="none")
    for triple in triples:
        graph.add(triple)
    text = graph.serialize(format="nt", encoding="utf-8")
    return b"\n".join(sorted(line for line in text.split(b"\n") if line)) + b"\n"


def _java_message(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Java error message is")):
            return line[:300]
    return "no message"


def run_hermit(
    triples: Sequence[Triple], *, classify_iris: Iterable[str] = (), classify: bool = False
) -> Outcome:
    """One HermiT run through owlready2 on a fresh World.

    With ``classify`` also returns unsatisfiable classes and, for ``classify_iris``, the
    most specific classes HermiT infers.
    """
    import owlready2

    data = _ntriples(triples)
    world = owlready2.World()
    started = time.perf_counter()
    sink = io.StringIO()
    try:
        with _LOCK, contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            try:
                world.get_ontology(str(ONTOLOGY_IRI)).load(
                    fileobj=io.BytesIO(data), format="ntriples"
                )
            except owlready2.OwlReadyOntologyParsingError as exc:
                raise ReasonerError(f"owlready2 could not read the graph: {exc}") from None
            try:
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=True,
                )
            except owlready2.OwlReadyInconsistentOntologyError:
                return Outcome(False, time.perf_counter() - started)
            except owlready2.OwlReadyJavaError as exc:
                raise ReasonerError(
                    f"HermiT failed: {_java_message(str(exc))}",
                    hint="run 'collabkg validate' first; HermiT needs OWL 2 DL input",
                ) from None
            except OSError as exc:
                raise ReasonerError(
                    f"could not start Java for HermiT: {exc}",
                    hint="install a Java runtime (apt-get install -y default-jre-headless)",
                ) from None
            outcome = Outcome(True, time.perf_counter() - started)
            if classify:
                outcome.unsatisfiable = sorted(
                    str(c.iri)
                    for c in world.inconsistent_classes()
                    if getattr(c, "iri", None) and c.iri != str(OWL.Nothing)
                )
                for iri in classify_iris:
                    entity = world[iri]
                    if entity is None:
                        continue
                    outcome.types[iri] = sorted(
                        str(c.iri)
                        for c in entity.is_a
                        if isinstance(c, owlready2.ThingClass) and getattr(c, "iri", None)
                    )
            return outcome
    finally:
        with contextlib.suppress(Exception):
            world.close()


class OutOfBudget(Exception):
    pass


_SEEN: dict[int, bool] = {}
"""Consistency of triple sets already checked in this process (by hash), e.g. the ontology."""


class Reasoner:
    """HermiT consistency checks with a budget, remembering answers."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.calls = 0

    def consistent(self, triples: Sequence[Triple]) -> bool:
        unique = frozenset(triples)
        key = hash(unique)
        if key in _SEEN:
            return _SEEN[key]
        if self.calls >= self.budget:
            raise OutOfBudget
        self.calls += 1
        result = run_hermit(list(unique)).consistent
        if len(_SEEN) > 256:
            _SEEN.clear()
        _SEEN[key] = result
        return result


__all__ = ["DEFAULT_BUDGET", "OutOfBudget", "Outcome", "Reasoner", "run_hermit"]
