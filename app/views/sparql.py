"""SPARQL for analysts: your own read-only queries, with the catalogue's queries as examples.

The same safety as the command line: the query is parsed first and refused if it would
change data or call another endpoint (SERVICE); a row limit and a timeout apply.
"""

from __future__ import annotations

import json

import streamlit as st
from ui import (
    catalogue,
    context,
    keep_address,
    page_title,
    remember_url,
    show_error,
    sync_from_url,
)

from collabkg.bindings import infer_type, parse_assignment, to_term
from collabkg.errors import CollabkgError, ParameterError
from collabkg.explorer import download_frame, result_table
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
st.html(
    "<style>.st-key-sparql-text textarea, .st-key-sparql-params textarea "
    "{ font-family: 'Source Code Pro', monospace; font-size: .9rem; }</style>"
)

page_title("SPARQL")
st.title("SPARQL")
st.markdown(
    "For analysts: ask your own question in SPARQL 1.1. The usual prefixes (`ck:`, `ckc:`, "
    "`ckd:`, `org:`, `prov:`, `skos:`, `rdfs:`, `dcterms:`…) are declared for you. Queries are "
    f"read-only; answers stop at {USER_LIMITS.rows:,} rows and queries at "
    f"{USER_LIMITS.timeout_s:g} seconds."
)

examples = {q.id: q for q in cat}


def _load_example() -> None:
    chosen = st.session_state.get("sparql:example")
    if chosen in examples:
        st.session_state["sparql:text"] = examples[chosen].text
        st.session_state["sparql:params"] = "\n".join(
            f"{p.name}=" + (p.default or "") for p in examples[chosen].params
        )


# the address holds the query, its parameters and whether it was run: a link reopens it
sync_from_url("sparql:text", st.query_params.get("query"))
sync_from_url("sparql:params", st.query_params.get("params"))
if "sparql:text" not in st.session_state:
    st.session_state["sparql:text"] = STARTER

st.selectbox(
    "Start from an example",
    options=list(examples),
    index=None,
    format_func=lambda qid: examples[qid].summary,
    placeholder="Choose one of the explorer's questions…",
    key="sparql:example",
    on_change=_load_example,
)
text = st.text_area("Query", height=320, key="sparql:text")
params_text = st.text_area(
    "Parameters (optional, one per line: name=value, e.g. organisation=ckd:wigan-council)",
    height=68,
    key="sparql:params",
)
labelled = st.toggle("Show names instead of identifiers", value=True, key="sparql:labels")
run = st.button("Run query", type="primary", icon=":material/play_arrow:", key="sparql:run")
remember_url("sparql:text", text)
remember_url("sparql:params", params_text or None)
if st.query_params.get("run") == "1" and st.session_state.get("sparql:ran") != text:
    run = True  # a link to an answer runs its query once


def _address() -> dict[str, str]:
    ran = st.session_state.get("sparql:ran") == text  # the answer on screen is this query's
    return {
        "query": text if text != STARTER or ran else "",
        "params": params_text.strip(),
        "run": "1" if ran else "",
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


if run or st.session_state.get("sparql:last") is not None:
    if run:
        try:
            answer = graph.user_query(text, _bindings(params_text))
        except CollabkgError as exc:
            st.session_state["sparql:last"] = None
            st.session_state["sparql:ran"] = None
            keep_address(_address())
            show_error(exc, what="The query was not run")
            if exc.source_line:
                st.code(exc.source_line, language="sparql")
            st.stop()
        st.session_state["sparql:last"] = answer
        st.session_state["sparql:ran"] = text
    answer = st.session_state["sparql:last"]
    if isinstance(answer, QueryResult):
        if answer.truncated:
            st.warning(
                f"Only the first {answer.limit:,} rows are shown: add a LIMIT or narrow the query."
            )
        st.caption(f"{len(answer)} row{'s' if len(answer) != 1 else ''}.")
        frame = result_table(index, answer).frame if labelled else answer.to_dataframe()
        st.dataframe(frame, hide_index=True, width="stretch", key="sparql:answer")
        downloads = download_frame(index, answer)
        left, right, _ = st.columns([1, 1, 3])
        left.download_button(
            "Download CSV",
            downloads.to_csv(index=False).encode("utf-8"),
            file_name="query.csv",
            mime="text/csv",
            icon=":material/download:",
            key="sparql:csv",
        )
        right.download_button(
            "Download JSON",
            json.dumps(
                json.loads(downloads.to_json(orient="records", force_ascii=False)),
                ensure_ascii=False,
                indent=2,
            ).encode("utf-8"),
            file_name="query.json",
            mime="application/json",
            icon=":material/download:",
            key="sparql:json",
        )
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
        )

keep_address(_address())
