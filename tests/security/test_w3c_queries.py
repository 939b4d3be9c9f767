"""The W3C SPARQL test suites' valid queries are not refused, and the canonical text the
check produces is still valid for the engine (read at run time from
../shared/w3c-sparql-tests/)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from collabkg.errors import QueryError, ReadOnlyViolation
from collabkg.sparql_text import canonical_query
from tests.support.w3c import suite_dir, suite_queries

pytestmark = pytest.mark.skipif(
    not suite_dir().is_dir(), reason=f"the W3C SPARQL test suites are not at {suite_dir()}"
)


def _valid() -> list:
    return [q for q in suite_queries() if q.kind in ("positive", "evaluation")]


def test_no_valid_w3c_query_is_refused_and_the_engine_reads_every_canonical_text():
    valid = _valid()
    assert len(valid) > 700
    refused: list[str] = []
    unreadable: list[str] = []
    with_service = 0
    for query in valid:
        text = query.text()
        try:
            checked = canonical_query(text)
        except ReadOnlyViolation as exc:
            if "SERVICE" in exc.message:
                with_service += 1
                continue
            refused.append(f"{query.name}: {exc.one_line()}")
            continue
        except QueryError as exc:
            refused.append(f"{query.name}: {exc.one_line()}")
            continue
        try:
            ox.Store().query(checked.text, base_iri="http://example.org/base/")
        except SyntaxError as exc:
            unreadable.append(f"{query.name}: {exc}")
        except (OSError, RuntimeError, ValueError):
            pass  # parsed (an unsupported custom function, say): not a refusal
    assert refused == []
    assert unreadable == []
    assert 0 < with_service < 20  # the federation tests: refused on purpose


def test_regression_case_insensitive_booleans_are_accepted():
    """The one W3C query the engine refused as written (TRUE, False)."""
    checked = canonical_query("SELECT (TRUE as ?t) (False as ?f) {}")
    assert "true" in checked.text and "false" in checked.text
    ox.Store().query(checked.text)


@pytest.mark.parametrize("count", [84, 200])
def test_regression_many_triple_patterns(count: int):
    """rdflib refused 84 or more '.'-separated triple patterns."""
    body = " . ".join(f"?s{i} <urn:p> ?o{i}" for i in range(count))
    assert canonical_query(f"SELECT * WHERE {{ {body} }}").form == "SELECT"


def test_regression_long_construct_template_and_deep_parentheses():
    template = " . ".join(f"?s <urn:p{i}> ?o" for i in range(120))
    checked = canonical_query(f"CONSTRUCT {{ {template} }} WHERE {{ ?s ?p ?o }}")
    ox.Store().query(checked.text)
    nested = "(" * 25 + "1" + ")" * 25
    checked = canonical_query(f"SELECT ({nested} AS ?x) WHERE {{}}")
    assert next(iter(ox.Store().query(checked.text)))["x"].value == "1"
