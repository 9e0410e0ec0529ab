"""Real peers for the polling drivers: an SNMP simulator, a black hole, an HTTP server, a TCP listener."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.wifi.snmp_agent import SnmpSimulator

UNIFI_SETTINGS = {"if_indexes": [1, 2], "clients_oid": "1.3.6.1.4.1.41112.1.6.1.2.1.8", "clients_oid_walk": True}


@pytest.fixture(scope="session")
def snmp_agent():
    """snmpsim on loopback serving tests/wifi/data/*.snmprec (one agent per community) and the v3 user V3_USER."""
    with SnmpSimulator() as agent:
        yield agent


@pytest.fixture(scope="session")
def black_hole_port():
    """A UDP port where requests arrive and nothing ever answers (not even an ICMP refusal): a hung AP."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.fixture
def closed_port():
    """A TCP/UDP port number nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tcp_listener():
    """A real listening TCP socket that accepts connections; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


GOOD_STATUS = {"meta": {"rc": "ok"}, "data": [{"name": "Borne accueil", "uptime": 86400, "num_sta": 9, "state": 1}]}
TOKEN = "s3cret-token"


class _Handler(BaseHTTPRequestHandler):
    """An AP controller's status API, and every way it can go wrong."""

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/status":
            self._send(200, json.dumps(GOOD_STATUS).encode())
        elif path == "/degraded":
            degraded = {"data": [{**GOOD_STATUS["data"][0], "state": 5}]}
            self._send(200, json.dumps(degraded).encode())
        elif path == "/private":
            if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                self._send(200, json.dumps(GOOD_STATUS).encode())
            else:
                self._send(401, b'{"error": "unauthorised"}')
        elif path == "/garbage":
            self._send(200, b"<html>Bad gateway</html>", "text/html")
        elif path == "/wrong-type":
            self._send(200, b'{"data": [{"uptime": "yesterday", "num_sta": -4}]}')
        elif path == "/huge":
            # 20 MB announced and streamed without Content-Length honesty: the driver must stop reading early.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            chunk = b"[" * 65536
            try:
                for _ in range(320):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif path == "/server-error":
            self._send(500, b'{"error": "boom"}')
        elif path == "/slow":
            time.sleep(2)
            self._send(200, json.dumps(GOOD_STATUS).encode())
        else:
            self._send(404, b"{}")


@pytest.fixture(scope="session")
def http_server():
    """A real HTTP server on 127.0.0.1 in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
