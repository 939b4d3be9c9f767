"""The collabkg explorer: a thin router. Pages live in app/views/ and call the package only."""

from __future__ import annotations

import os
import sys
import time

import streamlit as st
from state import first_page_served
from ui import APP_NAME, icon_url, same_tab_links

st.set_page_config(page_title=APP_NAME, page_icon=icon_url(), layout="wide")

PAGES = {
    "Explore": [
        st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
        st.Page(
            "views/questions.py",
            title="Questions",
            icon=":material/help:",
            url_path="questions",
        ),
        st.Page(
            "views/collaborations.py",
            title="Collaborations",
            icon=":material/handshake:",
            url_path="collaborations",
        ),
        st.Page(
            "views/organisations.py",
            title="Organisations",
            icon=":material/apartment:",
            url_path="organisations",
        ),
        st.Page("views/network.py", title="Network", icon=":material/hub:", url_path="network"),
        st.Page(
            "views/sources.py",
            title="Sources",
            icon=":material/description:",
            url_path="sources",
        ),
        st.Page("views/search.py", title="Search", icon=":material/search:", url_path="search"),
    ],
    "Tools": [
        st.Page(
            "views/check.py",
            title="Check a case file",
            icon=":material/fact_check:",
            url_path="check",
        ),
        st.Page(
            "views/sparql.py",
            title="SPARQL (analysts)",
            icon=":material/code:",
            url_path="sparql",
        ),
    ],
}

# the pages are listed by the explorer's own navigation (one line of links drawn with the
# same-tab script), not Streamlit's sidebar: it cost every new tab about 0.1 s of the
# browser's CPU (bench/browser.py, docs/explorer.md)
page = st.navigation(PAGES, position="hidden")
same_tab_links(
    [(section, [(p.title, p.url_path) for p in pages]) for section, pages in PAGES.items()],
    page.url_path,
)
try:
    if os.environ.get("COLLABKG_EXPLORER_TIMING"):  # bench/browser.py: server work per run
        started = time.perf_counter()
        page.run()
        print(
            f"collabkg-timing {page.url_path or 'home'} {time.perf_counter() - started:.4f}",
            file=sys.stderr,
            flush=True,
        )
    else:
        page.run()
finally:
    first_page_served.set()  # the listings' answers are kept in the background after this
