"""A question's whole answer downloaded from the explorer (issue 19, item 3: "the full download
streamed"): the route ``download/<question>.<csv|json>`` that ``app/serve.py`` serves beside
the pages, as ``collabkg explore`` runs it. Tried on a real server: the file is the one
``collabkg query ID --format csv|json`` writes, sent in chunks as it is written; anything
that is not a question and its choices is refused with a plain message, and runs nothing."""

from __future__ import annotations

import csv
import json
import random
import re
import string
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest

from collabkg.catalogue import Catalogue
from collabkg.explorer import column_title
from tests.support.apptest import DATA_ROOT, Opener, answer_tables, app_module, download_links
from tests.support.browser_chromium import APP, streamlit_server

pytestmark = pytest.mark.slow  # a real server, and every question downloaded twice


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("downloads") / "server.log"
    with streamlit_server(APP, DATA_ROOT, log) as url:
        yield url


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                (response.read()),
            )
    except urllib.error.HTTPError as refused:
        return refused.code, {k.lower(): v for k, v in refused.headers.items()}, refused.read()


def questions() -> list[str]:
    """The canned questions answered without a choice."""
    found = [
        query.id
        for query in Catalogue.load(DATA_ROOT)
        if not any(spec.required or spec.picks_an_item for spec in query.params)
    ]
    assert len(found) >= 10
    return found


def same_answer(downloaded: str, written: str, fmt: str) -> bool:
    """The explorer's file is the CLI's: the JSON byte for byte; the CSV row for row, its
    header naming each column for people (the CLI's names variables)."""
    if fmt == "json":
        return downloaded == written
    header, _nl, rows = downloaded.partition("\n")
    cli_header, _nl, cli_rows = written.partition("\n")
    [titles] = list(csv.reader([header]))
    [variables] = list(csv.reader([cli_header]))
    assert len(titles) == len(variables) and len(set(titles)) == len(titles)
    for title, variable in zip(titles, variables, strict=True):  # "Source (2)" if repeated
        assert title == column_title(variable) or title.startswith(column_title(variable) + " (")
    for title in titles:  # no variable names, no identifiers' names, for people
        assert "_" not in title and not re.search(r"[a-z][A-Z]", title), title
    return rows == cli_rows and len(titles) == len(variables)


def test_the_csv_header_names_each_column_for_people(server: str) -> None:
    status, _headers, body = fetch(f"{server}/download/barriers.csv")
    assert status == 200
    [header] = list(csv.reader([body.decode("utf-8").partition("\n")[0]]))
    assert header[:3] == ["Barrier (identifier)", "Barrier", "Reporter (identifier)"]


def test_every_question_downloads_as_the_cli_writes_it(server: str, cli) -> None:
    for query_id in questions():
        for fmt in ("csv", "json"):
            status, headers, body = fetch(f"{server}/download/{query_id}.{fmt}")
            assert status == 200, (query_id, fmt, body[:200])
            code, written, err = cli("--root", str(DATA_ROOT), "query", query_id, "--format", fmt)
            assert code == 0, err
            assert same_answer(body.decode("utf-8"), written, fmt), (query_id, fmt)
            assert headers["content-disposition"] == f'attachment; filename="{query_id}.{fmt}"'
            assert headers["content-type"].startswith(
                "text/csv" if fmt == "csv" else "application/json"
            )
            assert "content-length" not in headers, "streamed (chunked), not made whole first"
            if fmt == "json":
                assert isinstance(json.loads(body), list)


def test_a_question_with_a_choice_downloads_its_answer_for_that_choice(server: str, cli) -> None:
    """The choice is bound as a term, by CURIE or by name, as on the question's page."""
    chosen = {"organisation": "ckd:local-strategic-partnerships-local-councils"}
    status, _headers, body = fetch(
        f"{server}/download/accountability-chain.csv?{urlencode(chosen)}"
    )
    code, written, _err = cli(
        "--root", str(DATA_ROOT), "query", "accountability-chain", "--param",
        "organisation=ckd:local-strategic-partnerships-local-councils", "--format", "csv",
    )  # fmt: skip
    assert status == 200 and code == 0
    assert same_answer(body.decode("utf-8"), written, "csv")
    rows = body.decode("utf-8").splitlines()
    assert len(rows) > 1 and all("local-councils" in row for row in rows[1:])
    # the page's own link gives the same file
    page = app_module("downloads").download_href("accountability-chain", "csv", chosen)
    assert fetch(f"{server}/{page}")[2] == body


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("download/no-such-question.csv", 404, "No question 'no-such-question'"),
        ("download/funding-at-risk.xml", 404, "ask for <question>.csv or <question>.json"),
        ("download/funding-at-risk", 404, "ask for <question>.csv"),
        ("download/..%2F..%2Fetc%2Fpasswd.csv", 400, "Bad Request"),  # Streamlit's own guard
        ("download/funding-at-risk.csv?status=x&status=y", 400, "given twice"),
        ("download/funding-at-risk.csv?nonsense=1", 400, "has no choice 'nonsense'"),
        ("download/accountability-chain.json", 400, "Choose organisation or collaboration first"),
        (
            "download/accountability-chain.csv?organisation=%22%3E%20%7D%20DROP%20ALL",
            400,
            "cannot be made",
        ),
        # a name the graph does not know: the page says so and answers nothing; so does this
        # (it answered a header alone, without the columns a real answer has)
        ("download/evidence-for.csv?entity=ckd%3Anope", 404, "is not in the graph"),
        ("download/accountability-chain.json?organisation=ckd%3Anope", 404, "not in the graph"),
        # a name the graph has but the question does not offer: the page asks again; so does
        # this (it answered a header alone)
        (
            "download/accountability-chain.csv?organisation=ckd%3Awigan-council",
            404,
            "not one of this question's choices",
        ),
    ],
    ids=[
        "unknown",
        "format",
        "no-format",
        "traversal",
        "twice",
        "unknown-choice",
        "no-choice",
        "injection",
        "unknown-name",
        "unknown-organisation",
        "not-offered",
    ],
)
def test_what_is_not_a_question_and_its_choices_is_refused_plainly(
    server: str, path: str, status: int, says: str
) -> None:
    got, headers, body = fetch(f"{server}/{path}")
    text = body.decode("utf-8")
    assert got == status, text
    assert says in text
    assert headers.get("content-type", "text/plain").startswith("text/plain")
    assert "content-disposition" not in headers
    assert "Traceback" not in text and 'File "' not in text


def test_the_helper_queries_are_not_downloads(server: str) -> None:
    """The catalogue's internal queries (labels, choices) are not questions: never served
    (an id with a slash is not even the route's: the pages' own address answers it)."""
    internal = [q.id for q in Catalogue.load(DATA_ROOT).internal]
    assert internal
    for query_id in internal:
        status, headers, body = fetch(f"{server}/download/{quote(query_id)}.csv")
        assert "content-disposition" not in headers, (query_id, body[:200])
        assert status == 404 or headers["content-type"].startswith("text/html"), query_id


def test_generated_requests_are_answered_or_refused_never_failed(server: str) -> None:
    """Random names, choices and values (quotes, braces, SPARQL keywords, non-ASCII), of
    questions and of lists: each is an answer or a 4xx with a plain message; the server never
    fails, and the data it serves is the same after them all."""
    before = fetch(f"{server}/download/sources.csv")[2]
    assert before.count(b"\n") > 1
    rng = random.Random(19)
    pieces = [
        "funding-at-risk", "accountability-chain", "evidence-for", "organisation", "entity",
        "list/collaborations", "list/organisations", "search", "sector", "Public sector",
        "ckd:wigan-council", "}", "{", "\"", "'", "<", ">", "DROP ALL", "INSERT DATA",
        "SERVICE <http://x>", "é", "\u202e", "%00", " ", "#", "..", "/",
    ]  # fmt: skip
    alphabet = string.ascii_letters + string.digits + "-_."

    def word() -> str:
        if rng.random() < 0.5:
            return rng.choice(pieces)
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))

    for _ in range(120):
        name = word() + rng.choice([".csv", ".json", ".txt", ""])
        choices = [(word(), word()) for _ in range(rng.randint(0, 3))]
        status, _headers, body = fetch(
            f"{server}/download/{quote(name, safe='')}?{urlencode(choices)}"
        )
        assert status in (200, 400, 404), (name, choices, status, body[:300])
        assert b"Traceback" not in body
    assert fetch(f"{server}/download/sources.csv")[2] == before


def test_the_route_sits_under_the_servers_base_path() -> None:
    """Streamlit does not put routes added beside its own under ``server.baseUrlPath``; the
    routes are put there themselves, so that the pages' relative links reach them."""
    downloads = app_module("downloads")
    assert [r.path for r in downloads.routes("")] == ["/download/list/{file}", "/download/{file}"]
    assert [r.path for r in downloads.routes("/explorer/")] == [
        "/explorer/download/list/{file}",
        "/explorer/download/{file}",
    ]
    assert downloads.download_href("a-question", "json", {"b": "x y", "a": "ckd:z"}) == (
        "download/a-question.json?a=ckd%3Az&b=x+y"
    )
    assert downloads.list_download_href(
        "organisation", {"search": "", "sector": ["Public sector", "Private sector"]}
    ) == ("download/list/organisations.csv?sector=Public+sector&sector=Private+sector")


@pytest.mark.parametrize(
    ("page", "address"),
    [
        ("views/collaborations.py", {}),
        ("views/collaborations.py", {"search": "partnership"}),
        ("views/organisations.py", {"sector": "Public sector", "search": "council"}),
        ("views/organisations.py", {"sector": "Voluntary and community sector"}),
    ],
    ids=["collaborations", "searched", "searched-and-filtered", "filtered"],
)
def test_a_list_downloads_as_its_page_lists_it(
    server: str, open_page: Opener, page: str, address: dict[str, str]
) -> None:
    """The Collaborations and Organisations lists: the page's download link (its search and
    filters in it) gives every row the page counts, in the page's order and columns."""
    import csv
    import io
    import re

    app = open_page(page, **address)
    [caption] = [c.value for c in app.caption if " of " in c.value]
    count = int(re.match(r"(\d+) of ", caption).group(1))  # type: ignore[union-attr]
    assert count > 0
    [(label, href)] = download_links(app)
    assert label.startswith(f"Download the {count} ")
    status, headers, body = fetch(f"{server}/{href}")
    assert status == 200 and "content-length" not in headers
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    [table] = answer_tables(app)
    assert rows[0] == table.columns
    assert len(rows) - 1 == count
    shown = [[text for text, _href in row] for row in table.rows]
    assert rows[1 : 1 + len(shown)] == shown, "the page's first rows, every cell as shown"
    for name, value in address.items():
        if name == "sector":
            column = rows[0].index("Sector")
            assert all(value in row[column] for row in rows[1:])


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("download/list/people.csv", 404, "No such list"),
        ("download/list/collaborations.json", 404, "No such list"),
        ("download/list/organisations.csv?structure=Alliance", 400, "has no filter 'structure'"),
        ("download/list/collaborations.csv?sector=Nobody", 400, "has 'Nobody' for this filter"),
        ("download/list/collaborations.csv?search=a&search=b", 400, "given twice"),
        ("download/list/collaborations.csv?id=ckd:wigan-council", 400, "has no filter 'id'"),
    ],
    ids=["unknown-list", "json", "structure-of-organisations", "unknown-value", "twice", "id"],
)
def test_a_list_download_refuses_plainly(server: str, path: str, status: int, says: str) -> None:
    got, headers, body = fetch(f"{server}/{path}")
    assert got == status and says in body.decode("utf-8")
    assert "content-disposition" not in headers
