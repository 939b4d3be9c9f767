"""What checking analysts' SPARQL costs, and what the safe endpoint serves next to bare Oxigraph.

1. **Check cost**: :func:`collabkg.sparql_text.canonical_query` (read once, refuse
   SERVICE/updates, write the canonical text), uncached, over the canned queries
   (``queries/*.rq``) and the W3C SPARQL suites' valid queries
   (``../shared/w3c-sparql-tests``, when present): median, 95th percentile and maximum.
2. **Throughput, side by side**: the canned queries, each sent as a NEW text every time
   (a numbered comment is added, so no verdict is remembered), one client after another
   over HTTP (form POST, JSON answers), to ``collabkg serve`` (check + isolated child per
   query) and to a bare Oxigraph server over the same quads (``oxigraph serve`` in
   memory and ``serve-read-only`` on disk, union default graph). Requests per second and
   the ratio; and the CPU time per request of client and server together (this process,
   the Oxigraph process or collabkg's workers), which a busy machine disturbs less.

    .venv/bin/python bench/sparql_check.py                       # the project's data
    .venv/bin/python bench/sparql_check.py --root bench/data/100k --rounds 5

The load average before and after is printed with the figures (2 shared cores here).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return (f"median {statistics.median(values) * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms, "
            f"max {values[-1] * 1000:.3f} ms (n={len(values)})")


def check_cost(root: Path) -> dict[str, str]:
    from collabkg.sparql_text import canonical_query
    from collabkg.terms import PREFIXES

    found: dict[str, list[str]] = {
        "canned queries": [p.read_text(encoding="utf-8") for p in sorted(
            (root / "queries").glob("*.rq"))],
    }
    try:
        from tests.security.w3c import suite_dir, suite_queries

        if suite_dir().is_dir():
            found["W3C valid queries"] = [
                q.text() for q in suite_queries() if q.kind in ("positive", "evaluation")
            ]
    except ImportError:
        pass
    canonical_query("SELECT * {}", PREFIXES)  # compile the patterns once
    report: dict[str, str] = {}
    for name, texts in found.items():
        times: list[float] = []
        for text in texts:
            for _ in range(3):
                started = time.perf_counter()
                with contextlib.suppress(Exception):  # refused (SERVICE): timed all the same
                    canonical_query(text, PREFIXES)
                times.append(time.perf_counter() - started)
        report[name] = _ms(times)
    return report


def _post(url: str, query: str) -> int:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()
        return response.status


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by this process and ``pids``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = sum(os.times()[:2])
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def throughput(url: str, queries: list[str], rounds: int,
               pids: list[int]) -> tuple[float, float, list[str]]:
    """(requests per second, CPU ms per request of client and server together, failures)."""
    failures: list[str] = []
    count = 0
    cpu_before = _cpu(pids)
    started = time.perf_counter()
    for round_ in range(rounds):
        for index, text in enumerate(queries):
            try:
                _post(url, f"{text}\n# bench {round_}-{index}-{time.perf_counter_ns()}\n")
            except Exception as exc:
                failures.append(f"{index}: {exc}")
            count += 1
    elapsed = time.perf_counter() - started
    return count / elapsed, (_cpu(pids) - cpu_before) * 1000 / count, failures


def _start_oxigraph(args: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    from collabkg.server import free_port, oxigraph_executable, wait_for_port

    port = free_port()
    process = subprocess.Popen([oxigraph_executable(), *args, "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_for_port("127.0.0.1", port, 30, lambda: process.poll() is None):
        raise RuntimeError("oxigraph did not start")
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project root (data, queries)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all canned queries")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    figures: dict[str, object] = {"root": str(args.root), "load_before": load_before}

    figures["check"] = check_cost(args.root)
    for name, line in figures["check"].items():  # type: ignore[union-attr]
        print(f"check, {name}: {line}")

    from collabkg.project import load_graph
    from collabkg.server import running_endpoint

    graph = load_graph(args.root, allow_invalid=True)
    queries = [p.read_text(encoding="utf-8") for p in sorted((args.root / "queries").glob("*.rq"))]
    print(f"graph: {len(graph.backend.store)} quads; {len(queries)} canned queries x "
          f"{args.rounds} rounds, each a new text")
    rates: dict[str, float] = {}
    cpus: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="collabkg-bench-") as tmp:
        nquads = Path(tmp) / "graph.nq"
        graph.write_dataset(nquads)
        from collabkg.server import oxigraph_executable

        subprocess.run([oxigraph_executable(), "load", "--location", f"{tmp}/store", "--file",
                        str(nquads), "--format", "application/n-quads"], check=True,
                       capture_output=True)
        servers = [
            ("bare Oxigraph, in memory", ["serve"], True),
            ("bare Oxigraph, on disk (read-only)",
             ["serve-read-only", "--location", f"{tmp}/store"], False),
        ]
        for name, command, load in servers:
            process, base = _start_oxigraph(command)
            try:
                if load:
                    request = urllib.request.Request(
                        f"{base}/store", data=nquads.read_bytes(), method="POST",
                        headers={"Content-Type": "application/n-quads"})
                    urllib.request.urlopen(request, timeout=300).read()
                rate, cpu, failures = throughput(f"{base}/query", queries, args.rounds,
                                                 [process.pid])
                rates[name], cpus[name] = rate, cpu
                print(f"{name}: {rate:.1f} requests/s, {cpu:.1f} ms CPU per request" + (
                    f" ({len(failures)} failed: {failures[:2]})" if failures else ""))
            finally:
                process.terminate()
                process.wait(10)
        from collabkg.server import free_port

        with running_endpoint(graph, port=free_port(), timeout_s=300) as endpoint:
            thread = threading.Thread(target=endpoint.filter.serve_forever,
                                      kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            try:
                rate, cpu, failures = throughput(endpoint.url, queries, args.rounds,
                                                 endpoint.filter.workers.pids())
            finally:
                endpoint.filter.shutdown()
                thread.join(10)
        rates["collabkg serve"], cpus["collabkg serve"] = rate, cpu
        print(f"collabkg serve: {rate:.1f} requests/s, {cpu:.1f} ms CPU per request" + (
            f" ({len(failures)} failed: {failures[:2]})" if failures else ""))
    for name in ("bare Oxigraph, in memory", "bare Oxigraph, on disk (read-only)"):
        print(f"collabkg serve vs {name}: {rates[name] / rates['collabkg serve']:.2f}x the "
              f"time, {cpus['collabkg serve'] / cpus[name]:.2f}x the CPU")
    figures["requests_per_s"] = rates
    figures["cpu_ms_per_request"] = cpus
    figures["load_after"] = os.getloadavg()
    print(f"load average before {load_before[0]:.2f}, after {figures['load_after'][0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
