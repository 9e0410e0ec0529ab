"""Brevo's transactional SMS endpoint played on 127.0.0.1, from its documentation: POST JSON with an `api-key`
header, 201 {"messageId": …} when it takes the text, {"code": …, "message": …} with a 4xx or 5xx when not."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "xkeysib-test-key"


@dataclass
class Provider:
    status: int = 201
    answer: dict | str = field(default_factory=lambda: {"messageId": 1511882900176220})
    delay: float = 0.0  # seconds before answering, to make the client time out
    requests: list[tuple[str, dict, dict]] = field(default_factory=list)  # path, headers (lower case), JSON body

    def __post_init__(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                provider.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if provider.delay:
                    time.sleep(provider.delay)
                if self.headers.get("api-key") != API_KEY:
                    status, answer = 401, {"code": "unauthorized", "message": "Key not found"}
                else:
                    status, answer = provider.status, provider.answer
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting: what a timeout test expects
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v3/transactionalSMS/send"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
