"""The validation pipeline: syntax → vocabulary → SHACL → (optional) OWL consistency.

One entry point, :func:`validate`, one report type (:class:`~collabkg.validate.report.Report`).

Files named by the user (the *targets*) are checked against the whole graph: the ontology,
the concept schemes, every file under ``data/`` and the targets themselves (a target inside
``data/`` replaces its on-disk version — it is the same file). Results are reported for the
targets only; problems in other files are counted, not listed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from collabkg.errors import UsageError
from collabkg.paths import TEMPLATE_NAME, ProjectPaths
from collabkg.terms import compact
from collabkg.validate.model import Ontology, Workspace, quiet_rdflib, to_rdflib
from collabkg.validate.report import Issue, Report, Severity, Stage
from collabkg.validate.syntax import ParsedFile, parse_bytes, read_turtle

if TYPE_CHECKING:
    from collabkg.progress import Progress

STAGES = ("syntax", "vocabulary", "shacl", "consistency")


@dataclass(frozen=True)
class Inputs:
    """What to check and against what."""

    ontology: tuple[Path, ...]
    """ontology/*.ttl and ontology/concepts/*.ttl: define the terms."""
    data: tuple[Path, ...]
    """Every data file making up the graph (context), targets included or not."""
    targets: tuple[Path, ...]
    """The files to report on."""
    shapes: tuple[Path, ...]
    texts: tuple[tuple[str, bytes], ...] = ()
    """In-memory targets (name shown in the report, Turtle bytes), e.g. an upload."""


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # pragma: no cover
        return path


def project_inputs(
    project: ProjectPaths,
    paths: Iterable[str | os.PathLike[str]] | None = None,
) -> Inputs:
    """Inputs for ``collabkg validate [PATH...]`` in ``project``."""
    ontology: list[Path] = []
    if project.ontology.is_dir():
        ontology += sorted(project.ontology.glob("*.ttl"))
    if project.concepts.is_dir():
        ontology += sorted(project.concepts.glob("*.ttl"))
    data: list[Path] = []
    if project.data.is_dir():
        template = _resolved(project.template)
        # only a file named like the template, or a link, can be the template: resolving
        # every path (several system calls each) is what took time on large projects
        data = sorted(
            p
            for p in project.data.rglob("*.ttl")
            if p.is_file()
            and not ((p.name == template.name or p.is_symlink()) and _resolved(p) == template)
        )
    shapes = tuple(sorted(project.shapes.glob("*.ttl"))) if project.shapes.is_dir() else ()
    if paths is None or not list(paths):
        # everything: the ontology files are reported on too (for their syntax)
        return Inputs(tuple(ontology), tuple(data), tuple(ontology) + tuple(data), shapes)
    targets: list[Path] = []
    for item in paths:
        path = Path(item)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.exists():
            raise UsageError(
                f"{item}: no such file or folder",
                hint="give the path of a .ttl file (e.g. data/cases/my-case.ttl) or a folder",
            )
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.ttl") if p.name != TEMPLATE_NAME)
            if not found:
                raise UsageError(f"{item}: this folder holds no .ttl file")
            targets += found
        else:
            targets.append(path)
    ontology_set = {_resolved(p) for p in ontology}
    targets = [p for p in dict.fromkeys(_resolved(t) for t in targets)]
    data_targets = [t for t in targets if t not in ontology_set]
    return Inputs(tuple(ontology), tuple(data), tuple(data_targets) or tuple(targets), shapes)


def _display(project: ProjectPaths, path: Path) -> str:
    relative = project.relative(path)
    if relative.startswith("/"):
        try:
            return Path(os.path.relpath(path, Path.cwd())).as_posix()
        except ValueError:  # pragma: no cover - other drive on Windows
            return relative
    return relative


def _ontology_graph(parsed: Sequence[ParsedFile]) -> Graph:
    graph = Graph()
    with quiet_rdflib():
        for number, item in enumerate(parsed):
            for triple in item.triples:
                graph.add(
                    (
                        to_rdflib(triple.subject, f"o{number}x"),
                        to_rdflib(triple.predicate, f"o{number}x"),
                        to_rdflib(triple.object, f"o{number}x"),
                    )
                )
    return graph


_CASE = "https://w3id.org/collabkg/ontology#Case"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _subjects(parsed: ParsedFile) -> tuple[set[str], set[str]]:
    """(IRIs described, IRIs typed ck:Case) in a parsed file."""
    described: set[str] = set()
    cases: set[str] = set()
    for triple in parsed.triples:
        subject = triple.subject
        if isinstance(subject, ox.NamedNode):
            described.add(subject.value)
            if (
                triple.predicate.value == _TYPE
                and isinstance(triple.object, ox.NamedNode)
                and triple.object.value == _CASE
            ):
                cases.add(subject.value)
    return described, cases


def _replace_variants(
    parsed_files: list[tuple[ParsedFile, bool]], report: Report
) -> list[tuple[ParsedFile, bool]]:
    """A target that is a variant of a data file (same case ID, most of the same items — e.g.
    an edited copy of data/cases/wigan.ttl kept elsewhere) is checked *in place of* that
    file: otherwise the file on disk would fill every gap of the copy and hide its problems.
    The shared case ID is still an error (reported here, as the other file is left out)."""
    targets = [(p, _subjects(p)) for p, is_target in parsed_files if is_target]
    keep: list[tuple[ParsedFile, bool]] = []
    for parsed, is_target in parsed_files:
        if is_target:
            keep.append((parsed, is_target))
            continue
        described, cases = _subjects(parsed)
        variant = next(
            (
                (target, shared)
                for target, (t_described, t_cases) in targets
                for shared in sorted(cases & t_cases)
                if described and len(described & t_described) >= len(described) / 2
            ),
            None,
        )
        if variant is None:
            keep.append((parsed, is_target))
            continue
        target, case = variant
        report.notes.append(
            f"{target.display} looks like an edited copy of {parsed.display} (same case "
            f"{compact(case)}, mostly the same items): it was checked in place of that file."
        )
        line = target.index.subject_line(case)
        label = next(
            (
                t.object.value
                for t in target.triples
                if isinstance(t.subject, ox.NamedNode)
                and t.subject.value == case
                and t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"
            ),
            None,
        )
        report.add(
            [
                Issue(
                    Severity.VIOLATION,
                    Stage.VOCABULARY,
                    "vocabulary.duplicate-case",
                    f"The case ID {compact(case)} is also used in {parsed.display}: "
                    "each case needs its own ID.",
                    file=target.display,
                    line=line,
                    source_line=target.index.source_line(line),
                    focus=compact(case),
                    focus_label=label,
                    focus_kind="case",
                    related=[f"{parsed.display}:{parsed.index.subject_line(case) or 1}"],
                    hint=f"if this file replaces {parsed.display}, save it there instead; "
                    f"if it is a new case, rename the case (ckd:case-{target.path.stem}) and "
                    "the items that are not the same real things",
                )
            ]
        )
    return keep


_SHAPES_CACHE: dict[tuple[tuple[str, int, int], ...], Graph] = {}


def _shapes_graph(files: Sequence[Path]) -> Graph:
    from collabkg.validate.shacl import load_shapes

    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if key not in _SHAPES_CACHE:
        _SHAPES_CACHE.clear()
        _SHAPES_CACHE[key] = load_shapes(files)
    return _SHAPES_CACHE[key]


def run(
    inputs: Inputs,
    project: ProjectPaths,
    *,
    reason: bool = False,
    case_rules: bool = True,
    stages: Sequence[str] = STAGES,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run the pipeline on ``inputs``.

    ``engine``: ``pyshacl`` (this function: every file in Python, pySHACL over one rdflib
    graph), ``sparql`` (the same checks on an Oxigraph store, for large graphs: see
    :mod:`collabkg.validate.engine`) or ``auto`` (the default: by the size of the data).
    """
    from collabkg.validate.engine import choose_engine, run_sparql

    if choose_engine(engine, inputs.data, reason=reason) == "sparql":
        return run_sparql(inputs, project, case_rules=case_rules, stages=stages, progress=progress)
    started = time.perf_counter()
    report = Report()
    target_set = {_resolved(t) for t in inputs.targets}
    report.files = [_display(project, t) for t in inputs.targets]

    # ---- 1. syntax: the ontology, every data file, the targets
    ontology_parsed: list[ParsedFile] = []
    for path in inputs.ontology:
        parsed, issues = read_turtle(path, _display(project, path))
        if parsed is None:
            report.add(issues)  # a broken ontology concerns everyone
            report.notes.append(
                f"{_display(project, path)} could not be read: the ontology "
                "is incomplete, so later checks were skipped."
            )
        else:
            ontology_parsed.append(parsed)
    ontology_set = {_resolved(p) for p in inputs.ontology}
    context = [p for p in inputs.data if _resolved(p) not in target_set]
    parsed_files: list[tuple[ParsedFile, bool]] = []
    for path in context:
        parsed, issues = read_turtle(path, _display(project, path), context=True)
        if parsed is None:
            report.notes.append(
                f"{_display(project, path)} has errors and was left out of the graph "
                f"(run: collabkg validate {_display(project, path)})."
            )
            report.other_files_problems += len(issues)
            continue
        report.other_files_problems += sum(1 for i in issues if i.severity is Severity.VIOLATION)
        parsed_files.append((parsed, False))
    for path in inputs.targets:
        if _resolved(path) in ontology_set:
            continue  # an ontology file asked about: its syntax was checked above
        parsed, issues = read_turtle(path, _display(project, path))
        report.add(issues)
        if parsed is not None:
            parsed_files.append((parsed, True))
    for name, data in inputs.texts:
        parsed, issues = parse_bytes(data, Path(name), name)
        report.add(issues)
        report.files.append(name)
        if parsed is not None:
            parsed_files.append((parsed, True))
    report.stages.append("syntax")
    report.context_files = len(
        {_resolved(p) for p in (*inputs.ontology, *context, *inputs.targets)}
    ) + len(inputs.texts)
    if not inputs.ontology:
        report.notes.append("No ontology files (ontology/*.ttl): only the syntax was checked.")
    if (
        not inputs.ontology
        or len(ontology_parsed) < len(inputs.ontology)
        or not any(t for _p, t in parsed_files)
    ):
        report.seconds = time.perf_counter() - started
        return report
    parsed_files = _replace_variants(parsed_files, report)

    # ---- 2. vocabulary
    from collabkg.validate.vocabulary import check_vocabulary

    ontology = Ontology(_ontology_graph(ontology_parsed))
    workspace = Workspace.build(ontology, parsed_files)
    skip_values: set = set()
    skip_triples: set = set()
    if "vocabulary" in stages:
        vocabulary = check_vocabulary(workspace, case_rules=case_rules)
        report.add(vocabulary.issues)
        skip_values = vocabulary.bad_values
        skip_triples = vocabulary.bad_triples
        report.stages.append("vocabulary")

    # ---- 3. SHACL
    if "shacl" in stages:
        if inputs.shapes:
            from collabkg.validate.shacl import run_shacl

            shacl = run_shacl(
                workspace,
                _shapes_graph(inputs.shapes),
                skip_values=skip_values,
                skip_triples=skip_triples,
            )
            report.add(shacl.issues)
            report.other_files_problems += shacl.elsewhere
            report.stages.append("shacl")
        else:
            report.notes.append(
                "No SHACL shapes found (shapes/*.ttl): the data model was not checked."
            )

    # ---- 4. OWL consistency (optional, slow)
    if reason and "consistency" in stages:
        from collabkg.validate.consistency import check_consistency

        issues, notes = check_consistency(workspace)
        report.add(issues)
        report.notes += notes
        report.stages.append("consistency")
    report.seconds = time.perf_counter() - started
    return report


def validate(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    reason: bool = False,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """``collabkg validate [PATH...]``: check the named files (default: all of data/).

    The report is remembered by the content of the files (see
    :func:`collabkg.validate.engine.run_cached`)."""
    from collabkg.validate.engine import run_cached

    project = ProjectPaths.discover(root)
    inputs = project_inputs(project, paths)
    return run_cached(inputs, project, reason=reason, engine=engine, progress=progress)


def validate_text(
    data: bytes | str,
    *,
    name: str = "case.ttl",
    root: str | os.PathLike[str] | None = None,
    reason: bool = False,
) -> Report:
    """Check Turtle held in memory (an upload, a text box) against the project's graph,
    exactly as ``collabkg validate`` checks a file; nothing is written to disk.

    ``name`` is what the report calls the file; a name that is already a data file's (e.g.
    ``data/cases/wigan.ttl``) replaces that file for the check.
    """
    project = ProjectPaths.discover(root)
    base = project_inputs(project)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    replaced = (project.root / name).resolve() if "/" in name else None
    context = tuple(p for p in base.data if replaced is None or _resolved(p) != replaced)
    inputs = Inputs(base.ontology, context, (), base.shapes, texts=((name, raw),))
    return run(inputs, project, reason=reason)


_GRAPH_CACHE: dict[tuple[object, ...], Report] = {}


def validate_graph_files(files: Sequence[Path], project: ProjectPaths) -> Report:
    """Validate exactly the files a KnowledgeGraph is about to load (all of them reported).

    The result is cached in-process by the files' names, sizes and modification times, so a
    graph loaded again from unchanged files is not validated twice.
    """
    ontology_dir = _resolved(project.ontology)
    ontology = [f for f in files if _resolved(f).is_relative_to(ontology_dir)]
    data = [f for f in files if f not in ontology]
    shapes = tuple(sorted(project.shapes.glob("*.ttl"))) if project.shapes.is_dir() else ()
    key: tuple[object, ...] = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in [*files, *shapes] if p.exists()
    )
    if key in _GRAPH_CACHE:
        return _GRAPH_CACHE[key]
    from collabkg.validate.engine import run_cached

    report = run_cached(Inputs(tuple(ontology), tuple(data), tuple(data), shapes), project)
    if len(_GRAPH_CACHE) > 16:
        _GRAPH_CACHE.clear()
    _GRAPH_CACHE[key] = report
    return report


def summary_line(report: Report) -> str:
    counts = report.counts()
    return (
        f"{counts['violation']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} note(s) in {len(report.files)} file(s)"
    )


__all__ = [
    "STAGES",
    "Inputs",
    "Issue",
    "Report",
    "Severity",
    "Stage",
    "project_inputs",
    "run",
    "summary_line",
    "validate",
    "validate_graph_files",
    "validate_text",
]
