"""Helpers for the explorer's AppTest tests (what a person sees on a page)."""

from __future__ import annotations

import functools
import html
import importlib.util
import os
import re
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app" / "streamlit_app.py"
MINI = REPO / "tests" / "fixtures" / "mini"
DATA_ROOT = Path(os.environ.get("COLLABKG_EXPLORER_TEST_ROOT", REPO))
"""The project whose data the explorer shows in these tests (default: this repository)."""

Opener = Callable[..., AppTest]
"""The ``open_page`` fixture: open a page with URL parameters, run it, return the AppTest."""

_TAG = re.compile(r"<[^>]*>")
_MD_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\(([a-z]*)(?:\?([^)]*))?\)")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_IDENTIFIER = re.compile(r"https?://|\b(?:ckd|ckc|ck|org|prov|skos|rdfs):[A-Za-z]")


def shown_cell(value: object) -> str:
    """What a table cell shows: a profile link shows only its label."""
    text = "" if value is None else str(value)
    if text.startswith(("collaborations?", "organisations?")):
        return parse_qs(urlsplit(text).query).get("label", [""])[0]
    return text


def visible_text(app: AppTest) -> list[str]:
    """Every piece of text a person sees (markdown, titles, captions, alerts, tables)."""
    texts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "metric",
    ):
        for element in getattr(app, kind):
            texts.append(str(getattr(element, "label", "")) + " " + str(element.value))
    for element in app.get("html"):  # drawn HTML (answer tables, charts): its text only
        body = str(getattr(element.proto, "body", ""))
        if "<script" not in body and "<style" not in body:
            texts.append(html.unescape(_TAG.sub(" ", body)))
    for frame in app.dataframe:
        df = frame.value
        texts += [str(c) for c in df.columns]
        texts += [shown_cell(v) for v in df.to_numpy().ravel()]
    return [_LINK_TARGET.sub("]", t) for t in texts]


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'()]+[^\s<>\"'().,;:]")
_IRI_IN_TURTLE = re.compile(r"<[^<>\s]*>")


@functools.cache
def _printed_addresses(root: Path) -> frozenset[str]:
    """Web addresses the sources print, copied into the data's text as they stand (in a
    quotation or a label that quotes its source: none of them is an identifier of ours)."""
    found: set[str] = set()
    for path in sorted((root / "data").rglob("*.ttl")):
        text = _IRI_IN_TURTLE.sub(" ", path.read_text(encoding="utf-8"))
        found.update(_WEB_ADDRESS.findall(text))
    return frozenset(found)


def identifiers_on_screen(app: AppTest) -> list[str]:
    """Visible texts that show an IRI or a prefixed identifier (a web address that the
    sources print, shown as quoted, is not one)."""
    printed = sorted(_printed_addresses(DATA_ROOT), key=len, reverse=True)
    found = []
    for text in visible_text(app):
        shown = text
        for address in printed:
            shown = shown.replace(address, " ")
        if _IDENTIFIER.search(shown):
            found.append(text)
    return found


_NAV = re.compile(r'<nav class="ck-nav".*?</nav>', re.DOTALL)
_HTML_LINK = re.compile(r'<a href="([a-z]*)(?:\?([^"#]*))?(?:#[^"]*)?">(.*?)</a>', re.DOTALL)
"""A same-tab link: its page, its query and its text (a ``#`` place on the page, e.g. a
quotation on its source's page, is not part of the page's address)."""


def page_links(app: AppTest, *, drawn: bool = False) -> list[tuple[str, str, dict[str, str]]]:
    """(label, page url path, query parameters) of every link to a page of the explorer:
    st.page_link elements and Markdown links (``[label](page?query)``, same tab); with
    ``drawn``, also the links in drawn HTML (``<a href="page?query">label</a>``), the
    explorer's navigation (the same on every page) left out."""
    out = []
    if drawn:
        for element in app.get("html"):
            body = _NAV.sub("", str(getattr(element.proto, "body", "")))
            for page, query, label in _HTML_LINK.findall(body):
                params = {k: v[0] for k, v in parse_qs(html.unescape(query)).items()}
                out.append((html.unescape(_TAG.sub("", label)), page, params))
    for element in app.page_link:
        proto = element.proto
        params = {k: v[0] for k, v in parse_qs(proto.query_string).items()}
        out.append((proto.label, proto.page, params))
    for element in app.markdown:
        for label, page, query in _MD_LINK.findall(str(element.value)):
            params = {k: v[0] for k, v in parse_qs(query).items()}
            out.append((re.sub(r"\\(.)", r"\1", label), page, params))
    return out


_DOWNLOAD_LINK = re.compile(r'<a href="([^"]*)" download(?: [^>]*)?>(.*?)</a>', re.DOTALL)


def download_links(app: AppTest) -> list[tuple[str, str]]:
    """(label, address) of every download link drawn (``<a href=… download>``), in order."""
    return [
        (html.unescape(_TAG.sub("", label)), html.unescape(href))
        for element in app.get("html")
        for href, label in _DOWNLOAD_LINK.findall(str(getattr(element.proto, "body", "")))
    ]


class HtmlTable(HTMLParser):
    """The answer table drawn as HTML: its header, and each row's cells as (text, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []
        self._cell: list[str] | None = None
        self._href = ""
        self._head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "thead":
            self._head = True
        elif tag == "tr" and not self._head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell, self._href = [], ""
        elif tag == "a" and self._cell is not None:
            self._href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            if self._head:
                self.columns.append(text)
            else:
                self.rows[-1].append((text, self._href))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def answer_tables(app) -> list[HtmlTable]:  # type: ignore[no-untyped-def]
    """The tables drawn as HTML on the page (class ck-answer: answers and lists)."""
    tables = []
    for element in app.get("html"):
        body = getattr(element.proto, "body", "")
        if 'class="ck-answer"' in body:
            table = HtmlTable()
            table.feed(body)
            tables.append(table)
    return tables


def column(table: HtmlTable, name: str) -> list[str]:
    number = table.columns.index(name)
    return [row[number][0] for row in table.rows]


_PICTURE = re.compile(r"box\.innerHTML = (\"(?:[^\"\\]|\\.)*\");")


def drawn_html(app: AppTest) -> str:
    """Every ``st.html`` body of the page, a network picture (put in place by its element's
    script, as a JSON string) included as the markup the browser draws."""
    import json

    bodies = [str(getattr(e.proto, "body", "")) for e in app.get("html")]
    return " ".join(_PICTURE.sub(lambda m: json.loads(m.group(1)), body) for body in bodies)


def app_module(name: str) -> ModuleType:
    """A module of ``app/`` (e.g. ``state``) loaded from its file, for a unit test of a
    helper that takes no other module of ``app/`` (no ``sys.path`` edit: a module of its own,
    not the one a running explorer imported)."""
    spec = importlib.util.spec_from_file_location(f"collabkg_app_{name}", APP.parent / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
