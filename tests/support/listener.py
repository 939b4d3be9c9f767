"""A loopback HTTP server that counts every request it gets: what an outgoing SPARQL
request from a query would reach."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.waiting import stays_false, wait_until


class CountingListener:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.connections = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                owner.connections += 1
                super().setup()

            def do_GET(self) -> None:
                owner.requests.append(f"{self.command} {self.path}")
                body = (
                    b'{"head":{"vars":["s"]},"results":{"bindings":'
                    b'[{"s":{"type":"literal","value":"REMOTE"}}]}}'
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self) -> int:
        """Connections and requests so far."""
        return self.connections + len(self.requests)

    def stays_at(self, before: int, *, within: float = 0.2) -> bool:
        """True when nothing more than ``before`` arrives within ``within`` seconds (watched,
        not slept: False the moment something arrives)."""
        return stays_false(lambda: self.count() > before, within=within)

    def arrives_after(self, before: int, *, within: float = 2.0) -> bool:
        """True as soon as something more than ``before`` has arrived; False after
        ``within`` seconds."""
        return wait_until(lambda: self.count() > before, timeout=within)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
