"""An SNMP peer answering bytes that are no SNMP message: recorded as malformed at once, not as a silent AP.

v2c and v3 alike. For v3 the counterpart cases must stay what they are: a peer that never answers is a timeout,
a well-formed message answering nothing of ours is ignored (as a late answer would be), and a REPORT refusing
our credentials is an authentication failure that says which credential.
"""

import socket
import threading
import time

import pytest
from pyasn1.codec.ber import encoder
from pysnmp.proto import api
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from tests.wifi.conftest import UNIFI_SETTINGS
from tests.wifi.factories import AccessPointFactory
from tests.wifi.snmp_agent import V3_USER
from tests.wifi.test_probes_snmp import poll, v2c, v3
from wifi import polling
from wifi.models import AccessPoint, ErrorKind, Health, HealthSample, Incident
from wifi.probes.snmp import SnmpV2cProbe, SnmpV3Probe

TIMEOUT = 3  # the answer arrives in milliseconds: a result near this means it was treated as a timeout

NOT_SNMP = b"HTTP/1.1 400 Bad Request\r\n\r\n"  # no BER sequence at all: pysnmp drops it without a word
BROKEN_BER = bytes.fromhex("3010020101040670756290")  # an SNMPv2c header cut short: the decoder raises in the loop
BARE_PDU_TAG = b"\xa4\x00"  # a PDU tag where the message should start: pyasn1 raises TypeError, not PyAsn1Error


def v3_message(flags: bytes = b"\x00", security_parameters: bytes | None = None) -> bytes:
    """A well-formed SNMPv3 message (noAuthNoPriv, an empty Response) whose msgID answers no request of ours."""
    pdu = api.v2c.ResponsePDU()
    api.v2c.apiPDU.set_defaults(pdu)
    api.v2c.apiPDU.set_request_id(pdu, 1)
    message = SNMPv3Message()
    message["msgVersion"] = 3
    header = message["msgGlobalData"]
    header["msgID"], header["msgMaxSize"], header["msgFlags"], header["msgSecurityModel"] = 1, 65507, flags, 3
    usm = UsmSecurityParameters()
    for name in ("msgAuthoritativeEngineId", "msgUserName", "msgAuthenticationParameters", "msgPrivacyParameters"):
        usm[name] = b""
    usm["msgAuthoritativeEngineBoots"] = usm["msgAuthoritativeEngineTime"] = 0
    message["msgSecurityParameters"] = encoder.encode(usm) if security_parameters is None else security_parameters
    scoped = message["msgData"]["plaintext"]
    scoped["contextEngineId"], scoped["contextName"] = b"", b""
    scoped["data"]["response"] = pdu
    return encoder.encode(message)


V3_STRAY = v3_message()
V3_TRUNCATED = V3_STRAY[:-8]  # the outer SEQUENCE announces 8 bytes more than came
V3_BAD_BODY = V3_STRAY[:5] + b"\x04" + V3_STRAY[6:]  # msgGlobalData an OCTET STRING instead of a SEQUENCE
V3_BAD_FLAGS = v3_message(flags=b"\x02")  # privacy without authentication: RFC 3412 §7.2.5 drops it
V3_BAD_USM = v3_message(security_parameters=b"\x30\x0e\x04\x00")  # USM parameters announcing 14 bytes, giving 2


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


@pytest.mark.parametrize(
    "junk_peer", [NOT_SNMP, BROKEN_BER, BARE_PDU_TAG], ids=["not-snmp", "broken-ber", "bare-pdu-tag"], indirect=True
)
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


@pytest.mark.parametrize(
    ("junk_peer", "counter"),
    [
        (NOT_SNMP, "snmpInASNParseErrs"),
        (V3_TRUNCATED, "snmpInASNParseErrs"),
        (V3_BAD_BODY, "snmpInASNParseErrs"),
        (V3_BAD_FLAGS, "snmpInvalidMsgs"),
        (V3_BAD_USM, "snmpInASNParseErrs"),
        (BARE_PDU_TAG, "TypeError"),
    ],
    ids=["not-snmp", "v3-truncated", "v3-bad-asn1-body", "v3-bad-flags", "v3-bad-usm-parameters", "bare-pdu-tag"],
    indirect=["junk_peer"],
)
def test_v3_garbage_answer_is_malformed_not_a_timeout(junk_peer, counter):
    """SNMPv3 too: "malformed answer" at once, where pysnmp's engine drops the datagram and the request times out."""
    port, received = junk_peer
    started = time.perf_counter()
    result = poll(SnmpV3Probe, v3(port), timeout=TIMEOUT, retries=1)
    elapsed = time.perf_counter() - started

    assert (result.reachable, result.error_kind) == (False, ErrorKind.MALFORMED)
    assert result.detail == f"malformed answer ({counter})"
    assert len(received) == 1, "one request, no retry: asking again would get the same bytes"
    assert elapsed < TIMEOUT, f"{elapsed:.2f} s: the answer waited for the timeout"


@pytest.mark.parametrize("junk_peer", [V3_STRAY], ids=["v3-stray-message"], indirect=True)
def test_v3_well_formed_message_answering_nothing_is_no_answer(junk_peer):
    """A decodable v3 message with another msgID (a late answer looks the same) is no answer, not malformed."""
    port, received = junk_peer
    result = poll(SnmpV3Probe, v3(port), timeout=1, retries=1)
    assert (result.reachable, result.error_kind, result.detail) == (False, ErrorKind.TIMEOUT, "no answer")
    assert len(received) == 2, "a timeout is worth another attempt"


def test_v3_silent_peer_is_no_answer(black_hole_port):
    """Nothing came back: a timeout, never "malformed"."""
    result = poll(SnmpV3Probe, v3(black_hole_port), timeout=0.3, retries=1)
    assert (result.reachable, result.error_kind, result.detail) == (False, ErrorKind.TIMEOUT, "no answer")


@pytest.fixture
def v3_settings(settings):
    settings.WIFI_CREDENTIALS = {
        "v3": dict(V3_USER),
        "v3-wrong-password": {**V3_USER, "auth_key": "not-the-auth-key"},
    }
    settings.WIFI_PROBE_TIMEOUT, settings.WIFI_PROBE_RETRIES = 1, 1
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    return settings


def v3_ap(port, credential_name="v3"):
    return AccessPointFactory(
        probe_kind="snmp_v3", probe_port=port, credential_name=credential_name,
        probe_settings={**UNIFI_SETTINGS, "context_name": "healthy"},
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("junk_peer", [V3_BAD_BODY], ids=["v3-bad-asn1-body"], indirect=True)
def test_v3_round_records_what_ops_must_chase(junk_peer, snmp_agent, black_hole_port, v3_settings):
    """One round over four v3 APs: each sample and incident names its own cause, the garbled one "malformed"."""
    garbled, silent = v3_ap(junk_peer[0]), v3_ap(black_hole_port)
    refused, healthy = v3_ap(snmp_agent.port, "v3-wrong-password"), v3_ap(snmp_agent.port)

    polling.round_run()

    samples = {s.access_point_id: s for s in HealthSample.objects.all()}
    assert (samples[garbled.pk].error_kind, samples[garbled.pk].detail) == (
        ErrorKind.MALFORMED,
        "malformed answer (snmpInASNParseErrs)",
    )
    assert (samples[silent.pk].error_kind, samples[silent.pk].detail) == (ErrorKind.TIMEOUT, "no answer")
    assert samples[refused.pk].error_kind == ErrorKind.AUTH
    assert samples[refused.pk].detail == (
        "la borne refuse le mot de passe SNMPv3 (clé d’authentification) de l’utilisateur"
        " «\u00a0monitor\u00a0» (usmStatsWrongDigests)"
    )
    assert samples[healthy.pk].reachable and samples[healthy.pk].uptime_seconds == 123456
    assert set(Incident.objects.open().values_list("access_point", "cause", "detail")) == {
        (garbled.pk, ErrorKind.MALFORMED, "malformed answer (snmpInASNParseErrs)"),
        (silent.pk, ErrorKind.TIMEOUT, "no answer"),
        (refused.pk, ErrorKind.AUTH, samples[refused.pk].detail),
    }
    assert AccessPoint.objects.get(pk=healthy.pk).health == Health.UP
