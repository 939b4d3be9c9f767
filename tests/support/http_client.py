"""Plain HTTP calls to an endpoint, as any client would make them."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request


def http(
    method: str, url: str, *, body: bytes | None = None, ctype: str | None = None,
    accept: str | None = "application/sparql-results+json", timeout: float = 60,
) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method=method)
    if accept:
        request.add_header("Accept", accept)
    if ctype:
        request.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


def get(url: str, query: str, **kw: object) -> tuple[int, str, dict[str, str]]:
    return http("GET", f"{url}?{urllib.parse.urlencode({'query': query})}", **kw)  # type: ignore[arg-type]


def post(url: str, query: str, **kw: object) -> tuple[int, str, dict[str, str]]:
    return http("POST", url, body=query.encode("utf-8"), ctype="application/sparql-query",
                **kw)  # type: ignore[arg-type]


def form(url: str, query: str, **kw: object) -> tuple[int, str, dict[str, str]]:
    return http("POST", url, body=urllib.parse.urlencode({"query": query}).encode(),
                ctype="application/x-www-form-urlencoded", **kw)  # type: ignore[arg-type]


SENDERS = (get, post, form)
