"""The validation pipeline (``collabkg validate``): one pipeline, one report type.

Stages, in order:

1. **syntax** (:mod:`.syntax`) — file readable, UTF-8, not empty or binary; Turtle that
   parses (file, line, column, the offending text, a hint); literals that fit their
   datatype (``"abc"^^xsd:date`` is an error).
2. **vocabulary** (:mod:`.rules`) — terms of ours the ontology does not define (typos,
   with the closest term suggested), misused terms, dangling links, duplicate case IDs:
   each rule one unit, its pre-filter beside its check.
3. **shacl** (:mod:`.shacl_run`, :mod:`.shacl`) — the shapes in ``shapes/*.ttl``, compiled
   to SPARQL and run on the store (pySHACL is the reference the tests compare with, and
   runs any shape the compiler cannot translate); each result placed at the file and line
   of the item it is about, named by its label.
4. **consistency** (:mod:`.consistency`, only with ``--reason``) — OWL consistency with
   HermiT through :mod:`collabkg.reasoning`.

All four run in one sequence over one Oxigraph store: :mod:`.pipeline`.

Usage::

    from collabkg.validate import validate
    report = validate(["data/cases/my-case.ttl"])
    report.ok()            # no violations
    print(render(report))  # what `collabkg validate` prints
"""

from __future__ import annotations

from collabkg.validate.cached import (
    summary_line,
    validate,
    validate_graph_files,
    validate_text,
)
from collabkg.validate.inputs import Inputs, project_inputs
from collabkg.validate.pipeline import STAGES, run
from collabkg.validate.render import FORMATS, render, use_colour
from collabkg.validate.report import Issue, Report, Severity, Stage

__all__ = [
    "FORMATS",
    "STAGES",
    "Inputs",
    "Issue",
    "Report",
    "Severity",
    "Stage",
    "project_inputs",
    "render",
    "run",
    "summary_line",
    "use_colour",
    "validate",
    "validate_graph_files",
    "validate_text",
]
