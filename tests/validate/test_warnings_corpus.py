"""The warnings corpus (tests/fixtures/warn/): data that is loaded but probably wrong gets a
located warning that says what to check — never silence, never an error.

Each file is checked against the small project (one source with its text, one case);
``collabkg validate FILE`` must exit 0 (warnings do not stop loading), print no traceback,
and report the expected warning at the expected line with advice that names the fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.validate import render, validate

WARN = Path(__file__).resolve().parents[1] / "fixtures" / "warn"

# file -> (code, line, what the human report must say)
EXPECTED: dict[str, tuple[str, int, str]] = {
    "01-accountable-to-itself.ttl": (
        "vocabulary.accountable-to-itself", 20, "accountable to itself"
    ),
    "02-charity-in-public-sector.ttl": (
        "vocabulary.kind-sector", 19, "This is a charity, but its sector is ckc:publicSector"
    ),
    "03-transfer-without-recipient.ttl": (
        "shacl.MinCount", 17, "does not say who receives the asset"
    ),
    "04-blank-node-cycle.ttl": ("vocabulary.blank-node-cycle", 23, "in a loop"),
    # it passed without a word
    "06-period-given-and-unstated.ttl": (
        "vocabulary.stated-and-unstated", 23, "gives ck:hasPeriod and also says its source"
    ),
    "05-source-text-not-available.ttl": (
        "quotation.text-unavailable", 21,
        "Quotations from “A new report” (ckd:src-bad-new) are not verified: its text is not "
        "available",
    ),
}


def test_every_file_has_an_expectation() -> None:
    assert {p.name for p in WARN.glob("*.ttl")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_warning_is_given_at_its_line_and_says_what_to_check(
    name: str, small_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line, advice = EXPECTED[name]
    status = main(["--root", str(small_project), "validate", "--format", "json", str(WARN / name)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    report = json.loads(out)
    assert status == 0, [i for i in report["issues"] if i["severity"] == "violation"]
    found = [i for i in report["issues"] if i["code"] == code]
    assert found, report["issues"]
    assert (found[0]["severity"], found[0].get("line")) == ("warning", line)
    text = render(validate([WARN / name], root=small_project))
    assert advice in text, text
    assert f"{name}:{line}" in text


def test_a_source_without_its_text_is_warned_about_once(small_project: Path) -> None:
    report = validate([WARN / "05-source-text-not-available.ttl"], root=small_project)
    unavailable = [i for i in report.issues if i.code == "quotation.text-unavailable"]
    assert len(unavailable) == 1
