"""The collabkg command line, as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from collabkg import __version__
from tests.support.waiting import wait_until

COMMANDS = ("validate", "query", "queries", "stats", "export", "fmt", "explore")


def test_help_lists_every_command(cli):
    code, out, _err = cli("--help")
    assert code == 0
    for command in COMMANDS:
        assert command in out


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "collabkg"
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"collabkg {__version__}"


def _console(*args: str) -> subprocess.CompletedProcess[bytes]:
    script = Path(sys.executable).parent / "collabkg"
    return subprocess.run([str(script), *args], capture_output=True, timeout=120, check=False)


def test_the_console_script_leaving_at_once_still_writes_everything_and_its_exit_code(
    cli, mini_root: Path
):
    """The console script ends the process at once after the command, holding what it
    loaded (a query at 1M spent 0.42 s of 4.7 s freeing the graph after the answer was out;
    6.1 s at 10M). What a person checks still holds: the whole answer, byte for byte what the
    command writes in-process, the errors on stderr, the command's exit code; and a command
    run from Python holds nothing."""
    from collabkg import cli as cli_module

    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    args = ("--root", str(mini_root), "query", "--sparql", every, "--format", "csv")
    code, out, _err = cli(*args)
    assert code == 0 and out.count("\n") > 1
    assert not cli_module._HELD_TO_EXIT  # main() from Python holds nothing
    done = _console(*args)
    assert done.returncode == 0
    assert done.stdout.decode("utf-8") == out
    failed = _console("--root", str(mini_root), "query", "no-such-question")
    assert failed.returncode == 2
    assert b"no canned query with id 'no-such-question'" in failed.stderr
    invalid = _console("--root", str(mini_root), "query", "--sparql", "DELETE WHERE { ?s ?p ?o }")
    assert invalid.returncode == 1 and b"error" in invalid.stderr


def test_the_console_script_piped_into_a_reader_that_stops_early_exits_quietly(
    mini_root: Path,
):
    """More than a pipe holds (130 KB), read 10 bytes: the command's writes fail, and the
    process still ends with 0 and without a traceback."""
    script = Path(sys.executable).parent / "collabkg"
    every = "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r }"
    command = (
        f"'{script}' --root '{mini_root}' query --sparql '{every}' --format csv"
        " | head -c 10 > /dev/null"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        (),
        ("frobnicate",),
        ("query", "--format", "xml", "members"),
        ("export", "--format", "rdfxml"),
        # `fmt` alone lays out every Turtle file of the project now (docs: "fmt --check lists
        # files that are not" canonical); a flag it does not have is still bad usage
        ("fmt", "--no-such-flag"),
    ],
)
def test_bad_usage_exits_2(cli, argv: tuple[str, ...]):
    code, _out, err = cli(*argv)
    assert code == 2
    assert "usage:" in err or "error:" in err


def test_stats_prints_triples_per_file_and_instances_per_class(cli, mini_root: Path):
    code, out, _err = cli("--root", str(mini_root), "stats")
    assert code == 0
    assert "data/cases/riverside.ttl       15" in out
    assert "ontology/concepts/sectors.ttl  8" in out
    assert "data/TEMPLATE.ttl" not in out
    assert "41 distinct triples" in out
    assert "Charity" in out and "Local authority" in out


def test_validate_ok_and_syntax_error_with_position(cli, mini_copy: Path):
    code, out, _err = cli("--root", str(mini_copy), "validate")
    assert code == 0
    assert "OK: 3 file(s) checked" in out
    broken = mini_copy / "data" / "cases" / "broken.ttl"
    broken.write_text(
        "@prefix ckd: <https://w3id.org/collabkg/id/> .\n\nckd:a ckd:b ckx:c .\n",
        encoding="utf-8",
    )
    code, out, _err = cli("--root", str(mini_copy), "validate")
    assert code == 1
    assert "data/cases/broken.ttl:3:13: " in out
    assert "ckx:" in out
    assert "3 | ckd:a ckd:b ckx:c ." in out


def test_validate_named_paths(cli, mini_copy: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(mini_copy)
    code, out, _err = cli("validate", "ontology")
    assert code == 0
    assert "2 file(s) checked" in out


def test_other_commands_refuse_broken_data_in_one_line(cli, mini_copy: Path):
    (mini_copy / "data" / "x.ttl").write_text("ckd:a ckd:b ckd:c .\n", encoding="utf-8")
    code, _out, err = cli("--root", str(mini_copy), "stats")
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith("collabkg: error: data/x.ttl:1:1: ")
    assert " — " in first
    assert "Traceback" not in err


def test_canned_query_table_shows_labels_not_iris(cli, mini_root: Path):
    code, out, _err = cli("--root", str(mini_root), "query", "members")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["collab", "member", "sector"]
    assert set(lines[1]) <= {"-", " "}
    assert "Riverside Food Bank" in out
    assert "ckd:hilltop-youth-club" in out  # no label: its compact name, none made up
    assert "https://" not in out
    assert "(3 rows)" in out


def test_canned_query_with_param_as_csv_and_json(cli, mini_root: Path):
    code, out, _err = cli(
        "--root", str(mini_root), "query", "orgs-by-motto",
        "--param", "motto=Nobody goes hungry", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        "org,org_iri,motto",
        "Riverside Food Bank,https://w3id.org/collabkg/id/riverside-food-bank,Nobody goes hungry",
    ]
    code, out, _err = cli(
        "--root", str(mini_root), "query", "members", "--format", "json", "--limit", "1"
    )
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 1
    assert rows[0]["collab"] == "Riverside Partnership"
    assert rows[0]["collab_iri"] == "https://w3id.org/collabkg/id/riverside-partnership"


def test_query_parameter_errors_are_usage_errors(cli, mini_root: Path):
    code, _out, err = cli("--root", str(mini_root), "query", "orgs-by-motto")
    assert code == 2
    assert "needs a value for 'motto'" in err
    code, _out, err = cli(
        "--root", str(mini_root), "query", "members", "--param", "collab=not an iri"
    )
    assert code == 2
    assert "not a valid IRI" in err


def test_own_sparql_with_typed_params(cli, mini_root: Path):
    code, out, _err = cli(
        "--root", str(mini_root), "query",
        "--sparql", "SELECT ?org ?sector WHERE { ?org ck:hasSector ?sector }",
        "--param", "sector=ckc:publicSector",
    )  # fmt: skip
    assert code == 0
    assert "Riverside Council" in out
    assert "Riverside Food Bank" not in out
    code, out, _err = cli("--root", str(mini_root), "query", "--sparql", "ASK { ?s a ck:Charity }")
    assert (code, out.strip()) == (0, "yes")


def test_own_sparql_is_read_only_and_syntax_errors_exit_1(cli, mini_root: Path):
    code, _out, err = cli("--root", str(mini_root), "query", "--sparql", "DROP ALL")
    assert code == 1
    assert "read-only" in err
    code, _out, err = cli(
        "--root", str(mini_root), "query", "--sparql", "SELECT * WHERE {\n ?s ?p }"
    )
    assert code == 1
    assert err.startswith("collabkg: error: line 2:column")


def test_own_sparql_gets_the_default_row_limit(cli, mini_root: Path):
    code, out, err = cli(
        "--root", str(mini_root), "query", "--sparql", "SELECT * WHERE { ?s ?p ?o }",
        "--limit", "2", "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert len(json.loads(out)) == 2
    assert "only the first 2 rows" in err


def test_queries_lists_by_tag_and_says_when_there_are_none(cli, mini_root: Path, tmp_path: Path):
    code, out, _err = cli("--root", str(mini_root), "queries")
    assert code == 0
    assert "collaborations:" in out
    assert "members" in out and "Who are the members of a collaboration?" in out
    (tmp_path / "ontology").mkdir()
    code, out, _err = cli("--root", str(tmp_path), "queries")
    assert code == 0
    assert "No canned queries yet" in out


def test_export_to_file(cli, mini_root: Path, tmp_path: Path):
    target = tmp_path / "all.nt"
    code, _out, err = cli("--root", str(mini_root), "export", "--format", "nt", "-o", str(target))
    assert code == 0
    assert "Wrote" in err
    assert len(target.read_text(encoding="utf-8").splitlines()) == 41
    code, out, _err = cli("--root", str(mini_root), "export")
    assert code == 0
    assert out.startswith("@prefix ck:")


def test_explore_without_an_app_is_a_usage_error(cli, tmp_path: Path):
    (tmp_path / "ontology").mkdir()
    code, _out, err = cli("--root", str(tmp_path), "explore")
    assert code == 2
    assert "explorer app is missing" in err


def test_the_real_project_validates(cli):
    """`make run` validates the repository's own data first: it must pass."""
    repo = Path(__file__).resolve().parents[1]
    code, out, _err = cli("--root", str(repo), "validate")
    assert code == 0, out


def test_injection_attempt_through_the_cli_finds_nothing(cli, mini_root: Path):
    hostile = 'x" } UNION { ?s ?p ?o } #\n> }'
    code, out, _err = cli(
        "--root", str(mini_root), "query", "orgs-by-motto",
        "--param", f"motto={hostile}", "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == []


def test_validate_errors_only_lists_errors_and_counts_what_it_left_out(cli):
    repo = Path(__file__).resolve().parents[1]
    code, full, _err = cli("--root", str(repo), "validate", "--format", "json")
    report = json.loads(full)
    warnings = report["summary"]["warning"]
    code_only, out, _err = cli("--root", str(repo), "validate", "--errors-only")
    assert code_only == code
    assert ": warning:" not in out
    if warnings:
        assert f"{warnings} warning(s)" in out and "--errors-only" in out
    broken = cli("--root", str(repo), "validate", "--errors-only", "--strict")
    assert broken[0] == (1 if warnings else 0), "--strict still fails on the warnings left out"


def test_query_pages_cover_the_whole_answer_in_order(cli, mini_root: Path):
    code, whole, _err = cli("--root", str(mini_root), "query", "members", "--format", "csv")
    assert code == 0
    header, *rows = whole.splitlines()
    assert len(rows) == 3
    paged: list[str] = []
    for number in (1, 2):
        code, out, err = cli(
            "--root", str(mini_root), "query", "members", "--format", "csv",
            "--page", str(number), "--page-size", "2",
        )  # fmt: skip
        assert code == 0
        assert out.splitlines()[0] == header
        paged += out.splitlines()[1:]
        assert f"page {number} of 2" in err and "of 3" in err
    assert paged == rows
    code, out, _err = cli(
        "--root", str(mini_root), "query", "members", "--offset", "1", "--page-size", "1"
    )
    assert code == 0
    assert "(1 row)" in out and "rows 2–2 of 3, page 2 of 3; next: --offset 2" in out


@pytest.mark.parametrize(
    "extra",
    [("--page", "0"), ("--offset", "-1"), ("--page-size", "0"), ("--page", "1", "--offset", "0")],
)
def test_bad_page_options_are_usage_errors(cli, mini_root: Path, extra: tuple[str, ...]):
    code, out, err = cli("--root", str(mini_root), "query", "members", *extra)
    assert code == 2 and out == ""
    assert "page" in err or "offset" in err


def test_a_long_answer_is_written_a_chunk_at_a_time_with_the_same_output(
    cli, mini_root: Path, monkeypatch: pytest.MonkeyPatch
):
    import collabkg.cli

    for fmt in ("csv", "json"):
        code, whole, _err = cli("--root", str(mini_root), "query", "members", "--format", fmt)
        assert code == 0
        monkeypatch.setattr(collabkg.cli, "STREAM_CHUNK", 1)
        code, chunked, _err = cli("--root", str(mini_root), "query", "members", "--format", fmt)
        monkeypatch.undo()
        assert code == 0 and chunked == whole
    rows = json.loads(whole)
    assert len(rows) == 3 and all(row["collab"] == "Riverside Partnership" for row in rows)


def test_a_page_of_your_own_sparql_keeps_its_checks(cli, mini_root: Path):
    code, out, _err = cli(
        "--root", str(mini_root), "query", "--sparql",
        "SELECT ?s WHERE { ?s a ?kind } ORDER BY ?s", "--page", "2", "--page-size", "1",
    )  # fmt: skip
    assert code == 0 and "(1 row)" in out and "page 2 of" in out
    code, _out, err = cli("--root", str(mini_root), "query", "--sparql", "DROP ALL", "--page", "1")
    assert code != 0 and "Traceback" not in err


def test_construct_and_describe_ignored_limit(cli, mini_root: Path):
    """--limit (and the default cap for an analyst's SPARQL) was ignored for a graph: the
    whole graph came out. It caps the triples, with a note on stderr when some were cut."""
    import rdflib

    every = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    code, whole, err = cli("--root", str(mini_root), "query", "--sparql", every)
    assert code == 0 and "only the first" not in err
    total = len(rdflib.Graph().parse(data=whole, format="turtle"))
    assert total > 3
    code, out, err = cli("--root", str(mini_root), "query", "--sparql", every, "--limit", "3")
    assert code == 0
    assert len(rdflib.Graph().parse(data=out, format="turtle")) == 3
    assert "only the first 3 triples" in err and "--limit" in err
    describe = "DESCRIBE ckd:riverside-council"
    code, out, err = cli("--root", str(mini_root), "query", "--sparql", describe, "--limit", "2")
    assert code == 0
    assert len(rdflib.Graph().parse(data=out, format="turtle")) == 2
    assert "only the first 2 triples" in err


def test_construct_asked_with_format_csv_or_json_got_turtle(cli, mini_root: Path):
    import rdflib

    describe = "DESCRIBE ckd:riverside-council"
    code, out, err = cli("--root", str(mini_root), "query", "--sparql", describe,
                         "--format", "csv")
    assert code == 2 and out == ""
    assert "--format csv does not apply" in err and "json" in err and "table" in err
    code, out, _err = cli("--root", str(mini_root), "query", "--sparql", describe,
                          "--format", "json")
    assert code == 0
    graph = rdflib.Graph().parse(data=out, format="json-ld")
    labels = {str(o) for o in graph.objects(None, rdflib.RDFS.label)}
    assert labels == {"Riverside Council"}
    code, out, _err = cli("query", "--help")
    assert "JSON-LD" in "".join(out.split())


def test_ask_as_csv_printed_yes_where_the_endpoint_prints_true(cli, mini_root: Path):
    for query, word in (("ASK { ?s a ck:Charity }", "true"), ("ASK { ?s a ck:Nothing }", "false")):
        code, out, _err = cli("--root", str(mini_root), "query", "--sparql", query,
                              "--format", "csv")
        assert (code, out.strip()) == (0, word)
        code, out, _err = cli("--root", str(mini_root), "query", "--sparql", query,
                              "--format", "json")
        assert json.loads(out) == {"boolean": word == "true"}
    code, out, _err = cli("--root", str(mini_root), "query", "--sparql",
                          "ASK { ?s a ck:Charity }")
    assert out.strip() == "yes"  # words for people, in the table format


CHARITY_MEMBERS = """\
#+ summary: Which collaborations does a charity belong to?
#+ tags: [organisations]
#+ params:
#+   - name: charity
#+     type: iri
#+     label: Charity
#+     choices: {class: ck:Charity}
SELECT ?charity ?collab WHERE {
  ?collab ck:hasMember ?charity .
}
"""


@pytest.fixture
def mini_with_choices(mini_copy: Path) -> Path:
    (mini_copy / "queries" / "charity-collabs.rq").write_text(CHARITY_MEMBERS, encoding="utf-8")
    return mini_copy


@pytest.mark.parametrize("given", ["foo:riverside-food-bank", "ckd:nonexistent"])
def test_a_name_the_graph_does_not_know_answered_0_rows(cli, mini_with_choices: Path,
                                                        given: str):
    code, out, err = cli("--root", str(mini_with_choices), "query", "charity-collabs",
                         "--param", f"charity={given}")
    assert code == 2 and "0 rows" not in out
    assert f"--param charity={given}" in err and "not in the graph" in err
    assert "Riverside Food Bank = ckd:riverside-food-bank" in err  # the choices, listed
    if given.startswith("foo:"):
        assert "'foo:' is not a prefix" in err and "ckd:" in err


def test_a_name_not_among_the_questions_choices_answered_0_rows(cli, mini_with_choices: Path):
    code, out, err = cli("--root", str(mini_with_choices), "query", "charity-collabs",
                         "--param", "charity=ckd:riverside-council")  # described, not a charity
    assert code == 2 and "0 rows" not in out
    assert "“Riverside Council” is not one of this question's choices of charity" in err
    assert "ckd:riverside-food-bank" in err
    code, out, _err = cli("--root", str(mini_with_choices), "query", "charity-collabs",
                          "--param", "charity=ckd:riverside-food-bank")
    assert code == 0 and "Riverside Partnership" in out


def test_a_parameter_without_choices_naming_nothing_answered_0_rows(cli, mini_root: Path):
    code, out, err = cli("--root", str(mini_root), "query", "members",
                         "--param", "collab=ckd:no-such-partnership")
    assert code == 2 and "0 rows" not in out
    assert "'ckd:no-such-partnership' is not in the graph" in err


def test_a_repeated_param_silently_kept_the_last(cli, mini_root: Path):
    for ref in (("members",), ("--sparql", "SELECT ?o WHERE { ?s ck:hasSector ?o }")):
        code, out, err = cli("--root", str(mini_root), "query", *ref,
                             "--param", "collab=ckd:riverside-partnership",
                             "--param", "collab=ckd:other")
        assert code == 2 and out == ""
        assert "given twice" in err and "collab" in err


def test_binding_a_variable_the_select_does_not_show_failed(cli, mini_root: Path):
    """rdflib's words were shown: "The SPARQL query does not contains variable ?x in its
    SELECT projection"; the engine pre-binds only variables it shows."""
    code, out, err = cli("--root", str(mini_root), "query", "--sparql",
                         "SELECT ?l WHERE { ?x rdfs:label ?l }",
                         "--param", "x=ckd:riverside-food-bank")
    assert code == 0, err
    assert "Riverside Food Bank" in out and "Riverside Council" not in out
    assert "(1 row)" in out
    code, out, err = cli("--root", str(mini_root), "query", "--sparql",
                         "SELECT (COUNT(?m) AS ?n) WHERE { ?c ck:hasMember ?m }",
                         "--param", "m=ckd:riverside-food-bank", "--format", "csv")
    assert code == 0, err
    assert out.split() == ["n", "1"]


def test_own_sparql_param_naming_no_variable_or_an_unknown_prefix_was_ignored(
    cli, mini_root: Path
):
    query = "SELECT ?l WHERE { ?x rdfs:label ?l }"
    code, out, err = cli("--root", str(mini_root), "query", "--sparql", query,
                         "--param", "y=ckd:riverside-food-bank")
    assert code == 2 and out == ""
    assert "no variable ?y" in err and "?x" in err
    code, out, err = cli("--root", str(mini_root), "query", "--sparql", query,
                         "--param", "x=foo:riverside-food-bank")
    assert code == 2 and out == ""
    assert "'foo:' is not a prefix" in err and "x:string=" in err


def test_query_with_no_arguments_said_give_either_not_both(cli, mini_root: Path):
    code, out, err = cli("--root", str(mini_root), "query")
    assert code == 2 and out == ""
    assert "not both" not in err
    assert "id" in err and ".rq" in err and "--sparql" in err
    assert "collabkg queries" in err
    code, _out, err = cli("--root", str(mini_root), "query", "members", "--sparql", "ASK {}")
    assert code == 2 and "not both" in err


def test_table_invented_names_for_iris_without_a_label(cli, mini_root: Path):
    """org:Organization and prov:Organization were both shown as "Organization",
    <urn:uuid:1234> as "1234", an unlabelled item as its local name made readable."""
    query = ("SELECT ?x WHERE { VALUES ?x { org:Organization prov:Organization "
             "<urn:uuid:1234> ckd:hilltop-youth-club ckd:riverside-council } }")
    code, out, _err = cli("--root", str(mini_root), "query", "--sparql", query)
    assert code == 0
    cells = [line.strip() for line in out.splitlines()[2:-1]]
    assert cells == ["org:Organization", "prov:Organization", "urn:uuid:1234",
                     "ckd:hilltop-youth-club", "Riverside Council"]
    code, out, _err = cli("--root", str(mini_root), "query", "--sparql", query, "--format", "csv")
    assert "\nOrganization," not in out and "\n1234," not in out
    assert "ckd:hilltop-youth-club,https://w3id.org/collabkg/id/hilltop-youth-club" in out


def test_the_explorer_keeps_its_readable_names_for_iris_without_a_label(mini_graph):
    """Only the CLI names unlabelled IRIs by their compact names: the explorer's labels
    (graph.labels) are unchanged."""
    names = mini_graph.labels(["https://w3id.org/collabkg/id/hilltop-youth-club"])
    assert names == {"https://w3id.org/collabkg/id/hilltop-youth-club": "Hilltop youth club"}


class _Report:
    consistent = True
    unsatisfiable: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()

    def to_text(self) -> str:
        return "consistent"


def test_reason_ran_minutes_with_no_output(cli, mini_root: Path, monkeypatch):
    """`collabkg reason` said nothing for 160-250 s. It says each step at once, and then
    that it is still working (here with a short stand-in for HermiT, and a short tick)."""

    import collabkg.reasoning as reasoning
    from collabkg import cli as cli_module
    from collabkg.progress import current

    def slow_check(graph, **_kwargs):
        progress = current()
        assert progress is not None
        progress.stage("reasoning with HermiT over 12 axioms (triples); this took about "
                       "3–4 minutes on a 2-core machine")
        # working until the ticker has said twice that it still is (stderr is captured)
        said = sys.stderr.getvalue  # type: ignore[attr-defined]

        def ticks_since_this_step() -> int:
            text = said()
            return text[text.rfind("reasoning with HermiT") :].count("still working")

        assert wait_until(lambda: ticks_since_this_step() >= 2, timeout=20)
        return _Report()

    monkeypatch.setattr(reasoning, "check_consistency", slow_check)
    monkeypatch.setattr(cli_module, "TICK_LOG_S", 0.1)
    code, out, err = cli("--root", str(mini_root), "reason")
    assert code == 0 and out.strip() == "consistent"
    lines = err.splitlines()
    steps = [line for line in lines if "still working" not in line]
    assert steps[0] == "collabkg reason: reading the data files"
    assert "reasoning with HermiT over 12 axioms" in steps[1] and "minutes" in steps[1]
    still = lines[lines.index(steps[1]) + 1 :]
    assert len(still) >= 2
    assert all(line.startswith("collabkg reason: still working (") for line in still)


def test_reasoning_says_what_it_reasons_over_before_hermit_runs(mini_root: Path, monkeypatch):
    from collabkg.progress import use
    from collabkg.reasoning import check, load_project_graph
    from collabkg.reasoning.hermit import Outcome

    said: list[str] = []

    class Said:
        def stage(self, name: str, total: int | None = None) -> None:
            said.append(name)

    def stand_in(triples, **_kwargs):
        assert any("HermiT" in text for text in said)  # said before it runs
        return Outcome(True, 0.0)

    monkeypatch.setattr(check, "run_hermit", stand_in)
    with use(Said()):  # type: ignore[arg-type]
        check.check_consistency(load_project_graph(mini_root), root=mini_root,
                                vocabularies=False)
    hermit = next(text for text in said if "HermiT" in text)
    assert "axioms" in hermit and "minutes on a 2-core machine" in hermit


def test_reason_on_a_terminal_rewrites_one_line_with_the_time_so_far(monkeypatch):
    import io

    from collabkg import cli as cli_module

    monkeypatch.setattr(cli_module, "TICK_TERMINAL_S", 0.05)
    stream = io.StringIO()
    with cli_module._StillWorking("collabkg reason", stream=stream, terminal=True) as progress:
        progress.stage("reasoning with HermiT")
        assert wait_until(lambda: "still working" in stream.getvalue(), timeout=20)
    text = stream.getvalue()
    assert text.startswith("collabkg reason: reasoning with HermiT\n")
    ticks = text.split("\n", 1)[1]
    assert "\r  ... still working: 0 s so far" in ticks
    assert "\n" not in ticks  # rewritten in place, and wiped at the end
    assert ticks.endswith("\r")
