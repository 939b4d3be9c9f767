"""SPARQL for analysts: your own read-only queries, with the catalogue's queries as examples.

The same safety as the command line: the query is parsed first and refused if it would
change data or call another endpoint (SERVICE); a row limit and a timeout apply.

The editor is one HTML form (``GET sparql``: the query, its parameters, names or
identifiers, Run): its submission is the address (``?query=&params=&names=0&run=1``), so a
link reopens the query and its answer, and the browser draws the form at once (no widget
script to load in each new tab).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import streamlit as st
from ui import (
    answer_files,
    catalogue,
    context,
    download_buttons,
    keep_address,
    page_title,
    show_error,
)

from collabkg.bindings import infer_type, parse_assignment, to_term
from collabkg.errors import CollabkgError, ParameterError, QueryError
from collabkg.explorer import ROWS_PER_PAGE, result_table, table_html
from collabkg.explorer.sparql_hints import subclass_hint
from collabkg.graph import QueryResult
from collabkg.sparql_safety import USER_LIMITS
from collabkg.turtle import canonical_turtle

STARTER = """# Organisations and their sectors
SELECT ?organisation ?sector WHERE {
  ?organisation ck:hasSector ?sector .
}
ORDER BY ?organisation
"""

root, graph, index = context()
cat = catalogue(root)

page_title("SPARQL")
st.title("SPARQL", anchor=False)
st.markdown(
    "For analysts: ask your own question in SPARQL 1.1. The usual prefixes (`ck:`, `ckc:`, "
    "`ckd:`, `org:`, `prov:`, `skos:`, `rdfs:`, `dcterms:`…) are declared for you. Queries are "
    f"read-only; answers stop at {USER_LIMITS.rows:,} rows and queries at "
    f"{USER_LIMITS.timeout_s:g} seconds."
)

examples = {q.id: q for q in cat}

# the address holds the query, its parameters, names or identifiers and whether it runs
run = st.query_params.get("run") == "1"
asked = st.query_params.get("query", "")
# Run with the box cleared sends no query (the form leaves empty fields out of the
# address): nothing is run, and the box stays empty (the example was run in its place)
empty = run and not asked.strip()
text = asked or ("" if empty else STARTER)
params_text = st.query_params.get("params", "")
example = examples.get(st.query_params.get("example", ""))
if example is not None:  # an example's link puts its text and parameters in the editor
    text = example.text
    params_text = "\n".join(f"{p.name}=" + (p.default or "") for p in example.params)
    empty = False
labelled = st.query_params.get_all("names")[-1:] != ["0"]
run = run and example is None


def _address() -> dict[str, str | list[str]]:
    return {
        "query": text if text != STARTER or run else "",
        "params": params_text.strip(),
        "names": "" if labelled else "0",
        "run": "1" if run else "",
    }


def _bindings(text: str) -> dict[str, object]:
    bindings: dict[str, object] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            name, type_, value = parse_assignment(line.strip())
        except ParameterError as exc:
            raise ParameterError(f"parameter line {number}: {exc.message}", hint=exc.hint) from None
        if not value.strip():
            raise ParameterError(
                f"parameter {name!r} has no value", hint="write name=value, or remove the line"
            )
        bindings[name] = to_term(value, type_ or infer_type(value))
    return bindings


_SYNTAX = "SPARQL syntax error"
_EXPECTED = re.compile(r"\bexpected\b")


def error_shown(exc: CollabkgError, query: str) -> tuple[CollabkgError, str]:
    """What to show of an error in the query: the error as people read it, and the line of
    the query it points at with a caret under the place ("" when it points nowhere).

    The parser's syntax errors end in the grammar it expected next ("expected one of "$",
    "'", ... ['\\u{00C0}'..='\\u{00D6}' | ...]"): that list is cut, and says instead that
    the query is incomplete or has a typo there. Its place is often the end of the query
    (where the parser gave up), which is then said as such. Other errors are kept as
    they are, their line given a caret too."""
    message = exc.message
    if not isinstance(exc, QueryError):  # a parameter's error: no place in the query
        return exc, ""
    syntax = message.startswith(_SYNTAX)
    if syntax:
        found = _EXPECTED.search(message)
        if found is not None:
            message = message[: found.start()].rstrip(" :,;")
    if exc.line is None:
        if syntax and message == _SYNTAX:
            message = f"{_SYNTAX}: the query is incomplete or has a typo"
        return QueryError(message, hint=exc.hint), ""
    lines = query.split("\n")
    line, column = exc.line, max(exc.column or 1, 1)
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
    at_end = not query[offset:].strip()
    at_end = at_end and bool(query.strip())
    if at_end:  # the parser reached the end: point just past the last word
        line = max(n for n, text in enumerate(lines, start=1) if text.strip())
        column = len(lines[line - 1].rstrip()) + 1
    where = f"line {line}, column {column}"
    if syntax and message == _SYNTAX:
        message = (
            f"{_SYNTAX} at the end of the query ({where}): the query is incomplete, "
            "or has a typo before this point"
            if at_end
            else f"{_SYNTAX} at {where}: the query is incomplete or has a typo here"
        )
    else:
        message = f"{message} ({'at the end of the query, ' if at_end else ''}{where})"
    snippet = ""
    if 1 <= line <= len(lines):
        source = lines[line - 1].rstrip("\r\n")
        lead = "".join("\t" if char == "\t" else " " for char in source[: column - 1])
        snippet = f"{source}\n{lead.ljust(column - 1)}^"
    return QueryError(message, hint=exc.hint), snippet


def editor_html() -> str:
    """The query, its parameters, names or identifiers, and Run: one GET form."""
    esc = lambda value: html.escape(value, quote=True)  # noqa: E731
    links = "".join(
        f'<li><a href="sparql?{esc(urlencode({"example": q.id}))}">{esc(q.summary)}</a></li>'
        for q in examples.values()
    )
    rows = max(12, min(30, text.count("\n") + 2))
    return (
        '<details class="ck-details"><summary>Start from an example (one of the explorer\'s '
        f'questions)</summary><ul class="ck-columns">{links}</ul></details>'
        '<form class="ck-filters ck-sparql" action="sparql" method="get" '
        'aria-label="SPARQL editor">'
        '<div class="ck-param ck-wide"><label for="ck-sparql-query">Query</label>'
        f'<textarea id="ck-sparql-query" name="query" rows="{rows}" spellcheck="false">'
        f"{html.escape(text)}</textarea></div>"
        '<div class="ck-param ck-wide"><label for="ck-sparql-params">Parameters (optional, one '
        "per line: name=value, e.g. organisation=ckd:wigan-council)</label>"
        '<textarea id="ck-sparql-params" name="params" rows="2" spellcheck="false">'
        f"{html.escape(params_text)}</textarea></div>"
        '<input type="hidden" name="names" value="0">'
        '<label class="ck-check"><input type="checkbox" name="names" value="1"'
        f"{' checked' if labelled else ''}> Show names instead of identifiers</label>"
        '<input type="hidden" name="run" value="1">'
        '<div class="ck-filter-actions"><button type="submit">Run query</button></div></form>'
    )


st.html(editor_html())

if empty:
    st.info(
        "Write a query first: the query box is empty, so nothing was run. "
        "Start from an example above, or write a SELECT, ASK or CONSTRUCT query.",
        icon=":material/edit:",
    )
elif run:
    try:
        answer = graph.user_query(text, _bindings(params_text))
    except CollabkgError as exc:
        # the address keeps run=1: reopening it shows the same error, as it would the answer
        keep_address(_address())
        shown, snippet = error_shown(exc, text)
        show_error(shown, what="The query was not run")
        if snippet:
            st.code(snippet, language=None)
        st.stop()
    if isinstance(answer, QueryResult):
        if answer.truncated:
            st.warning(
                f"Only the first {answer.limit:,} rows are shown: add a LIMIT or narrow the query."
            )
        st.caption(f"{len(answer)} row{'s' if len(answer) != 1 else ''}.")
        hint = subclass_hint(graph, text, len(answer))
        if hint:
            st.info(hint, icon=":material/lightbulb:")
        if labelled:
            table = result_table(index, answer)
            frame, links = table.frame, table.link_columns
        else:
            frame, links = answer.to_dataframe(), []
        st.html(table_html(frame, links, rows=ROWS_PER_PAGE))
        if len(frame) > ROWS_PER_PAGE:
            st.caption(f"The first {ROWS_PER_PAGE} rows; the downloads have them all.")

        left, right, _ = st.columns([1, 1, 3])
        download_buttons([left, right], answer_files(index, answer, "query"), "sparql")
    elif isinstance(answer, bool):
        st.success("Yes (ASK answered true)." if answer else "No (ASK answered false).")
    else:
        turtle = canonical_turtle(list(answer))
        st.caption(f"{len(answer)} triples.")
        st.code(turtle, language="turtle")
        st.download_button(
            "Download Turtle",
            turtle.encode("utf-8"),
            file_name="query.ttl",
            mime="text/turtle",
            icon=":material/download:",
            key="sparql:ttl",
            on_click="ignore",
        )

keep_address(_address())
