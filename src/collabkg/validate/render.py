"""Reports as text: ``human`` (default; colour only on a terminal), ``json``, ``github``, ``sarif``.

The human format is written for case authors who may never have seen RDF tooling: each
problem starts with ``file:line:column: error:`` (editors make it clickable), names the
item by its label, says what is wrong and what to add or change, and shows the line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from collabkg import __version__
from collabkg.validate.report import Issue, Report, Severity

FORMATS = ("human", "json", "github", "sarif")

_COLOURS = {
    Severity.VIOLATION: "\033[1;31m",
    Severity.WARNING: "\033[1;33m",
    Severity.INFO: "\033[1;36m",
}
_BOLD = "\033[1m"
_DIM = "\033[2m"
_RESET = "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts_text(counts: dict[str, int], hidden: dict[str, int] | None = None) -> str:
    """``1 error, 2 warnings, 0 notes``; those found but not listed (``--errors-only``)
    counted too, and said so: ``1 warning (not shown)``."""
    hidden = hidden or {}
    parts = []
    for severity, word in (("violation", "error"), ("warning", "warning"), ("info", "note")):
        left = hidden.get(severity, 0)
        text = _plural(counts[severity] + left, word)
        if left:
            text += " (not shown)" if not counts[severity] else f" ({left} not shown)"
        parts.append(text)
    return ", ".join(parts)


def _hidden_counts(issues: list[Issue]) -> dict[str, int]:
    return {s.value: sum(1 for i in issues if i.severity is s) for s in Severity}


def render_human(report: Report, *, colour: bool = False, strict: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    out: list[str] = []
    for file, issues in report.by_file().items():
        counts = {s.value: sum(1 for i in issues if i.severity is s) for s in Severity}
        hidden = _hidden_counts([i for i in report.not_shown if (i.file or "(no file)") == file])
        out.append(paint(_BOLD, f"── {file}") + f"  ({_counts_text(counts, hidden)})")
        out.append("")
        for number, issue in enumerate(issues):
            out.extend(_human_issue(issue, paint))
            following = issues[number + 1] if number + 1 < len(issues) else None
            if issue.severity is not Severity.INFO or (
                following is not None and following.severity is not Severity.INFO
            ):
                out.append("")
        if out[-1] != "":
            out.append("")
    for note in report.notes:
        out.append(paint(_DIM, f"note: {note}"))
    if report.other_files_problems:
        out.append(
            paint(
                _DIM,
                f"note: {report.other_files_problems} problem(s) in other files of the graph "
                "are not listed here (run: collabkg validate).",
            )
        )
    counts = report.counts()
    checked = _plural(len(report.files), "file")
    against = (
        f" against the whole graph ({report.context_files} files)"
        if report.context_files > len(report.files)
        else ""
    )
    out.append(
        f"Summary: {_counts_text(counts, _hidden_counts(report.not_shown))} in {checked}, "
        f"checked{against} "
        f"in {report.seconds:.1f} s ({', '.join(report.stages)})."
    )
    if report.ok(strict=strict):
        tail = ""
        if report.not_shown:
            tail = " (warnings and notes not shown: run without --errors-only to read them)"
        elif counts["warning"] or counts["info"]:
            tail = " (read the warnings and notes above: they point to things worth checking)"
        out.append(
            paint(
                _COLOURS[Severity.INFO] if colour else "",
                f"OK: {len(report.files)} file(s) checked, no errors.{tail}",
            )
        )
    else:
        why = "errors" if report.violations else "warnings (--strict)"
        out.append(
            paint(
                _COLOURS[Severity.VIOLATION],
                f"NOT VALID: {len(report.files)} file(s) checked; fix the {why} above, then "
                "run the same command again.",
            )
        )
    return "\n".join(out) + "\n"


def _human_issue(issue: Issue, paint: Callable[[str, str], str]) -> list[str]:
    lines: list[str] = []
    word = paint(_COLOURS[issue.severity], f"{issue.severity.word}:")
    subject = issue.subject_text()
    if issue.severity is Severity.INFO:  # notes stay short: one line each
        return [f"{issue.location}: {word} {subject + ': ' if subject else ''}{issue.message}"]
    if subject:
        lines.append(f"{issue.location}: {word} {subject}")
        lines.append(f"    {issue.message}")
    else:
        lines.append(f"{issue.location}: {word} {issue.message}")
    details = []
    if issue.path and subject:
        details.append(f"property: {issue.path}")
    if issue.value and subject:
        details.append(f"value: {issue.value}")
    if details:
        lines.append("    " + "   ".join(details))
    if issue.source_line is not None and issue.line is not None:
        number = str(issue.line)
        text, column = _window(issue.source_line.replace("\t", " "), issue.column)
        lines.append(paint(_DIM, f"    {number} | ") + text)
        if column:
            marker = "^" * max(1, min(issue.width or 1, 60, len(text) - column + 1))
            lines.append(
                paint(_DIM, f"    {' ' * len(number)} | ")
                + " " * (column - 1)
                + paint(_COLOURS[issue.severity], marker)
            )
    if issue.hint:
        lines.append(f"    → {issue.hint}")
    for other in issue.related:
        lines.append(f"    see also: {other}")
    return lines


WIDTH = 120


def _window(text: str, column: int | None) -> tuple[str, int | None]:
    """At most WIDTH characters of a source line, around ``column`` (1-based)."""
    if len(text) <= WIDTH:
        return text, column
    if column is None or column <= WIDTH - 20:
        return text[: WIDTH - 1] + "…", column
    start = column - 40
    return "…" + text[start : start + WIDTH - 2] + "…", column - start + 1


def render_json(report: Report, *, strict: bool = False) -> str:
    return json.dumps(report.to_dict(strict=strict), ensure_ascii=False, indent=2) + "\n"


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _full_message(issue: Issue) -> str:
    subject = issue.subject_text()
    text = f"{subject}: {issue.message}" if subject else issue.message
    if issue.hint:
        text += f" — {issue.hint}"
    return text


def render_github(report: Report, *, strict: bool = False) -> str:
    """GitHub Actions workflow commands: one annotation per issue."""
    level = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    out: list[str] = []
    for issue in report.sorted_issues():
        props = []
        if issue.file:
            props.append(f"file={_gh_escape(issue.file, prop=True)}")
        if issue.line is not None:
            props.append(f"line={issue.line}")
        if issue.column is not None:
            props.append(f"col={issue.column}")
        props.append(f"title={_gh_escape('collabkg ' + issue.code, prop=True)}")
        out.append(
            f"::{level[issue.severity]} {','.join(props)}::{_gh_escape(_full_message(issue))}"
        )
    verdict = "valid" if report.ok(strict=strict) else "NOT VALID"
    out.append(
        f"collabkg validate: {verdict}: "
        f"{_counts_text(report.counts(), _hidden_counts(report.not_shown))} "
        f"in {len(report.files)} file(s)"
    )
    return "\n".join(out) + "\n"


def render_sarif(report: Report, *, strict: bool = False) -> str:
    """SARIF 2.1.0 (code scanning)."""
    level = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    rules = sorted({issue.code for issue in report.issues})
    results = []
    for issue in report.sorted_issues():
        result: dict[str, object] = {
            "ruleId": issue.code,
            "level": level[issue.severity],
            "message": {"text": _full_message(issue)},
        }
        if issue.file:
            region: dict[str, int] = {}
            if issue.line is not None:
                region["startLine"] = issue.line
            if issue.column is not None:
                region["startColumn"] = issue.column
            location: dict[str, object] = {"artifactLocation": {"uri": issue.file}}
            if region:
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "collabkg",
                        "version": __version__,
                        "informationUri": "https://w3id.org/collabkg/",
                        "rules": [{"id": rule} for rule in rules],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def use_colour(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(
    report: Report, fmt: str = "human", *, colour: bool = False, strict: bool = False
) -> str:
    if fmt == "human":
        return render_human(report, colour=colour, strict=strict)
    if fmt == "json":
        return render_json(report, strict=strict)
    if fmt == "github":
        return render_github(report, strict=strict)
    if fmt == "sarif":
        return render_sarif(report, strict=strict)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = [
    "FORMATS",
    "render",
    "render_github",
    "render_human",
    "render_json",
    "render_sarif",
    "use_colour",
]
