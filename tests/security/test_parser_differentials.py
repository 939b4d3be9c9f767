"""SERVICE attempts that parsers read differently never make a request.

Layer 1 alone (the filter): every attempt is refused, or the canonical text it becomes
makes ZERO requests even when run on a bare, unisolated Oxigraph store in this process.
Both layers (the path ``collabkg query --sparql`` and the explorer's SPARQL page take,
:meth:`KnowledgeGraph.user_query`): zero requests. Controls show that the corpus is real:
sent unfiltered to bare Oxigraph, the attempts marked ``bare`` do call the listener.
"""

from __future__ import annotations

import contextlib

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collabkg.errors import CollabkgError, QueryError
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph
from collabkg.sparql_safety import check_query
from tests.support.attacks import (
    CORPUS,
    FRAGMENT_BREAKS,
    FRAGMENT_IRIS,
    FRAGMENT_STRINGS,
    Attack,
    fill,
)
from tests.support.listener import CountingListener
from tests.support.variants import LISTENER, Lazy, variants


def _run_bare(text: str) -> None:
    """Run on a bare in-process Oxigraph store (no filter, no isolation)."""
    try:
        result = ox.Store().query(text, base_iri="http://example.org/")
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass


def _filtered_requests(text: str, listener: CountingListener) -> int:
    """Requests the filtered text makes (watched for 0.05 s after it ran: a late one counts)."""
    before = listener.count()
    try:
        checked = check_query(text)
    except QueryError:
        checked = None
    if checked is not None:
        _run_bare(checked.text)
    listener.stays_at(before, within=0.05)
    return listener.count() - before


@pytest.mark.parametrize("attack", [a for a in CORPUS if a.bare], ids=lambda a: a.name)
def test_control_bare_oxigraph_does_call_out(attack: Attack, listener: CountingListener):
    before = listener.count()
    _run_bare(attack.text(listener.url))
    assert listener.arrives_after(before), "this attempt no longer reaches bare Oxigraph"


@pytest.mark.parametrize("attack", CORPUS, ids=lambda a: a.name)
def test_the_filter_alone_lets_no_request_out(attack: Attack, listener: CountingListener):
    assert _filtered_requests(attack.text(listener.url), listener) == 0


@pytest.mark.parametrize("attack", CORPUS, ids=lambda a: a.name)
def test_user_query_makes_no_request(
    attack: Attack, listener: CountingListener, mini_graph: KnowledgeGraph
):
    before = listener.count()
    with contextlib.suppress(CollabkgError):
        mini_graph.user_query(attack.text(listener.url))
    assert listener.stays_at(before)


def test_what_runs_is_the_canonical_text():
    checked = check_query('SELECT ?x WHERE { BIND("\\u0022" AS ?x) } # note\r')
    assert checked.text.rstrip() == 'SELECT ?x WHERE { BIND("\\"" AS ?x) }'
    assert "#" not in checked.text and "\r" not in checked.text


def test_quote_escape_in_a_string_is_a_quote_not_an_end():
    """Regression: FILTER(CONTAINS(STR(?l), "\\u0022")) was refused as a syntax error."""
    assert check_query('SELECT * WHERE { ?s ?p ?l FILTER(CONTAINS(STR(?l), "\\u0022")) }').form \
        == "SELECT"


def test_prefixed_names_are_written_in_full():
    checked = check_query("PREFIX SERVICE: <urn:x:> SELECT * WHERE { SERVICE:a ?p ?o }")
    assert "SERVICE" not in checked.text.upper().replace("URN:X:A", "")
    assert "<urn:x:a>" in checked.text


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_variants_pass_the_filter_only_without_requests(data: st.DataObject):
    listener = LISTENER.get()
    text = data.draw(variants(listener.url))
    assert _filtered_requests(text, listener) == 0, text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_variants_make_no_request_through_user_query(data: st.DataObject):
    listener = LISTENER.get()
    graph = _GRAPH.get()
    text = data.draw(variants(listener.url))
    before = listener.count()
    with contextlib.suppress(CollabkgError):
        graph.user_query(text)
    assert listener.stays_at(before, within=0.02), text


def _mini() -> KnowledgeGraph:
    from pathlib import Path

    return load_graph(Path(__file__).resolve().parents[1] / "fixtures" / "mini")


_GRAPH = Lazy(_mini)


def test_some_generated_variants_would_reach_bare_oxigraph():
    """Control for the generator: unfiltered, a fair share of its texts do call out."""
    import random

    listener = LISTENER.get()
    rng = random.Random(7)
    reached = 0
    for _ in range(60):
        text = fill(
            f"PREFIX e: <{{url}}/> SELECT * WHERE {{{rng.choice(FRAGMENT_BREAKS)}"
            f"BIND({rng.choice(FRAGMENT_STRINGS)} AS ?x) SERVICE "
            f"{rng.choice(FRAGMENT_IRIS)} {{ ?s ?p ?o }} }}",
            listener.url,
        )
        before = listener.count()
        _run_bare(text)
        reached += listener.arrives_after(before, within=0.02)
    assert reached >= 10


def test_iris_are_hardened_only_where_less_than_can_be_read():
    """Regression: FILTER(?a<?b#>...) made Oxigraph read '<' as less than and '#' as a
    comment that hid the rest of the line; elsewhere IRIs stay as written (Virtuoso reads
    no \\u escape in an IRI)."""
    plain = check_query("SELECT * WHERE { ?s <http://x/#p> ?o FILTER(?o = <http://x/#v>) }")
    assert "<http://x/#p>" in plain.text and "<http://x/#v>" in plain.text
    rows = check_query("SELECT * WHERE { VALUES (?a ?b) { (<http://x/#a> <http://x/#b>) } }")
    assert "<http://x/#a> <http://x/#b>" in rows.text  # data, not an expression
    hardened = check_query("SELECT * WHERE { FILTER(?a<?b#'>) }")
    assert "\\u0023" in hardened.text and "\\u0027" in hardened.text and "#" not in hardened.text
