"""Stage 2, the vocabulary: each rule one unit, its pre-filter beside its check.

The rules, in the order they run on a file asked about (:data:`RULES`):

========================  ==========================================  ====================
rule (module)             reports                                     pre-filter
========================  ==========================================  ====================
placeholders (terms)      ``CHANGE-ME`` left from the template        local
prefixes (terms)          ck:/ckc:/ckd: bound to another namespace    local
terms (terms)             undefined ck:/ckc: terms, unknown W3C terms local
statements (statements)   the :data:`~.statements.STATEMENT_RULES`:   local and graph,
                          a term in the wrong position, text for a    rule by rule
                          link, links to nothing, no type, clashing
                          kinds, wrong domain
file-content (files)      no collabkg data, no/several cases, case    local
                          ID not named after its file
integrity (integrity)     two names in one language on one item;      local
                          a line accountable to itself; kind and
                          sector disagree; a blank-node cycle
quotations (evidence)     ck:hasText not in its source's text; a      local and graph
                          source's text missing or changed            (texts matched on
                                                                      the store)
shared-items (files)      same case ID in two files; an item two      graph
                          files give different kinds or names
========================  ==========================================  ====================

Adding a rule is adding one unit: write its check and its pre-filter (a
:class:`~.base.FileRule`, :class:`~.base.StatementRule` or :class:`~.base.GraphRule`) in
the module of its kind and list it here (or in ``STATEMENT_RULES``). The pre-filter must
be True for every file the check could report on (a rule with no pre-filter selects every
file: correct, and slow at a million triples); the comparison tests
(``tests/validate/test_engines.py``) run everything with and without the pre-filters.
"""

from __future__ import annotations

from collections.abc import Iterable

from collabkg.validate.rules.base import Context, Facts, FileScan, GraphScope
from collabkg.validate.rules.checker import (
    Checker,
    FileRule,
    GraphRule,
    Rule,
    StatementRule,
    VocabularyResult,
)
from collabkg.validate.rules.evidence import QUOTATIONS
from collabkg.validate.rules.files import CONTENT, SHARED
from collabkg.validate.rules.hints import closest
from collabkg.validate.rules.integrity import INTEGRITY
from collabkg.validate.rules.statements import STATEMENT_RULES, STATEMENTS
from collabkg.validate.rules.terms import PLACEHOLDERS, PREFIXES_RULE, TERMS
from collabkg.validate.syntax import ParsedFile

FILE_RULES: tuple[FileRule, ...] = (
    PLACEHOLDERS, PREFIXES_RULE, TERMS, STATEMENTS, CONTENT, INTEGRITY
)
"""Run on each file asked about, in this order."""
GRAPH_RULES: tuple[GraphRule, ...] = (SHARED, QUOTATIONS)
"""Run once, after the file rules, over the files of the workspace."""
RULES: tuple[Rule, ...] = (*FILE_RULES, *STATEMENT_RULES, *GRAPH_RULES)
"""Every unit (each with its pre-filters)."""


def check_vocabulary(
    workspace: object, *, case_rules: bool = True, quotations: bool = True
) -> VocabularyResult:
    """Run every rule on the files asked about in ``workspace`` (a
    :class:`~collabkg.validate.workspace.Workspace`)."""
    chk = Checker(workspace, case_rules=case_rules)  # type: ignore[arg-type]
    for item in chk.ws.targets:
        chk.wrong_ns = set()
        chk.first_use = {}
        for rule in FILE_RULES:
            # a rule runs where its own pre-filter selected the file (the statements unit
            # where one of its statement rules did: each is then asked again)
            if rule is STATEMENTS or chk.selects(rule.name, item):
                rule.check(chk, item)
    for graph_rule in GRAPH_RULES:
        if graph_rule is QUOTATIONS and not quotations:
            continue  # the quotations stage was not asked for
        graph_rule.check(chk)
    return chk.result


def select_local(parsed: ParsedFile, ctx: Context) -> tuple[frozenset[str], Facts]:
    """The rules whose local pre-filter selects ``parsed``, and the file's :class:`Facts`
    for the graph-wide pre-filters (computed in the worker that parsed the file)."""
    scan = FileScan.of(parsed, ctx)
    chosen = frozenset(
        r.name
        for r in RULES
        if (r.local is not None and r.local(scan, ctx))
        # a rule with no pre-filter at all selects every file (never skipped by mistake)
        or (r.local is None and r.graph is None and r is not STATEMENTS)
    )
    return chosen, Facts.of(scan, ctx)


def select_graphs(scope: GraphScope) -> set[str]:
    """The named graphs (files) some rule's graph-wide pre-filter selects."""
    found: set[str] = set()
    for graphs in select_graphs_by_rule(scope).values():
        found |= graphs
    return found


def select_graphs_by_rule(scope: GraphScope) -> dict[str, set[str]]:
    """Each rule with a graph-wide pre-filter, and the named graphs (files) it selects."""
    return {rule.name: rule.graph(scope) for rule in RULES if rule.graph is not None}


def rule_names(rules: Iterable[Rule] = RULES) -> list[str]:
    return [r.name for r in rules]


__all__ = [
    "FILE_RULES",
    "GRAPH_RULES",
    "RULES",
    "Context",
    "Facts",
    "GraphScope",
    "StatementRule",
    "VocabularyResult",
    "check_vocabulary",
    "closest",
    "rule_names",
    "select_graphs",
    "select_graphs_by_rule",
    "select_local",
]
