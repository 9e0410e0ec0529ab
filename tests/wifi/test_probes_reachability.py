"""TCP connect and ping against real sockets on loopback."""

import asyncio

from wifi.models import ErrorKind
from wifi.probes.base import ProbeTarget
from wifi.probes.reachability import IcmpProbe, TcpProbe


def poll(driver, target, *, timeout=5, retries=0):  # generous: not a test of timing
    return asyncio.run(driver.run(target, timeout=timeout, retries=retries))


def test_tcp_listening_port_is_reachable(tcp_listener):
    result = poll(TcpProbe(), ProbeTarget(1, "tcp", "127.0.0.1", tcp_listener))
    assert result.reachable and result.latency_ms is not None and result.error_kind == ""


def test_tcp_port_from_settings(tcp_listener):
    target = ProbeTarget(1, "tcp", "127.0.0.1", None, {"port": tcp_listener})
    assert poll(TcpProbe(), target).reachable


def test_tcp_closed_port_is_refused(closed_port):
    result = poll(TcpProbe(), ProbeTarget(1, "tcp", "127.0.0.1", closed_port), retries=1)
    assert (result.reachable, result.error_kind) == (False, ErrorKind.REFUSED)
    assert str(closed_port) in result.detail


def test_tcp_unknown_host_is_an_error_sample():
    result = poll(TcpProbe(), ProbeTarget(1, "tcp", "no-such-host.invalid", 22))
    assert (result.reachable, result.error_kind) == (False, ErrorKind.OTHER)


def test_icmp_loopback_answers_or_says_why():
    """Raw or unprivileged ICMP, whichever this machine allows; if neither, a clear OTHER, never a crash."""
    result = poll(IcmpProbe(), ProbeTarget(1, "icmp", "127.0.0.1"))
    if result.reachable:
        assert result.latency_ms is not None
    else:
        assert result.error_kind == ErrorKind.OTHER and "ping interdit au collecteur" in result.detail


def test_icmp_unknown_host():
    result = poll(IcmpProbe(), ProbeTarget(1, "icmp", "no-such-host.invalid"))
    assert (result.reachable, result.error_kind) == (False, ErrorKind.OTHER)
