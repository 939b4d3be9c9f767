"""Sources and their texts (collabkg.sources) and ``collabkg sources``."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from collabkg.sources import (
    SourceRecord,
    TextStatus,
    find_quotation,
    text_state,
    texts_folder,
)

TEXT = (
    "The council said: “it’s a different way of thinking about how the community\n"
    "functions, it’s very anthropological” — and the charity disagreed.\n"
)


def test_a_quotation_is_found_whatever_its_line_breaks_and_spaces() -> None:
    assert find_quotation("it’s a different   way of thinking about how the community functions",
                          TEXT).found


def test_unicode_normalisation_is_not_a_difference() -> None:
    # a non-breaking space and a decomposed é are the same text after NFKC
    assert find_quotation("the\u00a0charity disagreed", TEXT).found
    assert find_quotation("caf\u0065\u0301", "a café").found


def test_a_changed_word_is_not_found_and_the_difference_is_named() -> None:
    match = find_quotation("it is a different way of thinking about how the community", TEXT)
    assert not match.found
    assert "it’s a different way of thinking" in match.closest
    assert "“it is” where the source has “it’s”" in match.explain()


def test_a_straight_apostrophe_is_a_difference() -> None:
    match = find_quotation("it's very anthropological", TEXT)
    assert not match.found
    assert "“it's” where the source has “it’s”" in match.explain()


def test_a_dropped_word_is_named() -> None:
    match = find_quotation("it’s a different way of thinking about the community functions", TEXT)
    assert not match.found
    assert "“how”" in match.explain()


def test_words_from_nowhere_have_no_closest_passage() -> None:
    match = find_quotation("llamas graze on volcanic slopes in spring", TEXT)
    assert not match.found
    assert match.closest == ""
    assert "no passage of the source is close" in match.explain()


def _record(**kw: str) -> SourceRecord:
    return SourceRecord("https://w3id.org/collabkg/id/src-x", label="X", **kw)


def test_text_states(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(TEXT, encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert text_state(_record(), tmp_path).status is TextStatus.NOT_NAMED
    assert text_state(_record(text_file="y.txt"), tmp_path).status is TextStatus.MISSING
    assert text_state(_record(text_file="../x.txt"), tmp_path / "sub").status is TextStatus.MISSING
    assert text_state(_record(text_file="x.txt"), tmp_path).status is TextStatus.UNRECORDED
    assert text_state(_record(text_file="x.txt", sha256=sha), tmp_path).status is (
        TextStatus.AVAILABLE
    )
    assert text_state(_record(text_file="x.txt", sha256="0" * 64), tmp_path).status is (
        TextStatus.CHANGED
    )


def test_the_texts_folder_is_collabkg_seeds_else_shared_seeds_beside_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLLABKG_SEEDS", raising=False)
    assert texts_folder(tmp_path / "checkout") == tmp_path / "shared" / "seeds"
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path / "elsewhere"))
    assert texts_folder(tmp_path / "checkout") == tmp_path / "elsewhere"


REPO = Path(__file__).resolve().parents[1]


def test_sources_command_lists_kind_address_text_and_verified_quotations(cli) -> None:
    code, out, _err = cli("--root", str(REPO), "sources")
    assert code == 0
    assert "Findings from Are We Rallying Together?" in out
    assert "blog post" in out and "Public Money & Management" in out
    assert "001_7dac589254d6b202.txt: available" in out
    # every shipped quotation is verified: each row reads n/n
    rows = [line for line in out.splitlines() if ".txt:" in line]
    assert rows
    for row in rows:
        verified, total = row.split()[-1].split("/")
        assert verified == total and int(total) > 0


def test_sources_command_without_the_texts_says_not_found(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path / "none"))
    code, out, _err = cli("--root", str(REPO), "sources")
    assert code == 0
    assert "not found" in out and str(tmp_path / "none") in out


def _sources_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the ontology and data, the source texts where they are."""
    monkeypatch.setenv("COLLABKG_SEEDS", str(texts_folder(REPO)))
    root = tmp_path / "p"
    for folder in ("ontology", "data"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def test_sources_command_fails_on_an_unverified_quotation(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _sources_project(tmp_path, monkeypatch)
    wigan = root / "data" / "cases" / "wigan.ttl"
    wigan.write_text(wigan.read_text("utf-8").replace("it’s very", "it is very", 1), "utf-8")
    code, out, _err = cli("--root", str(root), "sources")
    assert code == 1
    assert "available" in out


def test_sources_reads_a_file_with_a_byte_order_mark_and_says_which_it_leaves_out(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _sources_project(tmp_path, monkeypatch)
    code, before, _err = cli("--root", str(root), "sources")
    assert code == 0
    wigan = root / "data" / "cases" / "wigan.ttl"
    wigan.write_bytes(b"\xef\xbb\xbf" + wigan.read_bytes())  # as some editors save
    code, out, err = cli("--root", str(root), "sources")
    assert (code, out, err) == (0, before, "")  # read as the graph reads it: nothing lost
    wigan.write_text("@prefix ck: <x> .\nck:a ck:b", encoding="utf-8")  # cannot be parsed
    code, out, err = cli("--root", str(root), "sources")
    assert code == 1
    assert "data/cases/wigan.ttl was left out" in err and "collabkg validate" in err
