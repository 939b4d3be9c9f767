"""The served endpoint is read-only and never calls out: updates and SERVICE are refused,
and a logging HTTP listener that the SERVICE (or LOAD, FROM...) IRIs point at sees
no request at all."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from collabkg.backends.remote import RemoteBackend
from collabkg.errors import EndpointError
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph
from tests.support.endpoints import REPO, Served
from tests.support.waiting import stays_false

from .servers import Listener

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def http(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    ctype: str | None = None,
    accept: str = "application/sparql-results+json",
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Accept", accept)
    if ctype:
        request.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def get_query(served: Served, query: str, **extra: str) -> tuple[int, str]:
    params = urllib.parse.urlencode({"query": query, **extra})
    return http("GET", f"{served.url}?{params}")


def post_direct(served: Served, query: str) -> tuple[int, str]:
    return http("POST", served.url, body=query.encode(), ctype="application/sparql-query")


def post_form(served: Served, query: str, name: str = "query") -> tuple[int, str]:
    body = urllib.parse.urlencode({name: query}).encode()
    return http("POST", served.url, body=body, ctype="application/x-www-form-urlencoded")


def service_queries(target: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { ?x ?y ?z { SELECT ?s WHERE { "
        f"SERVICE <{target}/a> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{target}/b> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{target}/c> {{ ?s ?p ?o }} }} }}",
        f"prefix x: <{target}/> select * {{ service x:d {{ ?s ?p ?o }} }}",
    ]


def test_the_listener_would_see_a_service_call(listener: Listener) -> None:
    """Control: Oxigraph does execute SERVICE, and the listener records it."""
    store = ox.Store()
    list(store.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"))
    assert len(listener.requests) == 1


def test_service_is_refused_in_every_form_and_nothing_goes_out(
    served: Served, listener: Listener
) -> None:
    for query in service_queries(listener.url):
        for send in (get_query, post_direct, post_form):
            status, text = send(served, query)
            assert status == 403, (query, send.__name__, status, text)
            assert "SERVICE is not allowed" in text
    # watched for a while: anything in flight would have arrived
    assert stays_false(lambda: bool(listener.requests))


def test_service_through_the_remote_backend_is_a_clear_error(
    served_graph: KnowledgeGraph, listener: Listener
) -> None:
    with pytest.raises(EndpointError) as caught:
        served_graph.select(f"SELECT * WHERE {{ SERVICE <{listener.url}/s> {{ ?s ?p ?o }} }}")
    assert "HTTP 403" in caught.value.message
    assert "SERVICE is not allowed" in caught.value.message
    assert "\n" not in caught.value.one_line()
    assert listener.requests == []


def test_updates_are_refused_and_the_data_is_unchanged(
    served: Served, listener: Listener
) -> None:
    before = get_query(served, COUNT)
    insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    load = f"LOAD <{listener.url}/data.ttl>"
    update_url = served.url.rsplit("/", 1)[0] + "/update"
    store_url = served.url.rsplit("/", 1)[0] + "/store"
    attempts = [
        http("POST", update_url, body=insert.encode(), ctype="application/sparql-update"),
        http("POST", update_url, body=urllib.parse.urlencode({"update": load}).encode(),
             ctype="application/x-www-form-urlencoded"),
        http("POST", served.url, body=load.encode(), ctype="application/sparql-update"),
        post_form(served, insert, name="update"),
        post_form(served, load, name="update"),
        post_direct(served, insert),
        post_direct(served, "DELETE WHERE { ?s ?p ?o }"),
        get_query(served, "CLEAR ALL"),
        http("GET", f"{served.url}?{urllib.parse.urlencode({'update': insert})}"),
        http("PUT", f"{store_url}?default", body=b"<urn:a> <urn:b> <urn:c> .",
             ctype="text/turtle"),
        http("DELETE", f"{store_url}?default"),
        http("POST", f"{store_url}?default", body=b"<urn:a> <urn:b> <urn:c> .",
             ctype="text/turtle"),
    ]
    for status, text in attempts:
        assert status in (400, 403), (status, text)
        assert "read-only" in text or "update" in text
    assert get_query(served, COUNT) == before
    assert listener.requests == []


def test_from_and_default_graph_uri_do_not_fetch_anything(
    served: Served, listener: Listener
) -> None:
    status, _text = get_query(served, f"SELECT * FROM <{listener.url}/g> WHERE {{ ?s ?p ?o }}")
    assert status == 200
    status, _text = get_query(
        served, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **{"default-graph-uri": listener.url}
    )
    assert status == 200
    assert stays_false(lambda: bool(listener.requests))


def test_queries_work_by_get_post_and_form(served: Served, project_graph: KnowledgeGraph) -> None:
    expected = str(project_graph.triple_count())
    for send in (get_query, post_direct, post_form):
        status, text = send(served, COUNT)
        assert status == 200, text
        assert f'"value":"{expected}"' in text.replace(" ", "")


def test_a_syntax_error_is_a_400_with_the_position(served: Served) -> None:
    status, text = get_query(served, "SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert "syntax error" in text.lower()


def test_unknown_paths_and_media_types(served: Served) -> None:
    base = served.url.rsplit("/", 1)[0]
    assert http("GET", f"{base}/nothing-here")[0] == 404
    status, _ = http("POST", served.url, body=b"x", ctype="text/plain")
    assert status == 415
    status, text = http("GET", served.url)
    assert status == 400 and "query" in text


def test_a_runaway_query_is_stopped_at_the_timeout(served_mini_short_timeout: Served) -> None:
    heavy = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    )
    started = time.monotonic()
    status, text = get_query(served_mini_short_timeout, heavy)
    took = time.monotonic() - started
    assert status >= 500, text
    assert took < 10
    # the endpoint still answers afterwards
    assert get_query(served_mini_short_timeout, "ASK {}")[0] == 200


def test_the_remote_backend_reports_server_errors_in_one_line(served: Served) -> None:
    graph = load_graph(REPO, backend=RemoteBackend(served.url))
    with pytest.raises(EndpointError) as caught:
        graph.select("SELECT * WHERE { ?s ?p }")
    assert "rejected the query (HTTP 400)" in caught.value.message
    wrong = served.url.rsplit("/", 1)[0] + "/nothing-here"
    with pytest.raises(EndpointError) as caught:
        load_graph(REPO, backend=RemoteBackend(wrong)).select("SELECT * {}")
    assert "HTTP 404" in caught.value.message
