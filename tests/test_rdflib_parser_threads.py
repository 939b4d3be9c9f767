"""rdflib's SPARQL parser used from several threads at once (collabkg/sparql_text.py).

Regression: the explorer reads query texts with rdflib in a background thread (the order of
the answers it keeps) while a page reads others (a canned query's check); pyparsing is not
thread-safe (RDFLib/rdflib#1282), two parses at once failed ("<lambda>() missing 1 required
positional argument: 'x'"), and the failure was cached as the text's answer for the life of
the process: every question's chart check failed after it (seen in tests/app under xdist).
"""

from __future__ import annotations

import threading

from collabkg.answer_order import algebra_of
from collabkg.catalogue import Catalogue, _algebra
from tests.support.paths import REPO


def test_queries_read_by_rdflib_in_several_threads_at_once_are_all_read() -> None:
    texts = [q.text for q in Catalogue.load(REPO)][:8]
    assert texts
    failures: list[str] = []
    start = threading.Barrier(4)

    def read(turn: int) -> None:
        start.wait()
        for round_ in range(2):
            for number, text in enumerate(texts):
                # each text made new (a comment) so that no cached answer is read
                fresh = f"# {turn} {round_} {number}\n{text}"
                if turn % 2:
                    algebra, error = _algebra.__wrapped__(fresh)
                    if algebra is None:
                        failures.append(f"catalogue: {error}")
                elif algebra_of.__wrapped__(fresh) is None:
                    failures.append("answer order: not read")

    threads = [threading.Thread(target=read, args=(turn,)) for turn in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
