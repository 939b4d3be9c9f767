"""How the explorer fetches answers: once per question and choices, then read in place."""

from __future__ import annotations

import pytest

from tests.support.apptest import APP, DATA_ROOT


def test_a_rerun_reads_the_answer_computed_first_not_a_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: the answer was kept with ``st.cache_data``, which unpickles a copy on every
    rerun of the page (0.4 s of CPU for a 10,000-row answer at 1M triples, more than the rest
    of the page's server work). The answer is now kept and shared as it is."""
    monkeypatch.setenv("COLLABKG_HOME", str(DATA_ROOT))
    monkeypatch.syspath_prepend(str(APP.parent))
    import ui

    first = ui.run_canned(str(DATA_ROOT), "sources", ())
    again = ui.run_canned(str(DATA_ROOT), "sources", ())
    assert len(first) > 0
    assert again is first
    other = ui.run_canned(str(DATA_ROOT), "funding-at-risk", ())
    assert other is not first and other.vars != first.vars
