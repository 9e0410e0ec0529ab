"""The HTTP JSON driver against a real local HTTP server: values read by path, every failure mapped."""

import asyncio
import time

import pytest

from tests.wifi.conftest import TOKEN
from wifi.models import ErrorKind
from wifi.probes.base import ProbeTarget
from wifi.probes.http_json import MAX_BODY_BYTES, HttpJsonProbe, json_path

PATHS = {"uptime_path": "data.0.uptime", "clients_path": "data.0.num_sta"}


def poll(url, *, credentials=None, timeout=5, retries=0, **settings):  # generous: not a test of timing
    target = ProbeTarget(1, "http_json", "127.0.0.1", None, {"url": url, **PATHS, **settings}, credentials or {})

    async def go():
        driver = HttpJsonProbe()
        try:
            return await driver.run(target, timeout=timeout, retries=retries)
        finally:
            await driver.close()

    return asyncio.run(go())


def test_good_status_document(http_server):
    """Uptime and client count read at their dotted paths."""
    result = poll(f"{http_server}/status")
    assert result.reachable and not result.degraded, result
    assert (result.uptime_seconds, result.clients) == (86400, 9)
    assert result.latency_ms is not None


def test_status_outside_ok_values_is_degraded(http_server):
    result = poll(f"{http_server}/degraded", status_path="data.0.state", ok_values=[1])
    assert result.reachable and result.degraded and result.detail == "état 5"
    assert poll(f"{http_server}/status", status_path="data.0.state", ok_values=[1]).degraded is False


def test_bearer_token_from_credentials(http_server):
    """The token comes from the credential set; without it the server's 401 is an AUTH failure."""
    assert poll(f"{http_server}/private", credentials={"token": TOKEN}).reachable
    result = poll(f"{http_server}/private", credentials={"token": "wrong"})
    assert (result.reachable, result.error_kind, result.detail) == (
        False,
        ErrorKind.AUTH,
        "la borne a répondu HTTP 401",
    )


@pytest.mark.parametrize(
    ("path", "settings", "kind"),
    [
        ("/garbage", {}, ErrorKind.MALFORMED),
        ("/wrong-type", {}, ErrorKind.MALFORMED),
        ("/status", {"clients_path": "data.3.num_sta"}, ErrorKind.MALFORMED),
        ("/status", {"uptime_path": "meta.rc"}, ErrorKind.MALFORMED),
        ("/server-error", {}, ErrorKind.OTHER),
        ("/nowhere", {}, ErrorKind.OTHER),
    ],
    ids=["not-json", "wrong-types", "missing-path", "string-uptime", "5xx", "404"],
)
def test_bad_answers(http_server, path, settings, kind):
    result = poll(f"{http_server}{path}", **settings)
    assert (result.reachable, result.error_kind) == (False, kind), result


def test_huge_body_is_cut_short(http_server):
    """A 20 MB body is refused after 1 MB: a hostile server cannot fill the worker's memory."""
    started = time.perf_counter()
    result = poll(f"{http_server}/huge", timeout=5)
    assert (result.reachable, result.error_kind) == (False, ErrorKind.MALFORMED)
    assert str(MAX_BODY_BYTES) in result.detail
    assert time.perf_counter() - started < 5


def test_slow_server_times_out_after_each_attempt(http_server):
    """The server answers in 2 s; with 0.3 s per attempt and one retry the probe gives up after ~0.6 s."""
    started = time.perf_counter()
    result = poll(f"{http_server}/slow", timeout=0.3, retries=1)
    elapsed = time.perf_counter() - started
    assert (result.reachable, result.error_kind) == (False, ErrorKind.TIMEOUT)
    assert 0.5 < elapsed < 1.5


def test_connection_refused(closed_port):
    result = poll(f"http://127.0.0.1:{closed_port}/status")
    assert (result.reachable, result.error_kind) == (False, ErrorKind.REFUSED)


def test_url_built_from_address_port_and_path(http_server):
    port = int(http_server.rsplit(":", 1)[1])
    settings = {"scheme": "http", "path": "/status", **PATHS}
    target = ProbeTarget(1, "http_json", "127.0.0.1", port, settings, {})

    async def go():
        driver = HttpJsonProbe()
        try:
            return await driver.run(target, timeout=5, retries=0)
        finally:
            await driver.close()

    assert asyncio.run(go()).clients == 9


def test_json_path_reads_lists_and_objects():
    assert json_path({"a": [{"b": 3}]}, "a.0.b") == 3
    assert json_path({"a": [1, 2]}, "a.-1") == 2
