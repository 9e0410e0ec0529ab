"""openNDS builds queries up to ~4 KB (7.3 KB once encrypted): the real gunicorn, started as the Procfile and the
image start it, must hand them to Django instead of answering its own 414."""

import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from captive_portal.gateways.opennds import MAX_FAS_LENGTH
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_sim import OpenNDSClient, raw_query_url

ROOT = Path(__file__).resolve().parents[2]
FASKEY = "a-faskey-for-the-long-query-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn():
    """The Procfile's `web` line, run by bash as honcho runs it, on a free port, against the test database."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "WEB_CONCURRENCY": "1",
           "DATABASE_URL": _database_url(), "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
           "PORTAL_GATEWAY_SECRETS": json.dumps({"gw": {"faskey": FASKEY}})}  # fmt: skip
    process = subprocess.Popen(
        ["/bin/bash", "-c", "exec " + line.removeprefix("web:").strip()], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # gunicorn imports Django before it listens: seconds on a busy machine, which is no part of this test.
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "gunicorn exited before it listened"
                assert time.monotonic() < deadline, "gunicorn did not listen within 60 s"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(port: int, target: str) -> tuple[int, str]:
    # Generous: the first request of a worker on a loaded 2-core machine is slow, and speed is not tested here.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    # Sent as is: openNDS does not %-encode fas.
    conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", "localhost")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body


@pytest.mark.django_db(transaction=True)
def test_a_4_kb_level3_query_reaches_the_splash_through_real_gunicorn(gunicorn):
    """A phone whose original URL fills openNDS's 4 KB query: the splash with its accept form, not a 414."""
    TermsVersionFactory(language="fr")
    SitePortalFactory(site__slug="arles", gateway_kind="opennds_3", gateway_name="MDS Arles",
                      secret_name="gw")  # fmt: skip
    phone = OpenNDSClient(origin_url="http://example.org/")
    padding = 4096 - len(phone.query(level=3))
    phone.origin_url = "http://example.org/" + "a" * padding
    assert len(phone.query(level=3)) >= 4090
    target = raw_query_url("/portal/gw/opennds/arles/", phone.level3(FASKEY))
    assert len(target) > 7000 and len(re.search(r"fas=([^&]*)", target).group(1)) <= MAX_FAS_LENGTH
    status, body = _get(gunicorn, target)
    assert status == 200, body[:300]
    assert 'name="state"' in body and "J'accepte et je me connecte" in body


def test_the_image_starts_gunicorn_with_the_same_request_line_limit():
    """The Dockerfile's CMD and the Procfile agree, so production behaves as the test above."""
    cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD"))
    args = json.loads(cmd.removeprefix("CMD").strip())
    procfile = shlex.split(next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:")))
    assert args[args.index("--limit-request-line") + 1] == procfile[procfile.index("--limit-request-line") + 1]
