"""Fixture web pages served on 127.0.0.1 for the tests that fetch articles: no test reaches the internet.

`serve(routes)` answers each path with (status, headers, body); a callable body is called per request
(to sleep, or to serve what a test changed meanwhile). Ports 8140-8149 are tried first, then any free one.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "fixtures" / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        route = self.server.routes.get(self.path)
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"
        else:
            status, headers, body = route
        if callable(body):
            body = body()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def _bind() -> ThreadingHTTPServer:
    for port in [*range(8140, 8150), 0]:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        except OSError:
            continue
    raise RuntimeError("no port to serve fixture pages on")


@contextmanager
def serve(routes: dict):
    server = _bind()
    server.daemon_threads = True
    server.routes = routes
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
