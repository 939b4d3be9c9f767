"""The served endpoint is read-only and never calls out: updates and SERVICE are refused,
and a logging HTTP listener that the SERVICE (or LOAD, FROM...) IRIs point at sees
no request at all."""

from __future__ import annotations

import json
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
from tests.support.endpoint_servers import Listener
from tests.support.endpoints import REPO, Served
from tests.support.waiting import stays_false, wait_until

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


def test_a_from_clause_names_the_default_graph_on_the_endpoint_too(
    served: Served, project_graph: KnowledgeGraph
) -> None:
    graph = "https://w3id.org/collabkg/graph/data/cases/wigan.ttl"
    in_file = project_graph.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    ).rows[0]["n"]
    assert 0 < int(in_file) < project_graph.triple_count()
    for query, expected in [
        (f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}", str(in_file)),
        ("SELECT (COUNT(*) AS ?n) FROM <http://example.org/nothing> WHERE { ?s ?p ?o }", "0"),
    ]:
        status, text = get_query(served, query)
        assert status == 200, text
        assert f'"value":"{expected}"' in text.replace(" ", "")


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


def test_endpoint_syntax_error_position_pointed_into_the_rewritten_query(
    served: Served,
) -> None:
    """The body said the place in the text the engine ran (prefixed names written out in
    full: column 77 of a 45-character query) and the engine's grammar list."""
    query = "SELECT * WHERE { ?s ck:hasMember ?o } LIMIT x"
    status, text = get_query(served, query)
    assert status == 400
    assert f"line 1:column {query.index(' x') + 2}:" in text
    assert "expected" not in text


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


# --------------------------------------------------------------------------- protocol


def test_construct_and_describe_without_accept_get_turtle(served: Served) -> None:
    """Regression: CONSTRUCT/DESCRIBE with no Accept header got 406."""
    import rdflib

    for query in ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
                  "DESCRIBE ?s WHERE { ?s a ck:Organisation } LIMIT 1"):
        request = urllib.request.Request(f"{served.url}?{urllib.parse.urlencode({'query': query})}")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/turtle")
            graph = rdflib.Graph().parse(data=response.read().decode(), format="turtle")
        assert len(graph) > 0


def test_unacceptable_media_types_are_406_and_select_defaults_to_json(served: Served) -> None:
    status, text = http("GET", f"{served.url}?{urllib.parse.urlencode({'query': COUNT})}",
                        accept="image/png")
    assert status == 406 and "text/csv" in text
    status, text = http("GET", f"{served.url}?{urllib.parse.urlencode({'query': COUNT})}",
                        accept="*/*")
    assert status == 200 and '"head"' in text


def test_long_canned_queries_work_with_sparqlwrapper_and_sparqlstore_defaults(
    served: Served,
) -> None:
    """Regression: GETs over ~8 KB failed (the canned collaboration-profile with the
    defaults of SPARQLWrapper and rdflib's SPARQLStore)."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    text = (REPO / "queries" / "collaboration-profile.rq").read_text(encoding="utf-8")
    assert len(urllib.parse.quote(text)) > 8192
    client = SPARQLWrapper(served.url)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert "results" in answer  # type: ignore[operator]
    store = SPARQLStore(served.url)
    rows = list(store.query(text))
    assert len(rows) == len(answer["results"]["bindings"])  # type: ignore[index]
    store.close()


def test_sparqlwrapper_takes_every_canned_query_for_a_select() -> None:
    """Regression: SPARQLWrapper guesses the form from the text, comments included, and a
    '#+' description containing 'adds' made it send a SELECT as an ADD update."""
    from SPARQLWrapper import SPARQLWrapper

    for path in sorted((REPO / "queries").glob("*.rq")):
        client = SPARQLWrapper("http://127.0.0.1:9/query")
        client.setQuery(path.read_text(encoding="utf-8"))
        assert client.queryType == "SELECT", (
            f"{path.name}: SPARQLWrapper reads it as {client.queryType}. It removes only every "
            "other '#' line of a run of comment lines and takes the first SELECT, ASK, ADD, "
            "LOAD... it finds, even inside a word ('askedBy', 'addressed'): reword the header "
            "line, or swap it with its neighbour"
        )


def test_a_relative_iri_reveals_only_the_public_address(served: Served) -> None:
    """Regression: SELECT (<> AS ?b) gave the hidden Oxigraph's port."""
    status, text = get_query(served, "SELECT (<> AS ?b) WHERE {}")
    assert status == 200
    value = json.loads(text)["results"]["bindings"][0]["b"]["value"]
    assert value == served.url


def test_an_empty_query_is_a_400_not_an_update(served: Served) -> None:
    for query in ("", "   \n", "# only a comment\n"):
        for send in (get_query, post_direct, post_form):
            status, text = send(served, query)
            assert status == 400, (query, send.__name__, text)
            assert "empty" in text and "update" not in text


def test_queries_up_to_the_limit_work_by_get_and_post(served: Served) -> None:
    values = " ".join(f'"v{i}"' for i in range(20000))  # about 180 KB of query
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?v {{ {values} }} }}"
    for send in (get_query, post_direct, post_form):
        status, text = send(served, query)
        assert status == 200, (send.__name__, text[:200])
        assert '"value":"20000"' in text.replace(" ", "")


def test_the_log_is_one_line_per_request_without_tracebacks(project_graph) -> None:
    import io
    import socket
    import threading

    from collabkg.server import free_port, running_endpoint

    log = io.StringIO()
    with running_endpoint(project_graph, port=free_port(), timeout_s=5, log=log) as endpoint:
        thread = threading.Thread(target=endpoint.filter.serve_forever,
                                  kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            url = endpoint.url
            http("GET", f"{url}?{urllib.parse.urlencode({'query': COUNT})}")
            http("GET", f"{url}?{urllib.parse.urlencode({'query': 'SELECT * {'})}")
            http("POST", url, body=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                 ctype="application/sparql-query")
            host, port = url.split("/")[2].split(":")
            for _ in range(20):  # clients that connect and leave, or send half a request
                with socket.create_connection((host, int(port))) as sock:
                    sock.sendall(b"GET /query?query=ASK")
            # watched, not slept: fails at once if a traceback is logged
            assert stays_false(lambda: "Traceback" in log.getvalue(), within=0.5)
        finally:
            endpoint.filter.shutdown()
            thread.join(10)
    text = log.getvalue()
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert 3 <= len(lines) <= 3 + 20
    assert any(" 200 SELECT " in line for line in lines)
    assert any(" 403 " in line for line in lines)


@pytest.mark.slow
def test_connections_are_served_by_a_bounded_pool(served: Served) -> None:
    import socket
    import threading

    from collabkg.server import MAX_CONNECTIONS

    host, port = served.url.split("/")[2].split(":")
    before = threading.active_count()
    idle = [socket.create_connection((host, int(port))) for _ in range(200)]
    try:
        assert stays_false(
            lambda: threading.active_count() - before > MAX_CONNECTIONS, within=0.5
        )
    finally:
        for sock in idle:
            sock.close()
    assert wait_until(lambda: get_query(served, COUNT)[0] == 200, timeout=10)


@pytest.mark.virtuoso
def test_analyst_queries_mean_the_same_on_every_engine(
    served_graph: KnowledgeGraph, project_graph: KnowledgeGraph, virtuoso
) -> None:
    """The canonical text (IRIs with '#' written as \\u0023, prefixed names in full) is read
    alike by the embedded store, collabkg serve and Virtuoso."""
    from collabkg.backends.remote import RemoteBackend
    from tests.support.endpoints import DATA_GRAPH

    on_virtuoso = load_graph(
        REPO, backend=RemoteBackend(virtuoso.sparql_url, default_graph=DATA_GRAPH)
    )
    query = (
        "SELECT ?org ?label WHERE { ?org a ck:LocalAuthority ; rdfs:label ?label . "
        'FILTER(?label != "\\u0022") } ORDER BY ?label'
    )
    answers = [
        sorted((str(row["org"]), str(row["label"])) for row in graph.user_query(query))
        for graph in (project_graph, served_graph, on_virtuoso)
    ]  # (the engines sort ties differently)
    assert answers[0] and answers[0] == answers[1] == answers[2]
