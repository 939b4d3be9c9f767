"""Check a case file: upload or paste Turtle, get the report `collabkg validate` gives.

The file is checked against the whole graph (ontology, vocabularies, the other case
files, the SHACL shapes) and then discarded: nothing is stored (see ui.check_turtle).
"""

from __future__ import annotations

import streamlit as st
from ui import check_turtle, context, keep_address, md_escape, page_title

from collabkg.errors import CollabkgError
from collabkg.explorer.fixes import fix_parts
from collabkg.validate import Report, render

# the largest file checked here (1 MB); bigger files are checked with `collabkg validate`
MAX_BYTES = 1_000_000
# what the widgets accept, well over MAX_BYTES: a bigger file or paste reaches the page,
# which refuses it with its own plain message (below). At the limit itself the browser
# refused it silently: a paste over the text area's max_chars was dropped whole (the box
# stayed empty, "Paste some Turtle first."), a file over the uploader's max_upload_size got
# Streamlit's "File must be 1.0MB or smaller." and the page never saw it.
UPLOAD_ACCEPTED_MB = 50
# issues drawn on the page; the downloadable report has all of them
ISSUES_SHOWN = 50

SEVERITY_LOOK = {
    "violation": (":material/error:", "Error", st.error),
    "warning": (":material/warning:", "Warning", st.warning),
    "info": (":material/info:", "Note", st.info),
}

root, _graph, _index = context()

page_title("Check a case file")
st.title("Check a case file", anchor=False)
st.markdown(
    "Before you add a case to the graph, check it here. Upload your Turtle file (or paste "
    "its text): you get the same report as `collabkg validate` — what is wrong, on which "
    "line, and what to do about it. **Nothing you upload is kept**: the file is checked "
    "against the current graph and then discarded."
)

# upload or paste: two same-tab links (the address keeps which, ``?how=paste``) rather than
# tabs holding both widgets, so a new tab loads the code of one widget only
how = "paste" if st.query_params.get("how") == "paste" else "upload"
keep_address({"how": "paste" if how == "paste" else ""})
st.html(
    '<nav class="ck-views" aria-label="How to give the file"><ul>'
    + "".join(
        f'<li><span aria-current="page">{label}</span></li>'
        if key == how
        else f'<li><a href="{href}">{label}</a></li>'
        for key, label, href in (
            ("upload", "Upload a file", "check"),
            ("paste", "Paste Turtle", "check?how=paste"),
        )
    )
    + "</ul></nav>"
)
uploaded = None
pasted, pasted_run = "", False
if how == "upload":
    # the uploader's own "50MB per file" would contradict its label (at most 1 MB); a
    # style alone goes to Streamlit's event container, which takes no room on the page
    st.html(
        '<style>.st-key-check-upload [data-testid="stFileUploaderDropzoneInstructions"]'
        "{display:none}</style>"
    )
    uploaded = st.file_uploader(
        "Your case file (.ttl, at most 1 MB)",
        type=["ttl"],
        key="check:upload",
        accept_multiple_files=False,
        max_upload_size=UPLOAD_ACCEPTED_MB,
    )
else:
    # no max_chars: the browser drops a paste over it whole, without a word (see above)
    pasted = st.text_area(
        "Turtle text (at most 1 MB)",
        height=260,
        key="check:text",
        placeholder="@prefix ck: <https://w3id.org/collabkg/ontology#> .\n…",
    )
    pasted_run = st.button("Check this text", type="primary", key="check:paste-run")

data: bytes | None = None
name = "pasted.ttl"
if uploaded is not None:
    data = uploaded.getvalue()
    name = uploaded.name
if pasted_run and pasted.strip():
    data = pasted.encode("utf-8")
    name = "pasted.ttl"
elif pasted_run:
    st.warning("Paste some Turtle first.")

if data is not None and len(data) > MAX_BYTES:
    # the size in bytes too: "1.0 MB; … up to 1 MB" read as within the limit
    st.error(
        f"{name} is {len(data):,} bytes ({len(data) / 1_000_000:.2f} MB); this page checks "
        f"files of up to 1 MB ({MAX_BYTES:,} bytes). Nothing was checked. "
        "Split the case into smaller files, or check it in a terminal with "
        "`collabkg validate FILE`, which has no limit.",
        icon=":material/block:",
    )
    st.stop()

if data is None:
    st.caption(
        "Start from data/TEMPLATE.ttl and the modelling guide (docs/modelling.md) in the "
        "project folder."
    )
    st.stop()

try:
    with st.spinner("Checking against the graph…"):
        report: Report = check_turtle(data, name, root)
except CollabkgError as exc:
    st.error(f"The file could not be checked: {exc.one_line()}")
    st.stop()

errors, warnings, notes = report.violations, report.warnings, report.infos
summary = (
    f"**{name}**: {errors} error{'s' if errors != 1 else ''}, "
    f"{warnings} warning{'s' if warnings != 1 else ''}, {notes} note{'s' if notes != 1 else ''}."
)
if errors:
    st.error(summary + " Fix the errors before adding the file to data/.", icon=":material/block:")
elif warnings or notes:
    st.warning(summary + " It can be added; the warnings point to things worth checking.")
else:
    st.success(summary + " It is ready to add to data/.", icon=":material/check_circle:")

issues = report.sorted_issues()
if len(issues) > ISSUES_SHOWN:
    st.caption(
        f"The first {ISSUES_SHOWN} of {len(issues)} issues are shown; "
        "the report below has them all."
    )
for issue in issues[:ISSUES_SHOWN]:
    icon, word, box = SEVERITY_LOOK.get(issue.severity.value, SEVERITY_LOOK["info"])
    where = []
    if issue.line is not None:
        where.append(f"line {issue.line}")
        if issue.column is not None:
            where.append(f"column {issue.column}")
    place = ", ".join(where) or "the whole file"
    with st.container(border=True):
        st.markdown(f"**{word}** — {md_escape(place)}")
        subject = issue.subject_text()
        if subject:
            st.caption(f"About: {subject}")
        box(issue.message, icon=icon)
        if issue.source_line is not None:
            marker = ""
            if issue.column is not None:
                marker = "\n" + " " * (issue.column - 1) + "^" * max(issue.width or 1, 1)
            number = f"{issue.line} | " if issue.line is not None else ""
            pad = " " * len(number)
            st.code(
                f"{number}{issue.source_line}{marker.replace(chr(10), chr(10) + pad)}",
                language=None,
            )
        if issue.hint:
            # the prose as text; only a line to paste (or a fragment of code in it) in a
            # copyable box, exactly as written (a link or Markdown would mangle it)
            parts = fix_parts(issue.hint)
            words = " ".join(
                md_escape(value) if kind == "text" else f"`{value}`" for kind, value in parts
            )
            st.markdown(f"**What to do:** {words}")
            for kind, value in parts:
                if kind == "code":
                    st.code(value, language=None, wrap_lines=True)

if len(issues) > ISSUES_SHOWN:
    st.warning(
        f"…and {len(issues) - ISSUES_SHOWN} more issues. Download the report to see them all.",
        icon=":material/more_horiz:",
    )
for note in report.notes:
    st.caption(note)
if report.other_files_problems:
    st.caption(
        f"{report.other_files_problems} problem(s) in other files of the graph are not listed here."
    )
st.download_button(
    "Download this report",
    render(report, "human").encode("utf-8"),
    file_name=f"{name.rsplit('.', 1)[0]}-report.txt",
    mime="text/plain",
    icon=":material/download:",
    key="check:download",
)
