"""Network, Check a case file and SPARQL pages."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.apptest import Opener, drawn_html, identifiers_on_screen

REPO = Path(__file__).resolve().parents[2]

NETWORK = "views/network.py"
CHECK = "views/check.py"
SPARQL = "views/sparql.py"

BROKEN = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ckd:my-org a ck:Organisation ;
    rdfs:label "My org"
ckd:other a ck:Charity .
"""

# --------------------------------------------------------------------------- network


def _drawn(app) -> str:  # type: ignore[no-untyped-def]
    return drawn_html(app)


def _shapes(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The accessible names of the shapes drawn ("name, kind")."""
    import html
    import re

    return [
        html.unescape(n)
        for n in re.findall(r'<a class="ck-node"[^>]*aria-label="([^"]*)"', _drawn(app))
    ]


def test_network_draws_named_shapes_with_filters_in_a_form(open_page: Opener):
    app = open_page(NETWORK)
    drawn = _drawn(app)
    assert '<svg class="ck-net"' in drawn, "the network is drawn as a picture on the page"
    assert not app.get("component_instance"), "no graph component to load"
    shapes = _shapes(app)
    assert shapes and all(", " in name for name in shapes), "each shape named with its kind"
    assert "Wigan council</a>" in drawn  # every kept one has its profile a link away
    for relation in ("member of", "funds", "accountable to", "transfers asset to"):
        assert f'name="relation" value="{relation}" checked' in drawn
    assert any("organisations and collaborations" in c.value for c in app.caption)
    assert "Open the profile of" in drawn
    assert identifiers_on_screen(app) == []


def test_a_large_network_lists_the_profiles_of_its_drawn_shapes(open_page: Opener, long_lists):
    """Regression: "Open the profile of…" listed everything the filters keep, drawn or not
    (10,452 names, 0.9 MB for the browser at a million triples). Past a few hundred, it
    lists the shapes drawn and points to the lists for the others."""
    import html

    app = open_page(NETWORK, root=long_lists)
    drawn = _drawn(app)
    shapes = _shapes(app)
    assert 0 < len(shapes) < 300
    box = re.search(
        r"<summary>Open the profile of… \((\d+) drawn of the (\d+) (.*?)</details>", drawn
    )
    assert box, "the list says how many of the kept ones it holds"
    listed, kept = int(box.group(1)), int(box.group(2))
    names = [
        html.unescape(n) for n in re.findall(r'<li><a href="[^"]*">([^<]*)</a></li>', box.group(3))
    ]
    assert listed == len(names) == len(shapes) < kept
    assert sorted(names) == sorted(s.rsplit(", ", 1)[0] for s in shapes)
    assert f"The other {kept - listed} are not drawn" in box.group(3)
    assert identifiers_on_screen(app) == []


def test_network_cap_and_empty_filters_from_the_address(open_page: Opener):
    app = open_page(NETWORK, cap="10")
    assert any("showing the 10 most connected" in w.value for w in app.warning)
    assert len(_shapes(app)) == 10  # exactly as asked (it was 9 where a link adds two)
    assert 'name="cap" min="2" max="1000" step="1" value="10"' in _drawn(app)
    app = open_page(NETWORK, relation="none")
    assert any("Nothing to show" in i.value for i in app.info)
    assert 'value="funds" checked' not in _drawn(app)


def test_network_structure_filter_keeps_its_collaborations(open_page: Opener):
    app = open_page(NETWORK, structure="Collaborative council")
    names = [n.split(", ")[0] for n in _shapes(app)]
    assert "Wigan collaborative council" in names
    assert "Plymouth Alliance Contract" not in names
    assert 'value="Collaborative council" checked' in _drawn(app)


def test_a_selected_shape_shows_its_links_and_profile_in_words(open_page: Opener):
    app = open_page(NETWORK, node="ckd:wigan-council", cap="1000")
    drawn = _drawn(app)
    assert '<h2 class="ck-panel-name">Wigan council</h2>' in drawn
    assert "Open the profile of Wigan council" in drawn
    assert 'href="organisations?id=ckd%3Awigan-council"' in drawn
    assert 'aria-current="true"' in drawn  # the shape is marked as selected
    assert app.query_params["node"] in ("ckd:wigan-council", ["ckd:wigan-council"])
    assert identifiers_on_screen(app) == []


def test_network_filters_applied_dropped_the_selected_shape(open_page: Opener):
    """Applying the filters sent the form without the selected shape: the selection (and
    its panel) was lost on every Apply. The form carries it now; a shape the new filters
    leave out is named, and its selection cleared."""
    app = open_page(NETWORK, node="ckd:wigan-council", cap="1000")
    assert '<input type="hidden" name="node" value="ckd:wigan-council">' in _drawn(app)
    # no relation ticked: nothing is drawn, so the kept selection cannot be shown
    app = open_page(NETWORK, node="ckd:wigan-council", relation="none")
    assert any(
        "Wigan council is not in this drawing with these filters" in w.value for w in app.warning
    )
    assert "node" not in app.query_params
    assert identifiers_on_screen(app) == []


def test_a_shape_not_in_the_drawing_is_explained_and_dropped(open_page: Opener):
    app = open_page(NETWORK, node="ckd:no-such-thing")
    assert any("not in this drawing" in w.value for w in app.warning)
    assert "node" not in app.query_params


# --------------------------------------------------------------------------- check


def test_check_a_pasted_broken_file(open_page: Opener):
    app = open_page(CHECK, how="paste")
    app.text_area(key="check:text").input(BROKEN)
    app.button(key="check:paste-run").click().run()
    assert not app.exception
    assert "1 error" in app.error[0].value
    assert any("line 7, column 1" in m.value for m in app.markdown)
    assert any("ckd:other a ck:Charity ." in c.value and "^" in c.value for c in app.code)
    assert any("What to do" in m.value for m in app.markdown)
    assert [b.proto.label for b in app.download_button] == ["Download this report"]


def test_check_an_uploaded_file(open_page: Opener):
    app = open_page(CHECK)
    app.file_uploader(key="check:upload").upload("my-case.ttl", BROKEN.encode(), "text/turtle")
    app.run()
    assert not app.exception
    assert "my-case.ttl" in app.error[0].value
    assert any("line 7, column 1" in m.value for m in app.markdown)


CLEAN = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ckd:case-explorer-test a ck:Case ;
    rdfs:label "Case: a test charity" ;
    ck:isAbout ckd:explorer-test-charity ;
    prov:wasDerivedFrom ckd:src-rallying-together-pmm .

ckd:explorer-test-charity a ck:Charity ;
    rdfs:label "A test charity" ;
    ck:hasSector ckc:voluntaryCommunitySector ;
    dcterms:source ckd:src-rallying-together-pmm .
"""


def test_check_a_file_without_errors(open_page: Opener):
    app = open_page(CHECK, how="paste")
    app.text_area(key="check:text").input(CLEAN)
    app.button(key="check:paste-run").click().run()
    assert not app.exception
    assert not app.error
    summary = [w.value for w in app.warning] + [s.value for s in app.success]
    assert any("0 errors" in text for text in summary)


def test_a_suggested_fix_is_copyable_code(open_page: Opener):
    """Regression: "add @prefix prov: <http://www.w3.org/ns/prov#>" was drawn as a link with
    backslashes, so it could not be copied."""
    app = open_page(CHECK, how="paste")
    text = CLEAN.replace("@prefix prov: <http://www.w3.org/ns/prov#> .\n", "")
    app.text_area(key="check:text").input(text)
    app.button(key="check:paste-run").click().run()
    assert not app.exception
    fixes = [c.value for c in app.code if "@prefix prov:" in c.value]
    assert fixes and "<http://www.w3.org/ns/prov#>" in fixes[0]
    assert "\\" not in fixes[0]


def test_a_file_over_one_megabyte_is_refused_plainly(open_page: Opener):
    """Regression: a 2.4 MB upload took 69 s and drew 60,001 error boxes."""
    app = open_page(CHECK)
    big = ("# " + "x" * 98 + "\n") * 10_500  # about 1.05 MB
    app.file_uploader(key="check:upload").upload("big.ttl", big.encode(), "text/turtle")
    app.run()
    assert not app.exception
    assert any("up to 1 MB" in e.value for e in app.error)
    assert not app.download_button, "nothing is checked"


CHECK_LIMIT = 1_000_000
"""The most the Check page checks (1 MB; app/views/check.py MAX_BYTES)."""


def _padded(text: str, size: int) -> str:
    """``text`` and comment lines after it, ``size`` bytes in all (UTF-8; ASCII padding)."""
    line = "# " + "x" * 97 + "\n"
    gap = size - len(text.encode("utf-8"))
    assert gap >= 2
    whole, rest = divmod(gap, len(line))
    tail = "#" + "x" * (rest - 2) + "\n" if rest >= 2 else ""
    text = text + line * whole + tail + " " * (gap - whole * len(line) - len(tail))
    assert len(text.encode("utf-8")) == size
    return text


def _paste_and_check(app, text: str):  # type: ignore[no-untyped-def]
    app.text_area(key="check:text").input(text)
    app.button(key="check:paste-run").click().run()
    assert not app.exception
    return app


def test_a_paste_over_one_megabyte_is_refused_plainly_not_dropped(open_page: Opener):
    """Regression: a paste of 1,084,957 characters (a valid case file and comment lines) was
    dropped whole by the browser (the text area's max_chars was 1,000,000): the box stayed
    empty and the page said "Paste some Turtle first." It reaches the page, which refuses it
    with the message an upload over the limit gets, and checks nothing."""
    text = _padded(CLEAN, CHECK_LIMIT + 84_957)
    app = _paste_and_check(open_page(CHECK, how="paste"), text)
    assert app.text_area(key="check:text").value == text, "the paste is kept whole"
    assert not any("Paste some Turtle first" in w.value for w in app.warning)
    refused = [e.value for e in app.error]
    assert len(refused) == 1
    assert "pasted.ttl is 1,084,957 bytes (1.08 MB)" in refused[0]
    assert "up to 1 MB" in refused[0] and "collabkg validate FILE" in refused[0]
    assert not app.download_button and not app.success, "nothing is checked"
    # one byte over is refused too, in bytes (not "1.0 MB; … up to 1 MB")
    app = _paste_and_check(open_page(CHECK, how="paste"), _padded(CLEAN, CHECK_LIMIT + 1))
    assert any("is 1,000,001 bytes" in e.value for e in app.error)
    assert not app.download_button
    # under a million characters but over 1 MB of UTF-8: refused as well
    wide = CLEAN + ("# " + "é" * 97 + "\n") * 5_200
    assert len(wide) < CHECK_LIMIT < len(wide.encode("utf-8"))
    app = _paste_and_check(open_page(CHECK, how="paste"), wide)
    assert any("up to 1 MB" in e.value for e in app.error)
    assert not app.download_button


def test_a_paste_of_one_megabyte_is_checked(open_page: Opener):
    text = _padded(CLEAN, CHECK_LIMIT)
    app = _paste_and_check(open_page(CHECK, how="paste"), text)
    assert not app.error
    summary = [w.value for w in app.warning] + [s.value for s in app.success]
    assert any("**pasted.ttl**: 0 errors" in t for t in summary), summary
    assert [b.proto.label for b in app.download_button] == ["Download this report"]


def test_an_upload_over_one_megabyte_reaches_the_page_and_its_message(open_page: Opener):
    """Regression: a 1,020,008-byte upload got Streamlit's own "File must be 1.0MB or
    smaller." (the uploader's max_upload_size was 1 MB, checked in the browser): the page
    never saw the file, and its plain message (what to do instead) was not shown. The
    uploader takes far more than the page checks; the page refuses it."""
    app = open_page(CHECK)
    uploader = app.file_uploader(key="check:upload")
    # the browser refuses files over max_upload_size_mb (10^6 or 2^20 bytes a MB)
    assert uploader.proto.max_upload_size_mb * 1_000_000 >= 10 * CHECK_LIMIT
    assert "at most 1 MB" in uploader.proto.label
    drawn = drawn_html(app)
    assert '.st-key-check-upload [data-testid="stFileUploaderDropzoneInstructions"]' in drawn, (
        "the uploader's own limit (not the page's) is not shown"
    )
    uploader.upload("big.ttl", _padded(CLEAN, 1_020_008).encode(), "text/turtle")
    app.run()
    assert not app.exception
    refused = [e.value for e in app.error]
    assert len(refused) == 1 and "big.ttl is 1,020,008 bytes (1.02 MB)" in refused[0]
    assert "up to 1 MB" in refused[0]
    assert not app.download_button, "nothing is checked"


def test_many_issues_show_the_first_and_say_how_many_more(open_page: Opener):
    app = open_page(CHECK, how="paste")
    lines = "".join(f"ckd:thing-{n} a ck:NoSuchClass{n} .\n" for n in range(80))
    app.text_area(key="check:text").input(CLEAN + lines)
    app.button(key="check:paste-run").click().run()
    assert not app.exception
    boxes = [
        m for m in app.markdown if m.value.startswith(("**Error**", "**Warning**", "**Note**"))
    ]
    assert len(boxes) == 50
    assert any("more issues" in w.value for w in app.warning)


def test_check_asks_for_text(open_page: Opener):
    app = open_page(CHECK, how="paste")
    app.button(key="check:paste-run").click().run()
    assert any("Paste some Turtle first" in w.value for w in app.warning)


def test_check_offers_upload_first_and_paste_by_a_link_kept_in_the_address(open_page: Opener):
    app = open_page(CHECK)
    assert app.get("file_uploader") and not app.text_area, "one widget at a time"
    drawn = drawn_html(app)
    assert '<span aria-current="page">Upload a file</span>' in drawn
    assert '<a href="check?how=paste">Paste Turtle</a>' in drawn
    app = open_page(CHECK, how="paste")
    assert app.text_area(key="check:text") is not None and not app.get("file_uploader")
    assert '<span aria-current="page">Paste Turtle</span>' in drawn_html(app)
    assert app.query_params["how"] in ("paste", ["paste"])


# --------------------------------------------------------------------------- sparql


def _answer(app) -> str:  # type: ignore[no-untyped-def]
    """The answer table the page drew (HTML), "" when none."""
    import re

    found = re.search(r'<table class="ck-answer">.*?</table>', drawn_html(app), flags=re.DOTALL)
    return found[0] if found else ""


def _editor(app) -> str:  # type: ignore[no-untyped-def]
    import re

    found = re.search(r'<form class="ck-filters ck-sparql".*?</form>', drawn_html(app), re.DOTALL)
    assert found is not None, "the editor is one HTML form"
    return found[0]


def _textarea(app, name: str) -> str:  # type: ignore[no-untyped-def]
    import html
    import re

    found = re.search(
        rf'<textarea [^>]*name="{name}"[^>]*>(.*?)</textarea>', _editor(app), re.DOTALL
    )
    assert found is not None, name
    return html.unescape(found[1])


def test_sparql_runs_a_query_by_label(open_page: Opener):
    app = open_page(SPARQL)
    assert not _answer(app), "nothing runs before Run"
    app = open_page(SPARQL, query=_textarea(app, "query"), run="1")
    table = _answer(app)
    assert '<th scope="col">Organisation</th><th scope="col">Sector</th>' in table
    shown = re.sub(r"<[^>]*>", " ", table)
    assert "https://" not in shown and "ckd:" not in shown, "labels, not identifiers"
    one = open_page(
        SPARQL,
        query="SELECT ?organisation ?sector WHERE { VALUES ?organisation { ckd:wigan-council } "
        "?organisation ck:hasSector ?sector }",
        run="1",
    )
    assert "Wigan council" in _answer(one) and "public sector" in _answer(one)
    assert [b.proto.label for b in app.download_button] == ["Download CSV", "Download JSON"]


def test_sparql_shows_identifiers_when_asked(open_page: Opener):
    app = open_page(
        SPARQL, query="SELECT ?o WHERE { ?o a ck:LocalAuthority } LIMIT 1", names="0", run="1"
    )
    assert "https://w3id.org/collabkg/id/" in _answer(app)
    assert 'name="names" value="1">' in _editor(app)  # the box is shown unticked
    assert app.query_params["names"] in ("0", ["0"])


def test_sparql_refuses_updates_and_service(open_page: Opener):
    app = open_page(SPARQL, query="INSERT DATA { ckd:a ckd:b ckd:c }", run="1")
    assert "read-only" in app.error[0].value
    assert not _answer(app)
    app = open_page(
        SPARQL, query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", run="1"
    )
    assert "SERVICE is not allowed" in app.error[0].value


def test_sparql_syntax_error_is_located(open_page: Opener):
    app = open_page(SPARQL, query="SELECT ?s WHERE {\n  ?s ?p \n", run="1")
    assert "syntax error" in app.error[0].value.lower()
    assert "line" in app.error[0].value
    assert _textarea(app, "query") == "SELECT ?s WHERE {\n  ?s ?p \n", "the text stays to fix"


def test_sparql_examples_params_ask_and_construct(open_page: Opener):
    app = open_page(SPARQL)
    assert 'href="sparql?example=accountability-chain"' in drawn_html(app)
    app = open_page(SPARQL, example="accountability-chain")
    assert "hasAccountableParty" in _textarea(app, "query")
    assert _textarea(app, "params").startswith("organisation=")
    assert "example" not in app.query_params  # the address now holds the text itself
    assert "hasAccountableParty" in str(app.query_params["query"])
    app = open_page(
        SPARQL,
        query=_textarea(app, "query"),
        params="organisation=ckd:wigan-council",
        run="1",
    )
    assert not app.error

    app = open_page(SPARQL, query="ASK { ckd:wigan-council a ck:LocalAuthority }", run="1")
    assert any("Yes" in s.value for s in app.success)

    app = open_page(
        SPARQL,
        query="CONSTRUCT { ckd:wigan-council rdfs:label ?l } "
        "WHERE { ckd:wigan-council rdfs:label ?l }",
        run="1",
    )
    assert "Wigan council" in app.code[0].value


def test_sparql_bad_parameter(open_page: Opener):
    # (a query given: without one, Run says to write a query first and reads nothing else)
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    app = open_page(SPARQL, query=query, params="this is not an assignment", run="1")
    assert "parameter line 1" in app.error[0].value


def test_the_sparql_address_reopens_the_query_and_its_answer(open_page: Opener):
    query = "SELECT ?o WHERE { ?o a ck:LocalAuthority } ORDER BY ?o LIMIT 2"
    app = open_page(SPARQL, query=query, run="1")
    address = {k: app.query_params[k] for k in app.query_params}
    flat = {k: v[0] if isinstance(v, list) else v for k, v in address.items()}
    assert flat == {"query": query, "run": "1"}
    again = open_page(SPARQL, **flat)
    assert _textarea(again, "query") == query
    assert _answer(again), "the link runs the query it names"
    assert "2 rows." in [c.value for c in again.caption]


def test_the_sparql_editor_is_labelled_and_escaped(open_page: Opener):
    app = open_page(SPARQL, query='SELECT ("</textarea><b>x</b>" AS ?x) {}')
    editor = _editor(app)
    assert '<label for="ck-sparql-query">Query</label>' in editor
    assert "&lt;/textarea&gt;&lt;b&gt;" in editor
    assert '<button type="submit">Run query</button>' in editor


def test_run_with_the_query_box_cleared_silently_ran_the_example(open_page: Opener):
    """Regression: clearing the box and pressing Run (the form leaves the empty query out of
    the address: ?run=1) ran the built-in example. Now it says to write a query first and
    runs nothing; the box stays empty."""
    for params in ({"run": "1"}, {"run": "1", "query": "  \n "}):
        app = open_page(SPARQL, **params)
        assert any("Write a query first" in i.value for i in app.info)
        assert not _answer(app), "nothing was run"
        assert not app.download_button
        assert _textarea(app, "query").strip() == ""


def test_no_row_for_a_class_with_subclasses_gave_no_hint(open_page: Opener):
    """Regression: `?o a org:Organization` found no row (the graph stores the most specific
    types only) and said nothing. Now a SELECT with no row over a class with subclasses
    says how to include them; a query with rows, or over a class without subclasses, or
    written with the path, gets no such hint."""
    app = open_page(
        SPARQL, query="SELECT ?o ?name WHERE { ?o a org:Organization ; rdfs:label ?name }", run="1"
    )
    hints = [i.value for i in app.info if "inferred types" in i.value]
    assert hints and "?o a/rdfs:subClassOf* org:Organization" in hints[0]
    with_path = open_page(
        SPARQL,
        query="SELECT ?o ?name WHERE { ?o a/rdfs:subClassOf* org:Organization ; rdfs:label ?name }",
        run="1",
    )
    assert _answer(with_path) and not [i for i in with_path.info if "inferred" in i.value]
    leaf = open_page(
        SPARQL,
        query="SELECT ?o WHERE { ?o a ck:LocalAuthority ; rdfs:label 'no such name' }",
        run="1",
    )
    assert not [i for i in leaf.info if "inferred" in i.value]


def test_a_hint_in_prose_was_put_in_a_copy_box_as_if_it_were_code(open_page: Opener):
    """Regression: "What to do" drew the whole hint ("'ckzz:' is not a prefix collabkg
    uses — did you mean 'ck:'? ...") in a copyable code box. Prose is text now; a box holds
    only code to paste (the @prefix line of a missing prefix), exactly."""
    app = open_page(CHECK, how="paste")
    app.text_area(key="check:text").input(CLEAN.replace("a ck:Charity", "a ckzz:Charity"))
    app.button(key="check:paste-run").click().run()
    assert not app.exception
    advice = [m.value for m in app.markdown if m.value.startswith("**What to do:**")]
    assert any("did you mean" in a for a in advice), advice
    for box in app.code:
        assert "did you mean" not in box.value and "is not a prefix" not in box.value
    # a line to paste is still a box of its own, and only that line
    app = open_page(CHECK, how="paste")
    app.text_area(key="check:text").input(
        CLEAN.replace("@prefix prov: <http://www.w3.org/ns/prov#> .\n", "")
    )
    app.button(key="check:paste-run").click().run()
    boxes = [c.value for c in app.code if "@prefix prov:" in c.value]
    assert boxes == ["@prefix prov: <http://www.w3.org/ns/prov#> ."]


def test_type_patterns_are_read_from_the_query_not_its_paths():
    from collabkg.explorer.sparql_hints import MAX_READ, type_patterns

    found = type_patterns("SELECT ?o WHERE { ?o rdf:type ck:LocalAuthority ; a org:Organization }")
    assert {p.cls.rsplit("#", 1)[1] for p in found} == {"LocalAuthority", "Organization"}
    assert type_patterns("SELECT ?o WHERE { ?o a/rdfs:subClassOf* org:Organization }") == []
    assert type_patterns("SELECT ?o WHERE { ?o a ?class }") == []
    assert type_patterns("not SPARQL") == []
    assert type_patterns("#" * (MAX_READ + 1)) == []
