"""Canned queries: '#+' YAML headers, typed parameters, lookup by id or path."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal

from collabkg.catalogue import Catalogue, parse_query_file, resolve
from collabkg.errors import LoadError, ParameterError, UsageError
from collabkg.project import load_graph
from collabkg.terms import CKD


def test_catalogue_reads_the_header_of_each_query(mini_root: Path):
    catalogue = Catalogue.load(mini_root)
    assert catalogue.ids == ["members", "orgs-by-motto"]
    members = catalogue.get("members")
    assert members.summary == "Who are the members of a collaboration?"
    assert members.audience == ("policy", "analyst")
    assert members.tags == ("collaborations",)
    assert members.default_view == "table"
    [param] = members.params
    assert (param.name, param.type, param.label, param.default) == (
        "collab",
        "iri",
        "Collaboration",
        "ckd:riverside-partnership",
    )
    assert "SELECT ?collab ?member ?sector" in members.text


def test_queries_group_by_tag(mini_root: Path):
    groups = Catalogue.load(mini_root).by_tag()
    assert list(groups) == ["collaborations", "organisations", "search"]
    assert [q.id for q in groups["search"]] == ["orgs-by-motto"]


def test_binding_fills_defaults_and_checks_types(mini_root: Path):
    catalogue = Catalogue.load(mini_root)
    assert catalogue.get("members").bind({}) == {"collab": CKD["riverside-partnership"]}
    assert catalogue.get("orgs-by-motto").bind({"motto": "x"}) == {"motto": Literal("x")}
    with pytest.raises(ParameterError, match="needs a value for 'motto'"):
        catalogue.get("orgs-by-motto").bind({})
    with pytest.raises(ParameterError, match="no parameter 'nope'"):
        catalogue.get("members").bind({"nope": "1"})
    with pytest.raises(ParameterError, match="collab"):
        catalogue.get("members").bind({"collab": "not an iri"})


def test_a_canned_query_runs_with_its_bound_parameters(mini_root: Path):
    graph = load_graph(mini_root)
    query = Catalogue.load(mini_root).get("members")
    result = graph.select(query.text, query.bind({}))
    assert len(result) == 3
    assert {graph.label(r["member"]) for r in result} >= {"Riverside Council"}


def test_resolve_by_id_or_path(mini_root: Path):
    assert resolve("members", mini_root).id == "members"
    by_path = resolve(str(mini_root / "queries" / "orgs-by-motto.rq"), mini_root)
    assert by_path.id == "orgs-by-motto"
    with pytest.raises(UsageError):
        resolve("no-such-query", mini_root)


def test_missing_queries_folder_is_an_empty_catalogue(tmp_path: Path):
    (tmp_path / "ontology").mkdir()
    assert len(Catalogue.load(tmp_path)) == 0


def test_bad_header_is_a_load_error_with_a_line(tmp_path: Path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: ok\n#+ tags: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(LoadError) as info:
        parse_query_file(bad)
    assert info.value.line is not None
    wrong_type = tmp_path / "wrong.rq"
    wrong_type.write_text("#+ params:\n#+   - {name: x, type: float}\nSELECT ?x {}\n")
    with pytest.raises(LoadError, match="unknown type 'float'"):
        parse_query_file(wrong_type)
