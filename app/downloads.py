"""A question's whole answer, streamed as CSV or JSON, and a whole list of collaborations or
organisations as CSV: the routes behind the download links of the explorer's question and
list pages (``download/<question>.csv?<choices>``, ``download/list/<list>.csv?<search and
filters>``), served beside the pages by ``serve.py``.

Streamlit's own download button cannot stream: whatever it is given is read whole into the
server's memory and sent from there, after the whole file is made. This route sends the
header at once and then the answer a thousand rows at a time, each chunk labelled on its own
as it is written (:func:`collabkg.results.answer_chunks`, the very writer of ``collabkg
query ID --format csv|json``, so both give the same file).

Only canned questions are answered, by id; their choices are bound as typed terms
(:meth:`collabkg.catalogue.CannedQuery.bind`), never put into the query's text; an unknown
question, an unknown or missing choice or a value that does not fit is refused with a plain
message and nothing is run. The graph is the one the pages read (``state.load_graph``, cached for
the server's life: ``state.served_graph``), loaded here when no page has loaded it yet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from collabkg.catalogue import CannedQuery, Catalogue
    from collabkg.explorer import ExplorerIndex

DOWNLOAD_PATH = "download"
"""The route's first path segment: ``download/<question>.<format>``."""

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
"""The formats a whole answer is downloaded in, and their media types."""

_FILE = re.compile(r"(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{0,99})\.(?P<fmt>csv|json)")


def download_href(query_id: str, fmt: str, choices: dict[str, str]) -> str:
    """The address (relative to a page's) of a question's whole answer in ``fmt``."""
    from urllib.parse import quote, urlencode

    query = f"?{urlencode(sorted(choices.items()))}" if choices else ""
    return f"{DOWNLOAD_PATH}/{quote(query_id)}.{fmt}{query}"


LISTS = {"collaborations": "collaboration", "organisations": "organisation"}
"""The lists downloaded whole (``download/list/<name>.csv``), and the kind of each."""

LIST_FILTERS = {
    "structure": "structure_types",
    "sector": "sectors",
    "place": "places",
    "source": "sources",
}
"""The filters of a list in its address (``?structure=Collaborative+market``), and the field
of :class:`collabkg.explorer.ListFilters` each sets: the list pages' and the download's."""


def list_download_href(kind: str, address: dict[str, str | list[str]]) -> str:
    """The address (relative to a page's) of a list's whole CSV with the page's search and
    filters (``address``: the page's own, empty values left out)."""
    from urllib.parse import urlencode

    name = next(name for name, of in LISTS.items() if of == kind)
    pairs: list[tuple[str, str]] = []
    for key, value in address.items():
        for item in [value] if isinstance(value, str) else value:
            if item:
                pairs.append((key, item))
    query = f"?{urlencode(pairs)}" if pairs else ""
    return f"{DOWNLOAD_PATH}/list/{name}.csv{query}"


def routes(base_url_path: str = "") -> list[BaseRoute]:
    """The download routes, under the server's base path (Streamlit's ``server.baseUrlPath``:
    routes added beside Streamlit's are not put under it by Streamlit)."""
    from starlette.routing import Route

    base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return [
        Route(f"{base}/{DOWNLOAD_PATH}/list/{{file}}", download_list, methods=["GET", "HEAD"]),
        Route(f"{base}/{DOWNLOAD_PATH}/{{file}}", download, methods=["GET", "HEAD"]),
    ]


def _plain(status: int, message: str) -> Response:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(
        message + "\n", status_code=status, headers={"X-Content-Type-Options": "nosniff"}
    )


async def download(request: Request) -> Response:
    """``download/<question>.<csv|json>?<choice>=<value>…``: the whole answer, streamed."""
    from starlette.concurrency import run_in_threadpool

    matched = _FILE.fullmatch(request.path_params["file"])
    if matched is None:
        return _plain(404, "No such download: ask for <question>.csv or <question>.json.")
    query_id, fmt = matched["id"], matched["fmt"]
    choices: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in choices:
            return _plain(400, f"The choice {name!r} is given twice: give it once.")
        choices[name] = value
    chunks = await run_in_threadpool(answer_text, query_id, fmt, choices)
    if isinstance(chunks, Refusal):
        return _plain(chunks.status, chunks.message)
    return _streamed(chunks, f"{query_id}.{fmt}", FORMATS[fmt])


def _streamed(chunks: Iterator[str], file_name: str, media_type: str) -> Response:
    from starlette.responses import StreamingResponse

    return StreamingResponse(
        (text.encode("utf-8") for text in chunks if text),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


async def download_list(request: Request) -> Response:
    """``download/list/<collaborations|organisations>.csv?search=…&<filter>=…``: the whole list
    the page shows for that search and those filters, streamed."""
    from starlette.concurrency import run_in_threadpool

    file = request.path_params["file"]
    name = file.removesuffix(".csv")
    if not file.endswith(".csv") or name not in LISTS:
        return _plain(404, "No such list: ask for collaborations.csv or organisations.csv.")
    chunks = await run_in_threadpool(list_text, LISTS[name], request.query_params.multi_items())
    if isinstance(chunks, Refusal):
        return _plain(chunks.status, chunks.message)
    return _streamed(chunks, file, FORMATS["csv"])


LIST_CHUNK = 1000
"""Rows of a list written at a time."""


def list_text(kind: str, params: list[tuple[str, str]]) -> Iterator[str] | Refusal:
    """The whole list of ``kind`` for a search and filters (the address of its page) as CSV
    chunks, the columns of the page's table; or why it is not made. A filter value no entity
    of the list has is refused (the page's own links never hold one)."""
    from collabkg.errors import CollabkgError
    from collabkg.explorer import ListFilters, filter_entities, filter_options

    search: str | None = None
    chosen: dict[str, list[str]] = {}
    for key, value in params:
        if key == "search":
            if search is not None:
                return Refusal(400, "The search is given twice: give it once.")
            search = value
        elif key in LIST_FILTERS and (key != "structure" or kind == "collaboration"):
            chosen.setdefault(LIST_FILTERS[key], []).append(value)
        else:
            return Refusal(400, f"The {kind} list has no filter {key!r}.")
    try:
        from state import project_root
        from ui import served_index

        index = served_index(project_root())
    except CollabkgError as exc:
        return Refusal(503, f"The knowledge graph could not be loaded: {exc.one_line()}")
    options = filter_options(index, kind)  # type: ignore[arg-type]
    for field, values in chosen.items():
        for value in values:
            if value not in options[field]:
                return Refusal(400, f"No {kind} in the list has {value!r} for this filter.")
    filters = ListFilters(text=(search or "").strip(), **{k: tuple(v) for k, v in chosen.items()})
    kept = {entity.iri for entity in filter_entities(index, kind, filters)}  # type: ignore[arg-type]
    iris, shown = _entity_table(index, kind)
    return _list_chunks(shown, [at for at, iri in enumerate(iris) if iri in kept])


def _list_chunks(shown: pd.DataFrame, positions: list[int]) -> Iterator[str]:
    """The rows of ``shown`` at ``positions`` as CSV (``to_csv(index=False)``), the header
    first, then a chunk of rows at a time."""
    yield shown.iloc[:0].to_csv(index=False)
    for start in range(0, len(positions), LIST_CHUNK):
        part = shown.iloc[positions[start : start + LIST_CHUNK]]
        yield part.to_csv(index=False, header=False)


@functools.lru_cache(maxsize=8)
def _entity_table(index: ExplorerIndex, kind: str) -> tuple[list[str], pd.DataFrame]:
    """A list's whole table as its page shows it (the page's ``cached_entity_table``
    without the identifier and link columns), and the entity of each row; made once per
    index. (Rows are picked by position: pandas' ``isin`` over a set of identifiers took
    60 ms for the 6,969 collaborations at 1M, before the first row.)"""
    from collabkg.explorer import entity_table

    table = entity_table(index, kind)  # type: ignore[arg-type]
    return table["iri"].tolist(), table.drop(columns=["iri", "link"])


@dataclass(frozen=True)
class Refusal:
    """Why a download is not made: the HTTP status and one line of plain text for people."""

    status: int
    message: str


DESCRIBED = "ASK { ?s ?p ?o }"
"""Whether a name is described in the graph (a choice of a question names something)."""


def answer_text(query_id: str, fmt: str, choices: dict[str, str]) -> Iterator[str] | Refusal:
    """The whole answer of a canned question as text chunks, or why it is not made. The
    question is found, its choices bound and its answer asked of the engine here, before
    anything is sent; the rows are labelled and written as the chunks are read."""
    from collabkg.catalogue import missing_parameters
    from collabkg.errors import CollabkgError, ParameterError
    from collabkg.explorer import column_title
    from collabkg.results import answer_chunks, iri_variables

    try:
        root, query = _question(query_id)
    except CollabkgError as exc:
        return Refusal(503, f"The knowledge graph could not be read: {exc.one_line()}")
    if query is None:
        return Refusal(404, f"No question {query_id!r}: see the Questions page for the list.")
    for name in choices:
        if name not in {spec.name for spec in query.params}:
            return Refusal(400, f"The question {query_id!r} has no choice {name!r}.")
    missing = missing_parameters(query, choices)
    if missing:  # as on the question's page, and as the CLI: the answer needs the choice
        what = " and ".join((spec.label or spec.name).lower() for spec in missing)
        return Refusal(400, f"Choose {what} first: this answer is made for a choice.")
    from state import data_generation, served_graph

    try:
        graph = served_graph(root)
        bindings = query.bind(choices, graph=graph)
    except ParameterError as exc:
        return Refusal(400, f"This answer cannot be made: {exc.one_line()}")
    except CollabkgError as exc:
        return Refusal(503, f"The knowledge graph could not be loaded: {exc.one_line()}")
    for spec in query.params:  # as the page: a name the graph does not know is not answered,
        chosen = bindings.get(spec.name)  # nor one the question does not offer
        if spec.type != "iri" or chosen is None:
            continue
        what = (spec.label or spec.name).lower()
        if not graph.ask(DESCRIBED, {"s": chosen}):
            return Refusal(
                404,
                f"The {what} {choices[spec.name]!r} is not in the graph: choose one on the "
                "question's page.",
            )
        offered = _offered(root, data_generation(), query.id, spec.name)
        if offered is not None and str(chosen) not in offered:
            return Refusal(
                404,
                f"“{graph.label(chosen)}” is not one of this question's choices of {what}: "
                "choose one on the question's page.",
            )
    try:
        names, rows = graph.select_rows(query.text, bindings)
    except CollabkgError as exc:
        return Refusal(500, f"This answer could not be made: {exc.one_line()}")
    iri_vars = iri_variables(names, rows)
    # the CLI's file, but a CSV for people: each column by its title, not its variable
    return answer_chunks(
        query.column_order(names), rows, graph, fmt, iri_vars=iri_vars, header=column_title
    )


@functools.lru_cache(maxsize=32)
def _offered(root: str, generation: int, query_id: str, name: str) -> frozenset[str] | None:
    """The names a choice of a question offers (its ``choices`` header, as its page lists
    them), once per generation of the data; None when it declares none (any name)."""
    from state import served_graph

    from collabkg.catalogue import choices_result

    found = _catalogue(root, generation)
    spec = found.get(query_id).param(name)
    if not spec.choices:
        return None
    return frozenset(choices_result(served_graph(root), spec, found).iris())


def _question(query_id: str) -> tuple[str, CannedQuery | None]:
    """The project root and its canned question ``query_id`` (None when there is none; the
    catalogue's helper queries are not questions and are never served)."""
    from state import data_generation, project_root

    root = project_root()
    found = _catalogue(root, data_generation())
    return root, (found.get(query_id) if query_id in found.ids else None)


@functools.lru_cache(maxsize=4)
def _catalogue(root: str, _generation: int) -> Catalogue:
    """The project's questions, read once for each generation of the data the pages read
    (``ui.catalogue``; ``state.data_generation``): reading them costs 30 ms, which every
    download paid before its first byte."""
    from collabkg.catalogue import Catalogue

    return Catalogue.load(root)
