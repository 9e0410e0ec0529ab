"""The SNMP drivers against a real agent (snmpsim on loopback): values read, faults mapped to error kinds."""

import asyncio
import time

import pytest

from tests.wifi.conftest import UNIFI_SETTINGS
from tests.wifi.snmp_agent import V3_USER
from wifi.models import ErrorKind
from wifi.probes.base import ProbeTarget
from wifi.probes.snmp import SnmpV2cProbe, SnmpV3Probe

TIMEOUT = 0.3  # for the tests about timing out
ANSWER_TIMEOUT = 5  # where the agent answers: generous, so a busy 2-core machine cannot fail the test


def poll(driver_class, target, *, timeout=ANSWER_TIMEOUT, retries=0):
    async def go():
        driver = driver_class()
        try:
            return await driver.run(target, timeout=timeout, retries=retries)
        finally:
            await driver.close()

    return asyncio.run(go())


def v2c(port, community, settings=UNIFI_SETTINGS):
    return ProbeTarget(1, "snmp_v2c", "127.0.0.1", port, dict(settings), {"community": community})


def v3(port, context="healthy", **credentials):
    settings = {**UNIFI_SETTINGS, "context_name": context}
    return ProbeTarget(1, "snmp_v3", "127.0.0.1", port, settings, {**V3_USER, **credentials})


def test_healthy_ap_reports_uptime_clients_and_name(snmp_agent):
    """sysUpTime in seconds, the VAP client counts summed over a GETBULK walk, both radios up."""
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, "healthy"))
    assert result.reachable and not result.degraded, result
    assert (result.uptime_seconds, result.clients) == (123456, 12)
    assert result.detail == "ap-healthy"
    assert result.latency_ms is not None and result.latency_ms < 1000


def test_scalar_clients_oid(snmp_agent):
    """A clients OID without walk is read with the same GET."""
    settings = {"clients_oid": "1.3.6.1.4.1.41112.1.6.1.2.1.8.2"}
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, "healthy", settings))
    assert result.reachable and result.clients == 7


def test_radio_down_is_degraded(snmp_agent):
    """ifOperStatus down(2) on a listed interface: reachable but degraded, the interface named."""
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, "radio-down"))
    assert result.reachable and result.degraded
    assert "if 2 down" in result.detail
    assert result.clients == 4


def test_missing_interface_is_degraded(snmp_agent):
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, "healthy", {"if_indexes": [1, 7]}))
    assert result.reachable and result.degraded and "if 7 missing" in result.detail


@pytest.mark.parametrize(
    ("community", "expected"),
    [("malformed", "sysUpTime is not an integer"), ("negative-clients", "= -3")],
)
def test_garbage_values_are_malformed(snmp_agent, community, expected):
    """A string where TimeTicks belong, a negative client count: MALFORMED, not a crash, not a number."""
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, community))
    assert not result.reachable
    assert result.error_kind == ErrorKind.MALFORMED
    assert expected in result.detail


def test_wrong_community_times_out(snmp_agent):
    """v2c agents drop a wrong community silently: a timeout, said so."""
    started = time.perf_counter()
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, "not-the-community"), timeout=TIMEOUT, retries=1)
    assert (result.reachable, result.error_kind) == (False, ErrorKind.TIMEOUT)
    assert result.detail == "no answer (wrong community?)"
    assert 2 * TIMEOUT - 0.1 < time.perf_counter() - started < 2 * TIMEOUT + 1


@pytest.mark.parametrize("port_fixture", ["closed_port", "black_hole_port"])
def test_dead_ap_times_out(request, port_fixture):
    """Nothing listening (ICMP refusal, which pysnmp does not expose) or a hung agent: TIMEOUT."""
    port = request.getfixturevalue(port_fixture)
    result = poll(SnmpV2cProbe, v2c(port, "healthy"), timeout=TIMEOUT)
    assert (result.reachable, result.error_kind) == (False, ErrorKind.TIMEOUT)


def test_v3_reads_the_same_values(snmp_agent):
    """SNMPv3 authPriv (SHA/AES) with the credential set's user and keys."""
    result = poll(SnmpV3Probe, v3(snmp_agent.port), timeout=ANSWER_TIMEOUT)
    assert result.reachable and not result.degraded, result
    assert (result.uptime_seconds, result.clients) == (123456, 12)


@pytest.mark.parametrize(
    ("credentials", "detail"),
    [
        ({"auth_key": "not-the-auth-key"}, "la borne refuse le mot de passe SNMPv3 (clé d’authentification) de"
         " l’utilisateur «\u00a0monitor\u00a0» (usmStatsWrongDigests)"),
        ({"priv_key": "not-the-priv-key"}, "la borne refuse la clé de chiffrement SNMPv3 de l’utilisateur"
         " «\u00a0monitor\u00a0» (usmStatsDecryptionErrors)"),
        ({"user": "intruder"}, "la borne ne connaît pas l’utilisateur SNMPv3 «\u00a0intruder\u00a0»"
         " (usmStatsUnknownUserNames)"),
    ],
    ids=["wrong-digest", "wrong-privacy-key", "unknown-user"],
)  # fmt: skip
def test_v3_wrong_credentials_is_auth(snmp_agent, credentials, detail):
    """The agent answers a usmStats REPORT: AUTH saying which credential, in French, neither timeout nor malformed."""
    result = poll(SnmpV3Probe, v3(snmp_agent.port, **credentials), timeout=ANSWER_TIMEOUT)
    assert (result.reachable, result.error_kind, result.detail) == (False, ErrorKind.AUTH, detail)


def test_v3_credential_sets_sharing_a_user_name_do_not_mix(snmp_agent):
    """One round, same v3 user with the right and a wrong password: each AP is judged on its own keys."""

    async def go():
        driver = SnmpV3Probe()
        try:
            targets = [v3(snmp_agent.port), v3(snmp_agent.port, auth_key="not-the-auth-key")] * 5
            return await asyncio.gather(*(driver.run(t, timeout=ANSWER_TIMEOUT, retries=0) for t in targets))
        finally:
            await driver.close()

    results = asyncio.run(go())
    assert [r.error_kind for r in results] == ["", ErrorKind.AUTH] * 5
    assert [r.uptime_seconds for r in results[0::2]] == [123456] * 5


def test_v3_without_user_is_auth(snmp_agent):
    target = ProbeTarget(1, "snmp_v3", "127.0.0.1", snmp_agent.port, {}, {})
    result = poll(SnmpV3Probe, target)
    assert (result.reachable, result.error_kind) == (False, ErrorKind.AUTH)


def test_one_dispatcher_serves_many_concurrent_probes(snmp_agent):
    """The round shares one driver: 40 concurrent GETs through one dispatcher all come back right."""

    async def go():
        driver = SnmpV2cProbe()
        try:
            targets = [v2c(snmp_agent.port, c) for c in ["healthy", "radio-down", "rebooted"] * 40]
            return await asyncio.gather(*(driver.run(t, timeout=ANSWER_TIMEOUT, retries=1) for t in targets))
        finally:
            await driver.close()

    results = asyncio.run(go())
    assert [r.uptime_seconds for r in results] == [123456, 987654, 42] * 40


def test_walk_longer_than_one_bulk_continues(snmp_agent, monkeypatch):
    """A client table longer than one GETBULK is followed to its end with more requests."""
    monkeypatch.setattr("wifi.probes.snmp.BULK_REPETITIONS", 2)
    result = poll(SnmpV2cProbe, v2c(snmp_agent.port, "healthy"))
    assert result.reachable and result.clients == 12
