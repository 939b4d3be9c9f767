"""An item ended with ';' or ',' where ' .' belongs was reported at the next item (the
parser fails there): it is reported at the ';' now, and only when that is the mistake."""

from __future__ import annotations

from collabkg.validate.syntax_hints import unended_item

PREFIXES = (
    "@prefix ckd: <https://w3id.org/collabkg/id/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
)


def test_a_semicolon_ending_an_item_is_reported_where_it_is():
    text = PREFIXES + 'ckd:a a ckd:K ;\n    rdfs:label "A ; B" ;\n\nckd:b a ckd:K .\n'
    # the parser gives up at line 7 (the 'a' after ckd:b), or on the line after it
    for error_line in (7, 8):
        found = unended_item(text, error_line)
        assert found is not None
        assert found.line == 5 and text.splitlines()[4][found.column - 1 :] == ";"
        assert "ckd:b, line 7" in found.message


def test_no_finding_where_the_line_above_ends_otherwise():
    text = PREFIXES + "ckd:a a ckd:K .\n\nckd:b a ckd:K ckd:x .\n"
    assert unended_item(text, 6) is None and unended_item(text, 7) is None
    # an error inside an item's properties (indented), far from any item's start
    text = PREFIXES + 'ckd:a a ckd:K ;\n    rdfs:label "A" ;\n    rdfs:comment "x" "y" .\n'
    assert unended_item(text, 6) is None


def test_a_semicolon_in_a_text_or_a_comment_is_not_taken_for_the_end():
    text = PREFIXES + 'ckd:a rdfs:comment """one;\ntwo;\n""" .\nckd:b a ckd:K ckd:x .\n'
    assert unended_item(text, 7) is None
    text = PREFIXES + "ckd:a a ckd:K . # then ;\nckd:b a ckd:K ckd:x .\n"
    assert unended_item(text, 5) is None


def test_a_prefix_line_or_the_first_item_is_never_blamed():
    prefix_unended = "@prefix ckd: <https://w3id.org/collabkg/id/> ;\nckd:a a ckd:K .\n"
    assert unended_item(prefix_unended, 2) is None
    assert unended_item("ckd:a a ckd:K ckd:x .\n", 1) is None
    assert unended_item(PREFIXES, None) is None
