"""A real HTTP server standing in for a gateway's own web server, for browser tests of the hand-over.

- openNDS (FAS level 1): `GET /opennds_auth/?tok=<rhid>&redir=<url>` — the gateway checks tok against the rhid of
  one of its clients, lets that client through and redirects the browser to `redir` (a POST is refused, as
  openNDS refuses it);
- click-through: `GET /continue` — the gateway's continue link, which lets the client through.
"""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Router:
    expected_tokens: set[str] = field(default_factory=set)  # rhids of the clients waiting at the splash
    authenticated: list[str] = field(default_factory=list)  # tokens let through
    continued: list[str] = field(default_factory=list)  # paths of the continue links followed
    refused: list[str] = field(default_factory=list)

    def __post_init__(self):
        router = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: str = "", headers: dict | None = None):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path == "/opennds_auth/":
                    token, redir = query.get("tok", [""])[0], query.get("redir", [""])[0]
                    if token not in router.expected_tokens or not redir:
                        router.refused.append(self.path)
                        return self._send(403, "<h1>Forbidden</h1>")
                    router.authenticated.append(token)
                    return self._send(302, "", {"Location": redir})
                if parts.path == "/continue":
                    router.continued.append(self.path)
                    return self._send(200, "<!DOCTYPE html><title>Gateway</title><h1>You are through the gateway</h1>")
                return self._send(404, "<h1>Not found</h1>")

            def do_POST(self):
                router.refused.append(self.path)
                self._send(405, "<h1>Method not allowed</h1>")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def address(self) -> str:
        """host:port, as openNDS writes `gatewayaddress`."""
        return f"127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
