"""Play the gateways from their specifications: what openNDS and a UniFi controller send and expect.

openNDS: the query is built as src/http_microhttpd.c builds it, %-encoded as uh_urlencode does (lower-case hex,
keeping only alphanumerics and -_.~), and encrypted as its embedded PHP does at level 3
(openssl_encrypt aes-256-cbc with options 0 → base64, base64-encoded again; iv = 16 hex characters of a sha256).
"""

import base64
import gzip
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sha256hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def uh_urlencode(text: str) -> str:
    out = []
    for byte in text.encode():
        char = chr(byte)
        out.append(char if char.isascii() and (char.isalnum() or char in "-_.~") else f"%{byte:02x}")
    return "".join(out)


@dataclass
class OpenNDSClient:
    """One phone behind one openNDS router."""

    gateway_name: str = "MDS Arles"
    gateway_mac: str = "b8:27:eb:12:34:56"
    gateway_address: str = "192.168.8.1:2050"
    client_ip: str = "192.168.8.23"
    client_mac: str = "aa:bb:cc:dd:ee:23"
    origin_url: str = "http://connectivitycheck.gstatic.com/generate_204"
    serial_suffix: bool = True  # openNDS's default enable_serial_number_suffix
    token: str = field(default_factory=lambda: secrets.token_hex(4))  # openNDS's 8-hex client token

    @property
    def hid(self) -> str:
        return sha256hex(self.token)

    @property
    def encoded_gateway_name(self) -> str:
        name = self.gateway_name
        if self.serial_suffix:
            name = f"{name} Node:{self.gateway_mac.replace(':', '')} "
        return uh_urlencode(name)

    @property
    def gateway_hash(self) -> str:
        return sha256hex(self.encoded_gateway_name)

    def rhid(self, faskey: str) -> str:
        return sha256hex(self.hid + faskey)

    def query(self, *, level: int, version: str = "9.10.0") -> str:
        """The clear query, field by field as openNDS 9.10 writes it (no cpi_query; themespec unset)."""
        items = [
            ("hid", self.hid), ("clientip", self.client_ip), ("clientmac", self.client_mac),
            ("client_type", "cpd_can"), ("gatewayname", self.encoded_gateway_name),
            ("gatewayurl", uh_urlencode(f"http://{self.gateway_address.split(':')[0]}")), ("version", version),
            ("gatewayaddress", self.gateway_address), ("gatewaymac", self.gateway_mac.replace(":", "")),
        ]  # fmt: skip
        if level >= 2:
            items.append(("authdir", "opennds_auth"))
        items += [("originurl", uh_urlencode(self.origin_url)), ("clientif", "br-lan"), ("themespec", "(null)")]
        return ", ".join(f"{name}={value}" for name, value in items) + ", "

    def level3(self, faskey: str, **kwargs) -> dict[str, str]:
        fas, iv = encrypt_level3(self.query(level=3, **kwargs), faskey)
        return {"fas": fas, "iv": iv}

    def level1(self, **kwargs) -> str:
        return base64.b64encode(self.query(level=1, **kwargs).encode()).decode()


def encrypt_level3(clear: str, faskey: str, *, iv: str | None = None) -> tuple[str, str]:
    if iv is None:
        secret_iv = base64.b64encode(secrets.token_bytes(8)).decode()
        iv = hashlib.sha256(secret_iv.encode()).hexdigest()[:16]
    key = faskey.encode()[:32].ljust(32, b"\0")
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv.encode())).encryptor()
    ciphertext = encryptor.update(padder.update(clear.encode()) + padder.finalize()) + encryptor.finalize()
    openssl_output = base64.b64encode(ciphertext)  # openssl_encrypt(…, 0, …) returns base64
    return base64.b64encode(openssl_output).decode(), iv


def raw_query_url(path: str, params: dict[str, str]) -> str:
    """A URL with the values NOT %-encoded, as openNDS writes `?fas=…&iv=…` (a "+" stays a "+")."""
    return path + "?" + "&".join(f"{name}={value}" for name, value in params.items())


def authmon_post(client, url: str, *, action: str, gateway_hash: str, payload: str = "none"):
    """One authmon request as post-request.php sends it: form-encoded, base64 payload, no cookie, no CSRF."""
    return client.post(
        url,
        {"auth_get": action, "gatewayhash": gateway_hash, "payload": base64.b64encode(payload.encode()).decode()},
        HTTP_USER_AGENT="openNDS(authmon;NDS:9.10.0;)",
    )


def authmon_entries(answer: str) -> list[list[str]]:
    """Read an answer as authmon.sh does: "*", then %-encoded entries, each decoded to its fields."""
    from urllib.parse import unquote

    assert answer.startswith("*"), answer
    return [unquote(token).split(" ") for token in answer[2:1026].split()]


# --- UniFi controller ---------------------------------------------------------------------------------


@dataclass
class Controller:
    """A UniFi controller on 127.0.0.1 answering the classic and the integration API like the real one.

    Classic: /api/login sets a session cookie (a new one each time), /api/s/<site>/stat/sta/<mac> answers the
    associated station or 400 api.err.UnknownStation, /api/s/<site>/cmd/stamgr takes commands, /logout ends
    the session; any call without a live session is 401 api.err.LoginRequired.
    `unifi_os`: a UniFi OS console instead: /api/auth/login answers the user (no meta), a TOKEN cookie and an
    X-CSRF-Token header; the Network application's paths are under /proxy/network; a POST without that token is
    403; /api/auth/logout ends the session.
    Misbehaviours for the tests: `fail` (every POST an error), `raw` (every answer these bytes), `answers` (one
    path's answer, whatever was asked), `trickle` (seconds between bytes of an answer, `trickle_headers` to
    trickle the status line too).
    Integration API: the sites are listed `limit` at a time (25 unless asked, at most 200, as the controller's
    own), `other_sites` before this one; a client of `client_records` is answered as it stands there (another
    access type, an odd id).
    """

    username: str = "portal"
    password: str = "s3cret-controller"
    api_key: str = "key-123"
    site: str = "default"
    site_id: str = "88f7af54-98f8-306a-a1c7-c9349722b1f6"
    clients: dict[str, str] = field(default_factory=dict)  # integration API: MAC → client id (guests)
    stations: dict[str, dict] = field(default_factory=dict)  # classic API: MAC → station (is_guest, ap_mac…)
    fail: bool = False
    raw: tuple[str, bytes] | None = None  # (content type, body) answered to everything
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # path → (status, JSON body) answered there
    other_sites: list[dict] = field(default_factory=list)  # integration API: sites listed before this one
    client_records: dict[str, dict] = field(default_factory=dict)  # integration API: MAC → the client as listed
    trickle: float = 0.0
    trickle_headers: bool = False
    unifi_os: bool = False
    csrf_tokens: dict[str, str] = field(default_factory=dict)  # UniFi OS: session cookie → its CSRF token
    rotate: bool = False  # renew the session cookie (UniFi OS: the CSRF token) with every station answer
    gzip: bool = False  # compress answers when the client accepts it, as a controller behind nginx does
    redirects: dict[str, str] = field(default_factory=dict)  # path → where a 302 sends (a console's sign-in page)
    expire_at: str = ""  # a path where every session expires just before it is answered (once), as a restart would
    sessions: set[str] = field(default_factory=set)
    logins: int = 0
    logouts: int = 0
    requests: list[tuple[str, str, dict, dict]] = field(default_factory=list)  # method, path, headers (lower), body

    def expire_sessions(self) -> None:
        """What a controller restart or a session timeout does: every cookie is refused from now on."""
        self.sessions.clear()

    @property
    def cookie_name(self) -> str:
        return "TOKEN" if self.unifi_os else "unifises"

    @property
    def network(self) -> str:
        """Where the Network application's classic API is: under /proxy/network on a UniFi OS console."""
        return "/proxy/network" if self.unifi_os else ""

    def __post_init__(self):
        controller = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send_bytes(self, status: int, data: bytes, content_type: str, headers: dict | None = None):
                if controller.trickle and controller.trickle_headers:
                    head = f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n".encode()
                    try:
                        for byte in head:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(controller.trickle)
                    except OSError:
                        pass
                    return
                if controller.gzip and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    data = gzip.compress(data)
                    headers = {**(headers or {}), "Content-Encoding": "gzip"}
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if not controller.trickle:
                    self.wfile.write(data)
                    return
                try:
                    for byte in data:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(controller.trickle)
                except OSError:  # the portal gave up: exactly what it should do
                    pass

            def _answer(self, status: int, body, headers: dict | None = None):
                if controller.raw is not None:
                    content_type, data = controller.raw
                    return self._send_bytes(200, data, content_type)
                self._send_bytes(status, json.dumps(body).encode(), "application/json", headers)

            def _record(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                headers = {name.lower(): value for name, value in self.headers.items()}
                controller.requests.append((self.command, self.path, headers, body))
                return body

            def _session(self) -> str | None:
                cookie = self.headers.get("Cookie") or ""
                for part in cookie.split(";"):
                    name, _, value = part.strip().partition("=")
                    if name == controller.cookie_name and value in controller.sessions:
                        return value
                return None

            def _csrf_refused(self) -> bool:
                """UniFi OS: a POST in a session must carry the session's CSRF token."""
                session = self._session()
                if not controller.unifi_os or self.headers.get("X-CSRF-Token") == controller.csrf_tokens.get(session):
                    return False
                self._answer(403, {"error": {"code": 403, "message": "Forbidden"}})
                return True

            def _login_required(self):
                return self._answer(401, {"meta": {"rc": "error", "msg": "api.err.LoginRequired"}, "data": []})

            def _answered(self, path: str) -> bool:
                if path in controller.redirects:
                    self._send_bytes(302, b"", "text/html", {"Location": controller.redirects[path]})
                    return True
                if path not in controller.answers:
                    return False
                status, data = controller.answers[path]
                self._send_bytes(status, data, "application/json")
                return True

            def do_POST(self):
                body = self._record()
                path = urlsplit(self.path).path
                if path == controller.expire_at:
                    controller.expire_at = ""
                    controller.expire_sessions()
                if self._answered(path):
                    return None
                if controller.fail:
                    return self._answer(400, {"meta": {"rc": "error", "msg": "api.err.Invalid"}, "data": []})
                if path == ("/api/auth/login" if controller.unifi_os else "/api/login"):
                    if body != {"username": controller.username, "password": controller.password}:
                        return self._answer(400, {"meta": {"rc": "error", "msg": "api.err.Invalid"}, "data": []})
                    cookie = secrets.token_hex(8)
                    controller.sessions.add(cookie)
                    controller.logins += 1
                    headers = {"Set-Cookie": f"{controller.cookie_name}={cookie}; Path=/"}
                    if controller.unifi_os:
                        controller.csrf_tokens[cookie] = headers["X-CSRF-Token"] = secrets.token_hex(16)
                        return self._answer(200, {"unique_id": "5e1c…", "username": controller.username}, headers)
                    return self._answer(200, {"meta": {"rc": "ok"}, "data": []}, headers)
                if path == ("/api/auth/logout" if controller.unifi_os else "/logout"):
                    if self._csrf_refused():
                        return None
                    if session := self._session():
                        controller.sessions.discard(session)
                        controller.logouts += 1
                    return self._answer(200, {"meta": {"rc": "ok"}, "data": []})
                if path == f"{controller.network}/api/s/{controller.site}/cmd/stamgr":
                    if not self._session():
                        return self._login_required()
                    if self._csrf_refused():
                        return None
                    return self._answer(200, {"meta": {"rc": "ok"}, "data": [{"mac": body.get("mac")}]})
                prefix = f"/proxy/network/integration/v1/sites/{controller.site_id}/clients/"
                if path.startswith(prefix) and path.endswith("/actions"):
                    if self.headers.get("X-API-KEY") != controller.api_key:
                        return self._answer(401, {"statusCode": 401, "statusName": "UNAUTHORIZED"})
                    return self._answer(200, {"action": body.get("action"), "grantedAuthorization": {}})
                return self._answer(404, {"meta": {"rc": "error", "msg": "api.err.NotFound"}})

            def do_GET(self):
                self._record()
                parts = urlsplit(self.path)
                if self._answered(parts.path):
                    return None
                station_prefix = f"{controller.network}/api/s/{controller.site}/stat/sta/"
                if parts.path.startswith(station_prefix):
                    if not self._session():
                        return self._login_required()
                    station = controller.stations.get(parts.path[len(station_prefix) :].lower())
                    if station is None:
                        return self._answer(400, {"meta": {"rc": "error", "msg": "api.err.UnknownStation"},
                                                  "data": []})  # fmt: skip
                    if controller.unifi_os and controller.rotate:  # a console renewing its CSRF token
                        token = controller.csrf_tokens[self._session()] = secrets.token_hex(16)
                        return self._answer(200, {"meta": {"rc": "ok"}, "data": [station]},
                                            {"X-Updated-CSRF-Token": token})  # fmt: skip
                    if controller.rotate:  # a console renewing its token: the old cookie dies
                        controller.sessions.discard(self._session())
                        cookie = secrets.token_hex(8)
                        controller.sessions.add(cookie)
                        return self._answer(200, {"meta": {"rc": "ok"}, "data": [station]},
                                            {"Set-Cookie": f"{controller.cookie_name}={cookie}; Path=/"})  # fmt: skip
                    return self._answer(200, {"meta": {"rc": "ok"}, "data": [station]})
                if self.headers.get("X-API-KEY") != controller.api_key:
                    return self._answer(401, {"statusCode": 401, "statusName": "UNAUTHORIZED"})
                if parts.path == "/proxy/network/integration/v1/sites":
                    limit = parse_qs(parts.query).get("limit", ["25"])[0]
                    if not limit.isdigit() or not 0 <= int(limit) <= 200:
                        return self._answer(400, {"statusCode": 400, "statusName": "BAD_REQUEST"})
                    sites = [
                        *controller.other_sites,
                        {"id": controller.site_id, "internalReference": controller.site, "name": "Default"},
                    ]
                    return self._answer(200, {"offset": 0, "limit": int(limit), "count": len(sites[: int(limit)]),
                                              "totalCount": len(sites), "data": sites[: int(limit)]})  # fmt: skip
                if parts.path == f"/proxy/network/integration/v1/sites/{controller.site_id}/clients":
                    wanted = parse_qs(parts.query).get("filter", [""])[0]
                    records = {
                        **{mac: {"id": client_id, "macAddress": mac, "type": "WIRELESS", "access": {"type": "GUEST"}}
                           for mac, client_id in controller.clients.items()},
                        **controller.client_records,
                    }  # fmt: skip
                    data = [record for mac, record in records.items() if wanted == f"macAddress.eq('{mac}')"]
                    return self._answer(200, {"offset": 0, "limit": 25, "count": len(data), "totalCount": len(data),
                                              "data": data})  # fmt: skip
                return self._answer(404, {"statusCode": 404})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def station(self, mac: str, *, ap_mac: str, is_guest: bool = True) -> None:
        """A device associated with the site now, as stat/sta describes it."""
        self.stations[mac] = {"mac": mac, "ap_mac": ap_mac, "is_guest": is_guest, "essid": "MDS-WiFi",
                              "ip": "192.168.20.42", "authorized": False, "site_id": "5f0e…"}  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
