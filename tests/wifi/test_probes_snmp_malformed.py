"""An SNMP peer answering bytes that are no SNMP message: recorded as malformed at once, not as a silent AP."""

import socket
import threading
import time

import pytest

from tests.wifi.test_probes_snmp import poll, v2c
from wifi.models import ErrorKind
from wifi.probes.snmp import SnmpV2cProbe

TIMEOUT = 3  # the answer arrives in milliseconds: a result near this means it was treated as a timeout

NOT_SNMP = b"HTTP/1.1 400 Bad Request\r\n\r\n"  # no BER sequence at all: pysnmp drops it without a word
BROKEN_BER = bytes.fromhex("3010020101040670756290")  # an SNMPv2c header cut short: the decoder raises in the loop


@pytest.fixture
def junk_peer(request):
    """A real UDP socket on loopback that answers every datagram with `request.param` bytes."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    received = []

    def serve():
        while not stop.is_set():
            try:
                data, peer = server.recvfrom(65535)
            except TimeoutError:
                continue
            received.append(data)
            server.sendto(request.param, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(2)
    server.close()


@pytest.mark.parametrize("junk_peer", [NOT_SNMP, BROKEN_BER], ids=["not-snmp", "broken-ber"], indirect=True)
def test_garbage_answer_is_malformed_not_a_wrong_community(junk_peer):
    """Ops read "malformed answer" and look at the device, instead of "no answer (wrong community?)"."""
    port, received = junk_peer
    started = time.perf_counter()
    result = poll(SnmpV2cProbe, v2c(port, "healthy"), timeout=TIMEOUT, retries=1)
    elapsed = time.perf_counter() - started

    assert (result.reachable, result.error_kind) == (False, ErrorKind.MALFORMED)
    assert result.detail.startswith("malformed answer")
    assert "wrong community" not in result.detail
    assert received, "the peer got the request"
    assert elapsed < TIMEOUT, f"{elapsed:.2f} s: the answer waited for the timeout"
