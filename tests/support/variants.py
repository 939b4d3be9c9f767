"""Generated SERVICE attempts (hypothesis strategies) and the listener they call, shared by
the parser-differential and endpoint attack tests (one listener for the whole run)."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.support.attacks import (
    FRAGMENT_BREAKS,
    FRAGMENT_IRIS,
    FRAGMENT_KEYWORDS,
    FRAGMENT_STRINGS,
    fill,
)
from tests.support.listener import CountingListener


def variant(draw: st.DrawFn, url: str) -> str:
    def pick(options: tuple[str, ...]) -> str:
        return fill(draw(st.sampled_from(options)), url)

    keyword = pick(FRAGMENT_KEYWORDS)
    form = draw(st.sampled_from(("SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o }")))
    where = draw(st.sampled_from(("WHERE ", "")))
    if form == "CONSTRUCT { ?s ?p ?o }":
        where = "WHERE "
    return (
        f"PREFIX e: <{url}/> PREFIX : <{url}/c>{pick(FRAGMENT_BREAKS)}{form} {where}{{"
        f"{pick(FRAGMENT_BREAKS)}BIND({pick(FRAGMENT_STRINGS)} AS ?x){pick(FRAGMENT_BREAKS)}"
        f"{keyword}{pick(FRAGMENT_BREAKS)}{pick(FRAGMENT_IRIS)}{pick(FRAGMENT_BREAKS)}"
        f"{{ ?s ?p ?o }}{pick(FRAGMENT_BREAKS)}BIND({pick(FRAGMENT_STRINGS)} AS ?y)"
        f"{pick(FRAGMENT_BREAKS)}}}"
    )


@st.composite
def variants(draw: st.DrawFn, url: str) -> str:
    return variant(draw, url)


class Lazy:
    """Module-wide objects for hypothesis tests (fixtures are not reset between examples)."""

    def __init__(self, make):  # type: ignore[no-untyped-def]
        self._make = make
        self._value = None

    def get(self):  # type: ignore[no-untyped-def]
        if self._value is None:
            self._value = self._make()
        return self._value


LISTENER = Lazy(CountingListener)


__all__ = ["LISTENER", "Lazy", "variant", "variants"]
