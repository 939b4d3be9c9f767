"""collabkg serve as SPARQL clients use it: SPARQLWrapper's formats, row limits, requests
that arrive slowly or oddly encoded, and browsers (CORS)."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import rdflib

from tests.support.endpoints import Served
from tests.support.http_client import http
from tests.support.waiting import wait_until

SELECT = "SELECT ?s WHERE { ?s a ck:LocalAuthority } LIMIT 2"
ASK = "ASK { ?s a ck:LocalAuthority }"
CONSTRUCT = "CONSTRUCT { ?s a ck:LocalAuthority } WHERE { ?s a ck:LocalAuthority } LIMIT 1"
DESCRIBE = "DESCRIBE ?s WHERE { ?s a ck:LocalAuthority } LIMIT 1"
FORMS = {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}

# what each SPARQLWrapper return format naturally means for each kind of answer
RESULTS_TYPE = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
}
GRAPH_TYPE = {
    "json": "application/ld+json", "json-ld": "application/ld+json",
    "xml": "application/rdf+xml", "rdf+xml": "application/rdf+xml", "rdf": "application/rdf+xml",
    "n3": "text/turtle", "turtle": "text/turtle",
}
RDFLIB_FORMAT = {
    "application/ld+json": "json-ld", "application/rdf+xml": "xml", "text/turtle": "turtle",
    "application/n-triples": "nt",
}


def _sparqlwrapper_formats() -> list[str]:
    from SPARQLWrapper.Wrapper import _allowedFormats

    return [*_allowedFormats, "default"]


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("return_format", _sparqlwrapper_formats())
def test_constructs_asked_with_format_json_got_406(
    served: Served, form: str, return_format: str
) -> None:
    """Regression: SPARQLWrapper adds format=/output=/results= to the address; the server
    read them ahead of Accept, as results formats, and refused every CONSTRUCT and DESCRIBE
    not asked as Turtle (406). Each return format now gets its natural format for the
    form, and one that means nothing for the form gets what the Accept header allows."""
    import warnings

    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(served.url)
    client.setQuery(FORMS[form])
    if return_format != "default":
        client.setReturnFormat(return_format)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Sending Accept header '*/*'..."
        response = client.query().response
    assert response.status == 200
    ctype = response.headers["Content-Type"].split(";")[0]
    asked = client.returnFormat
    body = response.read()
    if form in ("SELECT", "ASK"):
        assert ctype == RESULTS_TYPE.get(asked, "application/sparql-results+json")
        assert (b"LocalAuthority" in body or b"true" in body or b"/id/" in body), body[:200]
    else:
        assert ctype == GRAPH_TYPE.get(asked, "text/turtle")
        graph = rdflib.Graph().parse(data=body, format=RDFLIB_FORMAT[ctype])
        assert len(graph) > 0


@pytest.mark.parametrize(("form", "alias", "expected"), [
    ("CONSTRUCT", "json", "application/ld+json"),
    ("CONSTRUCT", "xml", "application/rdf+xml"),
    ("CONSTRUCT", "nt", "application/n-triples"),
    ("DESCRIBE", "turtle", "text/turtle"),
    ("SELECT", "xml", "application/sparql-results+xml"),
    ("SELECT", "tsv", "text/tab-separated-values"),
    ("ASK", "csv", "text/csv"),
    ("SELECT", "application/sparql-results+xml", "application/sparql-results+xml"),
    ("CONSTRUCT", "application/rdf+xml", "application/rdf+xml"),
])
def test_a_format_parameter_names_the_natural_format_of_the_form(
    served: Served, form: str, alias: str, expected: str
) -> None:
    for name in ("format", "output", "results"):
        url = f"{served.url}?{urllib.parse.urlencode({'query': FORMS[form], name: alias})}"
        status, text, headers = http("GET", url, accept=None)
        assert status == 200, text
        assert headers["Content-Type"].split(";")[0] == expected


def test_an_unknown_format_word_falls_back_to_the_accept_header(served: Served) -> None:
    for form, accept, expected in [
        ("SELECT", "text/csv", "text/csv"),
        ("CONSTRUCT", "application/n-triples", "application/n-triples"),
        ("CONSTRUCT", None, "text/turtle"),
    ]:
        params = {"query": FORMS[form], "format": "no-such-format"}
        status, text, headers = http("GET", f"{served.url}?{urllib.parse.urlencode(params)}",
                                     accept=accept)
        assert status == 200, text
        assert headers["Content-Type"].split(";")[0] == expected


def test_only_an_impossible_request_is_406_and_it_says_what_can_be_given(served: Served) -> None:
    params = urllib.parse.urlencode({"query": CONSTRUCT, "format": "csv"})
    status, text, headers = http("GET", f"{served.url}?{params}",
                                 accept="application/sparql-results+json")
    assert status == 406
    assert headers["Content-Type"].startswith("text/plain")
    assert "text/turtle" in text and "application/ld+json" in text and "format=" in text


def test_accept_text_star_got_json(served: Served) -> None:
    """Regression: ``Accept: text/*`` was answered application/sparql-results+json."""
    for form, expected in [("SELECT", "text/csv"), ("ASK", "text/csv"),
                           ("CONSTRUCT", "text/turtle"), ("DESCRIBE", "text/turtle")]:
        url = f"{served.url}?{urllib.parse.urlencode({'query': FORMS[form]})}"
        status, text, headers = http("GET", url, accept="text/*")
        assert status == 200, text
        assert headers["Content-Type"].split(";")[0] == expected
    url = f"{served.url}?{urllib.parse.urlencode({'query': SELECT})}"
    _status, _text, headers = http("GET", url,
                                   accept="text/tab-separated-values;q=0.9, text/*;q=0.5")
    assert headers["Content-Type"].startswith("text/tab-separated-values")
    _status, _text, headers = http("GET", url, accept="text/csv;q=0, text/*")
    assert headers["Content-Type"].startswith("text/tab-separated-values")


# --------------------------------------------------------------------------- row limits


@dataclass
class Logged:
    url: str
    log: io.StringIO
    row_limit: int


def _serve(graph: object, *, row_limit: int | None = None, timeout_s: float = 5.0,
           ) -> Iterator[Logged]:
    from collabkg.server import free_port, running_endpoint

    log = io.StringIO()
    extra = {} if row_limit is None else {"row_limit": row_limit}
    with running_endpoint(graph, port=free_port(), timeout_s=timeout_s, log=log,  # type: ignore[arg-type]
                          **extra) as endpoint:
        thread = threading.Thread(target=endpoint.filter.serve_forever,
                                  kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield Logged(endpoint.url, log, row_limit or 0)
        finally:
            endpoint.filter.shutdown()
            thread.join(10)


@pytest.fixture(scope="module")
def limited(mini_graph) -> Iterator[Logged]:
    """The endpoint over the mini project, answers cut at 3 rows (or triples)."""
    yield from _serve(mini_graph, row_limit=3)


def _rows_header(headers: dict[str, str]) -> str | None:
    return {k.lower(): v for k, v in headers.items()}.get("x-collabkg-rows-limited")


def test_a_select_of_every_pair_of_quotations_was_not_cut(limited: Logged) -> None:
    """Regression: there was no row limit at all (a cross product gave 191,845 rows, 25 MB).
    An answer is cut at the limit and says so in X-Collabkg-Rows-Limited and the log."""
    pairs = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y }"
    status, text, headers = http("GET", f"{limited.url}?{urllib.parse.urlencode({'query': pairs})}")
    assert status == 200
    assert len(json.loads(text)["results"]["bindings"]) == 3
    assert _rows_header(headers) == "3"
    for accept, count in [("text/csv", lambda t: len(t.strip().splitlines()) - 1),
                          ("text/tab-separated-values",
                           lambda t: len(t.strip().splitlines()) - 1)]:
        status, text, headers = http(
            "GET", f"{limited.url}?{urllib.parse.urlencode({'query': pairs})}", accept=accept
        )
        assert status == 200 and count(text) == 3 and _rows_header(headers) == "3"
    assert wait_until(lambda: "cut at 3 rows" in limited.log.getvalue())


def test_a_construct_is_cut_at_the_triple_limit(limited: Logged) -> None:
    for query in ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                  "DESCRIBE ?s WHERE { ?s ?p ?o }"):
        url = f"{limited.url}?{urllib.parse.urlencode({'query': query})}"
        status, text, headers = http("GET", url, accept="application/n-triples")
        assert status == 200
        assert len(rdflib.Graph().parse(data=text, format="nt")) == 3
        assert _rows_header(headers) == "3"
    assert wait_until(lambda: "cut at 3 triples" in limited.log.getvalue())


def test_a_whole_answer_has_no_limit_header(limited: Logged) -> None:
    for query in ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "ASK { ?s ?p ?o }",
                  "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2"):
        url = f"{limited.url}?{urllib.parse.urlencode({'query': query})}"
        status, _text, headers = http("GET", url, accept="*/*")
        assert status == 200
        assert _rows_header(headers) is None


def test_rows_cut_at_the_limit_are_written_as_the_engine_writes_them(limited: Logged) -> None:
    """The cut answer is the first rows of the whole answer, byte for byte, every format."""
    query = ('SELECT ?s ?o WHERE { ?s ?p ?o . FILTER(isLiteral(?o)) } ORDER BY ?s ?o')
    for accept in ("application/sparql-results+json", "application/sparql-results+xml",
                   "text/csv", "text/tab-separated-values"):
        cut = http("GET", f"{limited.url}?{urllib.parse.urlencode({'query': query})}",
                   accept=accept)[1]
        whole = http(
            "GET", f"{limited.url}?{urllib.parse.urlencode({'query': query + ' LIMIT 3'})}",
            accept=accept,
        )[1]
        assert cut == whole, accept


def test_serve_help_and_start_up_line_give_the_row_limit(capsys, mini_graph) -> None:
    from collabkg.cli import main
    from collabkg.server import free_port, serve

    assert main(["serve", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--max-rows N" in help_text and "X-Collabkg-Rows-Limited" in help_text

    class _StopAfterStart(io.StringIO):
        def write(self, text: str) -> int:
            written = super().write(text)
            if "Ctrl+C" in text:
                raise KeyboardInterrupt
            return written

    out = _StopAfterStart()
    serve(mini_graph, port=free_port(), row_limit=1234, out=out)
    assert "1,234 rows" in out.getvalue()


# --------------------------------------------------------------------------- reading


@pytest.fixture
def logged(mini_graph) -> Iterator[Logged]:
    yield from _serve(mini_graph)


def _raw(url: str, data: bytes, wait: float = 15.0) -> tuple[float, bytes]:
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(data)
        sock.settimeout(wait)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return time.monotonic() - started, answer


def test_a_body_shorter_than_its_content_length_hung_without_an_answer(logged: Logged) -> None:
    """Regression: a POST announcing 100 bytes and sending 6 hung for 10 s, then was closed
    with no answer and no log line. It now gets a 408 in words within the read time."""
    from collabkg.server import READ_TIMEOUT_S

    took, answer = _raw(logged.url, (
        b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK {}"
    ))
    assert answer.startswith(b"HTTP/1.0 408 ")
    head, _sep, body = answer.partition(b"\r\n\r\n")
    assert b"text/plain" in head and b"did not arrive" in body
    assert took < READ_TIMEOUT_S + 2
    assert wait_until(lambda: " 408 " in logged.log.getvalue())


def test_headers_sent_a_line_at_a_time_kept_the_endpoint_busy(
    logged: Logged, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a request's headers were read with a time limit per line, so clients
    sending a header line every few seconds held every serving thread (503 for everyone)
    for as long as they kept sending. A request must now be read in READ_TIMEOUT_S in all."""
    from collabkg import server

    monkeypatch.setattr(server, "READ_TIMEOUT_S", 1.0)
    host, port = urllib.parse.urlsplit(logged.url).netloc.split(":")
    stop = threading.Event()
    socks = []
    for _ in range(server.MAX_CONNECTIONS + 2):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n")
        socks.append(sock)

    def trickle() -> None:
        while not stop.wait(0.3):
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")

    dripping = threading.Thread(target=trickle, daemon=True)
    dripping.start()
    try:
        started = time.monotonic()
        assert wait_until(
            lambda: http("GET", f"{logged.url}?{urllib.parse.urlencode({'query': 'ASK {}'})}",
                         timeout=10)[0] == 200,
            timeout=6, step=0.2,
        )
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        dripping.join(5)
        for sock in socks:
            sock.close()
    assert " 408 " in logged.log.getvalue()


def test_a_badly_percent_encoded_address_got_a_parser_message(served: Served) -> None:
    """Regression: ?query=%ZZ reached the SPARQL parser ("unexpected character '%'")."""
    for query_string in ("query=%ZZ", "query=ASK%7B%7D%2", "query=ASK+%7B%G1%7D"):
        _took, answer = _raw(served.url, f"GET /query?{query_string} HTTP/1.1\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 400 "), answer[:100]
        assert b"badly percent-encoded" in answer


def test_a_query_that_is_not_utf8_ran_with_replacement_characters(served: Served) -> None:
    """Regression: %FF in the address or in a form body ran as U+FFFD (a changed query)."""
    query_string = "query=SELECT%20(%22caf%FF%22%20AS%20%3Fx)%20%7B%7D"
    status, text, _ = http("GET", f"{served.url}?{query_string}")
    assert status == 400 and "UTF-8" in text
    status, text, _ = http("POST", served.url, body=b"query=SELECT+(%22caf%FF%22+AS+%3Fx)+%7B%7D",
                           ctype="application/x-www-form-urlencoded")
    assert status == 400 and "UTF-8" in text
    status, text, _ = http("POST", served.url, body=b'SELECT ("caf\xff" AS ?x) {}',
                           ctype="application/sparql-query")
    assert status == 400 and "UTF-8" in text


def test_a_form_in_iso_8859_1_ran_with_replacement_characters(served: Served) -> None:
    """Regression: a form body declared charset=ISO-8859-1 ('caf%E9') ran with U+FFFD. The
    declared charset is now read (and an unknown one refused)."""
    for body, ctype in [
        (b"query=SELECT+(%22caf%E9%22+AS+%3Fx)+%7B%7D",
         "application/x-www-form-urlencoded; charset=ISO-8859-1"),
        (b'SELECT ("caf\xe9" AS ?x) {}', "application/sparql-query; charset=iso-8859-1"),
        (b"query=SELECT+(%22caf%C3%A9%22+AS+%3Fx)+%7B%7D", "application/x-www-form-urlencoded"),
    ]:
        status, text, _ = http("POST", served.url, body=body, ctype=ctype)
        assert status == 200, text
        assert json.loads(text)["results"]["bindings"][0]["x"]["value"] == "café"
    status, text, _ = http("POST", served.url, body=b"query=ASK+%7B%7D",
                           ctype="application/x-www-form-urlencoded; charset=no-such-charset")
    assert status == 415 and "charset" in text


def test_options_got_501_as_html_and_no_answer_allowed_browsers(served: Served) -> None:
    """Regression: OPTIONS (a browser's CORS preflight) got 501 as HTML, and no answer had
    CORS headers, so browser clients such as YASGUI could not read any answer."""
    status, text, headers = http("OPTIONS", served.url, accept=None)
    assert status == 204 and text == ""
    methods = {m.strip() for m in headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "OPTIONS"} <= methods
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= allowed
    assert "POST" in headers["Allow"]
    for method, url in [("GET", f"{served.url}?{urllib.parse.urlencode({'query': ASK})}"),
                        ("GET", f"{served.url}?query=%ZZ"),
                        ("POST", served.url)]:
        status, text, headers = http(method, url, body=b"" if method == "POST" else None,
                                     ctype="text/plain" if method == "POST" else None)
        assert headers["Access-Control-Allow-Origin"] == "*", (method, url, status)
    assert "X-Collabkg-Rows-Limited" in headers["Access-Control-Expose-Headers"]


def test_errors_found_by_the_http_layer_are_plain_text(served: Served) -> None:
    for request in (b"BREW /query HTTP/1.1\r\n\r\n", b"GET /query HTTP/9.9\r\n\r\n",
                    b"nonsense\r\n\r\n"):
        _took, answer = _raw(served.url, request)
        head, _sep, body = answer.partition(b"\r\n\r\n")
        assert b"Content-Type: text/plain" in head, answer[:300]
        assert b"<html" not in body.lower() and body.strip()


# --------------------------------------------------------------------------- scheduling


@pytest.mark.slow
def test_an_ask_waited_behind_slow_queries_until_one_ended(mini_graph) -> None:
    """Regression: with every worker busy with slow queries, ``ASK {}`` waited until one of
    them ended (9.5 s at the 10 s time limit). A query that finds every worker busy is tried
    once in the quick lane: a cheap one is answered at once."""
    from collabkg.server import MAX_RUNNING, free_port, running_endpoint

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p }"
    with running_endpoint(mini_graph, port=free_port(), timeout_s=3.5) as endpoint:
        thread = threading.Thread(target=endpoint.filter.serve_forever,
                                  kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        url = endpoint.url
        statuses: list[int] = []
        runners = [
            threading.Thread(
                target=lambda: statuses.append(
                    http("GET", f"{url}?{urllib.parse.urlencode({'query': slow})}")[0]
                ),
                daemon=True,
            )
            for _ in range(MAX_RUNNING + 1)
        ]
        try:
            for runner in runners:
                runner.start()
            pool = endpoint.filter.workers
            assert wait_until(lambda: pool._idle.qsize() == 0, timeout=5)
            started = time.monotonic()
            status, text, _ = http("GET", f"{url}?{urllib.parse.urlencode({'query': 'ASK {}'})}")
            took = time.monotonic() - started
            assert status == 200 and "true" in text
            assert took < 2.5, f"ASK {{}} waited {took:.1f} s behind slow queries"
        finally:
            for runner in runners:
                runner.join(15)
            endpoint.filter.shutdown()
            thread.join(10)
    assert statuses and all(s == 503 for s in statuses)  # each slow one stopped at its limit
