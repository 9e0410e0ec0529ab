"""SNMP drivers: v2c through pysnmp's light v1arch dispatcher, v3 through the v3arch engine (USM).

What is read (numeric OIDs, no MIB lookup on the v2c path):

- sysUpTime.0 (TimeTicks, hundredths of a second) → uptime; a smaller value than last round means a reboot;
- sysName.0, kept in the detail;
- ifOperStatus.<i> for each i in settings["if_indexes"] (the radios): any down(2) → degraded;
- settings["clients_oid"]: the associated-client count, vendor-specific. A scalar is fetched with the GET;
  with settings["clients_oid_walk"] it is a table column (UniFi's unifiVapNumStations, one row per VAP)
  walked with GETBULK and summed.

An answer that does not decode fails its request at once as malformed (`_dispatcher_class` for v2c,
`_v3_dispatcher_class` for v3), where pysnmp would drop it and let the request time out.

One dispatcher (v2c) per driver instance, i.e. per round, or one engine (v3) per credential set and round:
building an engine costs far more CPU than a request through an existing one (measured at 10–33 ms against
about 1.6 ms for the shared v1arch dispatcher when the drivers were written), and a round sends hundreds of
requests.
"""

import asyncio
import functools
import ipaddress
import logging
import re
import socket
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyasn1.type import univ
from pysnmp.proto import errind, error
from pysnmp.proto.api import verdec
from pysnmp.proto.rfc1902 import Null, ObjectName
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from wifi.models import ErrorKind
from wifi.probes.base import AttemptFailed, Probe, ProbeResult, ProbeTarget

logger = logging.getLogger(__name__)

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"
IF_DOWN = 2
MAX_WALK_ROWS = 512  # a table walk stops here: an agent that never ends its table cannot hold us
# Rows per GETBULK. An agent computes every repetition even past the end of the table (snmpsim: 24 cost
# 3× the CPU of 8, and was the bottleneck of a 1,000-AP round); 8 covers a UniFi AP's VAPs (2 radios ×
# 4 SSIDs) in one request, and a longer table simply takes another request.
BULK_REPETITIONS = 8
MAX_COUNT = 100_000  # more associated clients than this on one AP is not a number, it is garbage
_NUMERIC_OID = re.compile(r"\.?\d+(\.\d+)+")

# SNMPv3 answers (REPORT PDUs) that mean "your credentials are wrong", as opposed to "nobody answered".
_AUTH_ERRORS = (
    errind.UnknownUserName,
    errind.WrongDigest,
    errind.DecryptionError,
    errind.AuthenticationFailure,
    errind.AuthenticationError,
    errind.UnknownSecurityName,
    errind.UnsupportedSecurityLevel,
    errind.NotInTimeWindow,
    errind.NoSuchContext,
    errind.NoAccessEntry,
    errind.NotInView,
)


# What ops read when the AP's usmStats REPORT refuses our SNMPv3 credentials (pysnmp's own text is the bare
# indication name, "wrongDigest"). In the site's language, because the detail is stored text shown as is next to
# the translated error kind; the counter's name stays for whoever opens the AP's configuration.
_V3_REFUSALS: dict[type, tuple[Promise, str]] = {
    errind.WrongDigest: (
        _("the AP refuses the SNMPv3 password (authentication key) of user “%(user)s”"),
        "usmStatsWrongDigests",
    ),
    errind.DecryptionError: (
        _("the AP refuses the SNMPv3 encryption key (privacy key) of user “%(user)s”"),
        "usmStatsDecryptionErrors",
    ),
    errind.UnknownUserName: (_("the AP does not know the SNMPv3 user “%(user)s”"), "usmStatsUnknownUserNames"),
    errind.UnsupportedSecurityLevel: (
        _(
            "the AP refuses the security level of user “%(user)s” "
            "(an authentication or encryption key is missing or unexpected)"
        ),
        "usmStatsUnsupportedSecLevels",
    ),
    errind.NotInTimeWindow: (
        _("the AP refuses the SNMPv3 request as out of its time window (user “%(user)s”)"),
        "usmStatsNotInTimeWindows",
    ),
}


class Malformed(Exception):
    """The agent answered something we cannot use as it is."""


class MalformedAnswer(errind.RequestTimedOut):
    """A datagram came back from the agent but is no SNMP message we can decode (v2c and v3 alike).

    A subclass of RequestTimedOut because that is the one error indication pysnmp's v1arch callbacks pass on
    without reading a response PDU (there is none); `_Snmp._check` tests for it first.
    """


class AuthFailed(Exception):
    pass


class NoAnswer(Exception):
    pass


async def _address(host: str, port: int) -> tuple[str, int]:
    """The UDP address to send to; an IP literal skips the resolver (a thread-pool round trip per AP)."""
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, family=socket.AF_INET, type=socket.SOCK_DGRAM)
        address, resolved_port = infos[0][4][:2]
        return str(address), int(resolved_port)
    return host, port


def _transport(cls: Any, address: tuple[str, int], *, timeout: float) -> Any:
    # Equivalent to `await cls.create(address, …)` minus its resolver call (done by `_address`).
    # pysnmp's own retries stay off: Probe.probe() repeats the whole attempt, as for every driver.
    target = cls.__new__(cls)
    target.transport_address = address
    target.__init__(timeout=timeout, retries=0)
    return target


def _oid_tuple(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.strip(".").split("."))


def _integer(name: str, value: Any, *, minimum: int = 0) -> int:
    """`value` as an int, or Malformed: a string, an OID or a negative count is not what was asked for."""
    if isinstance(value, (NoSuchObject, NoSuchInstance, EndOfMibView)):
        raise Malformed(f"{name} missing")
    if not isinstance(value, univ.Integer):
        raise Malformed(f"{name} is not an integer ({type(value).__name__})")
    number = int(value)
    if number < minimum:
        raise Malformed(f"{name} = {number}")
    return number


def _predecessor(oid: str) -> str:
    """An OID whose GETNEXT is `oid` when `oid` exists: x.0 → x, x.n → x.(n-1)."""
    arcs = _oid_tuple(oid)
    before = arcs[:-1] if arcs[-1] == 0 else (*arcs[:-1], arcs[-1] - 1)
    return ".".join(map(str, before))


def _text(value: Any) -> str:
    if isinstance(value, univ.OctetString):
        return bytes(value).decode("utf-8", "replace")[:60]
    return ""


class _Snmp(Probe):
    default_port = 161
    settings_types = {"if_indexes": list, "clients_oid": str, "clients_oid_walk": bool}

    @classmethod
    def clean_settings(cls, value: object) -> dict[str, Any]:
        cleaned = super().clean_settings(value)
        errors: list[Promise] = []
        indexes = cleaned.get("if_indexes", [])
        if not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in indexes):
            errors.append(_("“if_indexes” must be a list of interface numbers, e.g. [1, 2]."))
        if "clients_oid" in cleaned and not _NUMERIC_OID.fullmatch(cleaned["clients_oid"]):
            errors.append(_("“clients_oid” must be a numeric OID, e.g. 1.3.6.1.4.1.41112.1.6.1.2.1.8."))
        if errors:
            raise ValidationError(errors, code="invalid")
        return cleaned

    def _oids(self, target: ProbeTarget) -> tuple[list[str], list[str]]:
        """(scalars to GET, the interface OIDs among them)."""
        interfaces = [f"{IF_OPER_STATUS}.{int(i)}" for i in target.settings.get("if_indexes") or []]
        scalars = [SYS_UPTIME, SYS_NAME, *interfaces]
        clients_oid = target.settings.get("clients_oid")
        if clients_oid and not target.settings.get("clients_oid_walk"):
            scalars.append(clients_oid.strip("."))
        return scalars, interfaces

    async def _get(self, target: ProbeTarget, oids: list[str], *, timeout: float) -> list[Any]:
        raise NotImplementedError

    async def _bulk(self, target: ProbeTarget, oids: list[str], non_repeaters: int, *, timeout: float) -> list[Any]:
        raise NotImplementedError

    async def _get_and_walk(
        self, target: ProbeTarget, scalars: list[str], column: str, *, timeout: float
    ) -> tuple[list[Any], int]:
        """The scalars and the sum of an integer column, in one GETBULK when the column is short.

        One request per AP instead of a GET then a GETBULK: the non-repeaters ask for the OID *before*
        each scalar (GETBULK walks forward), and an answer naming another OID means the scalar is missing.
        The agent must return increasing OIDs in the column (or it is Malformed).
        """
        asked = [_predecessor(oid) for oid in scalars]
        varbinds = await self._bulk(target, [*asked, column], len(asked), timeout=timeout)
        if len(varbinds) < len(scalars):
            raise Malformed(f"{len(varbinds)} values for {len(scalars)} OIDs")
        head = [
            (name, value if str(oid) == name else NoSuchInstance())
            for name, (oid, value) in zip(scalars, varbinds[: len(scalars)], strict=True)
        ]
        rows = varbinds[len(scalars) :]
        prefix = _oid_tuple(column)
        total, count, cursor = 0, 0, prefix
        while count < MAX_WALK_ROWS:
            for oid, value in rows:
                current = tuple(oid)
                if isinstance(value, EndOfMibView) or current[: len(prefix)] != prefix:
                    return head, total
                if current <= cursor:
                    raise Malformed(f"OID not increasing in {column}")
                total += _integer(f"client count {'.'.join(map(str, current))}", value)
                cursor, count = current, count + 1
            if not rows:
                return head, total
            rows = await self._bulk(target, [".".join(map(str, cursor))], 0, timeout=timeout)
        raise Malformed(f"more than {MAX_WALK_ROWS} rows in {column}")

    async def attempt(self, target: ProbeTarget, *, timeout: float) -> ProbeResult:
        scalars, interfaces = self._oids(target)
        try:
            clients_oid = (target.settings.get("clients_oid") or "").strip(".")
            walk = bool(clients_oid and target.settings.get("clients_oid_walk"))
            if walk:
                varbinds, clients = await self._get_and_walk(target, scalars, clients_oid, timeout=timeout)
            else:
                varbinds, clients = await self._get(target, scalars, timeout=timeout), None
            answer = dict(zip(scalars, (value for _, value in varbinds), strict=False))
            if len(answer) != len(scalars):
                raise Malformed(f"{len(answer)} values for {len(scalars)} OIDs")
            uptime = _integer("sysUpTime", answer[SYS_UPTIME]) // 100
            down = []
            for oid in interfaces:
                value = answer[oid]
                if isinstance(value, (NoSuchObject, NoSuchInstance)):
                    down.append(f"if {oid.rsplit('.', 1)[1]} missing")
                elif _integer(f"ifOperStatus.{oid.rsplit('.', 1)[1]}", value, minimum=1) == IF_DOWN:
                    down.append(f"if {oid.rsplit('.', 1)[1]} down")
            notes: list[str] = []
            if clients_oid and not walk:
                value = answer[clients_oid]
                if isinstance(value, (NoSuchObject, NoSuchInstance)):
                    notes.append("clients OID not found")  # a configuration slip, not a sick AP
                else:
                    clients = _integer("client count", value)
            if clients is not None and clients > MAX_COUNT:
                raise Malformed(f"client count = {clients}")
        except NoAnswer as exc:  # a datagram lost either way: the next attempt may get through
            raise AttemptFailed(ErrorKind.TIMEOUT, str(exc)) from exc
        except AuthFailed as exc:
            return ProbeResult.failure(target, ErrorKind.AUTH, str(exc))
        except Malformed as exc:
            return ProbeResult.failure(target, ErrorKind.MALFORMED, str(exc))
        except (ConnectionRefusedError, socket.gaierror) as exc:
            kind = ErrorKind.REFUSED if isinstance(exc, ConnectionRefusedError) else ErrorKind.OTHER
            return ProbeResult.failure(target, kind, f"{type(exc).__name__}: {exc}")
        name = _text(answer[SYS_NAME])
        return ProbeResult(
            ap_id=target.ap_id,
            reachable=True,
            uptime_seconds=uptime,
            clients=clients,
            degraded=bool(down),
            detail="; ".join(filter(None, [name, *down, *notes]))[:200],
        )

    def _check(
        self, error_indication: Any, error_status: Any, error_index: Any, varbinds: Any, *, user: str = ""
    ) -> list[Any]:
        if error_indication:
            if isinstance(error_indication, MalformedAnswer):
                raise Malformed(str(error_indication))
            if isinstance(error_indication, errind.RequestTimedOut):
                raise NoAnswer(self.no_answer)
            if isinstance(error_indication, _AUTH_ERRORS):
                if type(error_indication) not in _V3_REFUSALS:
                    raise AuthFailed(str(error_indication))
                refusal, counter = _V3_REFUSALS[type(error_indication)]
                raise AuthFailed(f"{refusal % {'user': user}} ({counter})")
            raise Malformed(str(error_indication))
        if error_status and int(error_status):
            raise Malformed(f"SNMP error {error_status.prettyPrint()} at {int(error_index)}")
        return list(varbinds)

    no_answer = "no answer"


class SnmpV2cProbe(_Snmp):
    label = _("SNMP v2c")
    # A v2c agent drops a request with a wrong community without a word: the two look the same.
    no_answer = "no answer (wrong community?)"

    def __init__(self) -> None:
        self._dispatcher: Any = None

    def _dispatch(self) -> Any:
        if self._dispatcher is None:
            self._dispatcher = _dispatcher_class()()
        return self._dispatcher

    async def _target(self, target: ProbeTarget, timeout: float) -> tuple[Any, Any]:
        from pysnmp.hlapi.v1arch.asyncio import CommunityData, UdpTransportTarget

        address = await _address(target.host, target.port or self.default_port)
        transport = _transport(UdpTransportTarget, address, timeout=timeout)
        # v2c is the AP's choice (its credential set says which); v3 is the recommended method.
        community = target.credentials.get("community", "public")
        return CommunityData(community, mpModel=1), transport  # noqa: S508

    async def _get(self, target: ProbeTarget, oids: list[str], *, timeout: float) -> list[Any]:
        from pysnmp.hlapi.v1arch.asyncio import get_cmd

        auth, transport = await self._target(target, timeout)
        varbinds = [(ObjectName(oid), Null()) for oid in oids]
        return self._check(*await get_cmd(self._dispatch(), auth, transport, *varbinds, lookupMib=False))

    async def _bulk(self, target: ProbeTarget, oids: list[str], non_repeaters: int, *, timeout: float) -> list[Any]:
        from pysnmp.hlapi.v1arch.asyncio import bulk_cmd

        auth, transport = await self._target(target, timeout)
        varbinds = [(ObjectName(oid), Null()) for oid in oids]
        answer = await bulk_cmd(
            self._dispatch(), auth, transport, non_repeaters, BULK_REPETITIONS, *varbinds, lookupMib=False
        )
        return self._check(*answer)

    async def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.close()
            self._dispatcher = None


# _UNDECODABLE: any exception out of pysnmp's handling of one datagram means that this datagram could not be
# read, not only PyAsn1Error: pyasn1 raises TypeError for b"\xa4\x00" (a bare PDU tag where the message should
# start) and IndexError for some broken v3 headers (found by mutating real messages). Left to the event loop,
# the request timed out. The traceback is logged for whoever wants to tell a hostile AP from a pysnmp bug.
def _log_undecodable(address: Any) -> None:
    logger.info("undecodable SNMP answer from %s", tuple(address)[:2], exc_info=True)


@functools.cache
def _dispatcher_class() -> type:
    """pysnmp's v1arch dispatcher, except that an answer it cannot decode fails the request at once, as malformed.

    pysnmp drops a datagram whose header is not SNMP, and lets the decoder's exception for a broken body escape
    into the event loop's exception handler; either way the request then times out and ops read "no answer
    (wrong community?)", and chase credentials. Imported late, as every pysnmp import here: it is slow.
    """
    from pysnmp.hlapi.v1arch.asyncio import SnmpDispatcher

    class _Dispatcher(SnmpDispatcher):
        def _recv_callback(self, snmpEngine: Any, transportDomain: Any, transportAddress: Any, wholeMsg: Any) -> Any:
            try:
                verdec.decode_message_version(wholeMsg)
                return super()._recv_callback(snmpEngine, transportDomain, transportAddress, wholeMsg)
            except Exception as exc:  # see _UNDECODABLE
                _log_undecodable(transportAddress)
                self._fail_requests_to(transportAddress, f"malformed answer ({type(exc).__name__})")
                return b""

        def _fail_requests_to(self, address: Any, reason: str) -> None:
            """Answer every pending request sent to `address` with MalformedAnswer (each AP has one in flight)."""
            sender = tuple(address)[:2]
            for request_id, state in list(self._pendingReqs.items()):
                if tuple(state["transportTarget"].transport_address)[:2] != sender:
                    continue
                del self._pendingReqs[request_id]
                self.transport_dispatcher.job_finished(id(self))
                if state["cbFun"]:
                    state["cbFun"](self, request_id, MalformedAnswer(reason), None, state["cbCtx"])

    return _Dispatcher


# The counters (RFC 3412 §4.2.1 and §7.2, RFC 3414 §3.2 step 8) that pysnmp's v3arch engine increments when it
# drops a datagram it cannot decode, and which nothing else increments on the poller's side. Not on the list: a
# well-formed message naming no pending request (a late answer to a timed-out attempt: an `errind.dataMismatch`
# with no counter), and the usmStats REPORTs an agent sends about *our* request (wrong key, unknown user), which
# pysnmp matches to the request and which `_check` turns into AUTH.
_V3_DECODE_FAILURES = (
    ("__SNMPv2-MIB", "snmpInASNParseErrs"),  # no BER at all, or a body that does not decode
    ("__SNMPv2-MIB", "snmpInBadVersions"),
    ("__SNMP-MPD-MIB", "snmpInvalidMsgs"),  # a v3 header that contradicts itself (msgFlags)
    ("__SNMP-MPD-MIB", "snmpUnknownSecurityModels"),
)
# Left out on purpose: usmStatsWrongDigests and usmStatsDecryptionErrors on *our* side. An answer garbled in
# transit fails the digest, but so does a sound answer checked with another credential set's keys for the same
# user name: these counters say "not for these keys", not "not SNMP".


@functools.cache
def _v3_dispatcher_class() -> type:
    """pysnmp's v3arch message dispatcher, except that an answer it cannot decode fails the request at once.

    `MsgAndPduDispatcher.receive_message` drops such a datagram (it counts it in snmpInASNParseErrs or a
    sibling and returns), so the request would end as a timeout and ops would chase the v3 credentials.
    A counter is ambiguous across a request's lifetime when one engine serves a whole round, but not across
    one `receive_message` call: it runs synchronously on the event loop, so a counter that moved during the
    call moved for this datagram, from this address. The requests pending to that address (an AP has one in
    flight) are then ended with `MalformedAnswer`, exactly as pysnmp ends a request answered by a REPORT.

    Only public names of pysnmp 7 are used: the `msgAndPduDsp` argument of `SnmpEngine`, `send_pdu`,
    `receive_message` and `release_state_information` (RFC 3412's abstract service interface, which pysnmp
    has kept since 4.x, only renamed to snake_case in 7.0), the response callback's documented arguments,
    and the RFC's counter names.
    """
    from pysnmp.proto.rfc3412 import MsgAndPduDispatcher

    class _V3Dispatcher(MsgAndPduDispatcher):
        def __init__(self) -> None:
            super().__init__()
            mib = self.mib_instrum_controller.get_mib_builder()
            self._decode_failures = [(name, mib.import_symbols(mod, name)[0]) for mod, name in _V3_DECODE_FAILURES]
            # sendPduHandle → (address sent to, message processing model, callback, its context), until answered.
            self._pending: dict[int, tuple[tuple[Any, ...], Any, Any, Any]] = {}

        def send_pdu(  # pysnmp's signature, positional as its callers use it
            self, snmpEngine: Any, transportDomain: Any, transportAddress: Any, messageProcessingModel: Any,
            securityModel: Any, securityName: Any, securityLevel: Any, contextEngineId: Any, contextName: Any,
            pduVersion: Any, PDU: Any, expectResponse: Any, timeout: float = 0, cbFun: Any = None, cbCtx: Any = None,
        ) -> Any:  # fmt: skip
            if not (expectResponse and cbFun):
                return super().send_pdu(
                    snmpEngine, transportDomain, transportAddress, messageProcessingModel, securityModel, securityName,
                    securityLevel, contextEngineId, contextName, pduVersion, PDU, expectResponse, timeout, cbFun, cbCtx,
                )  # fmt: skip

            def answered(*args: Any) -> Any:
                # pysnmp calls this once per request (answer, REPORT or timeout); args[-2] is its sendPduHandle.
                self._pending.pop(args[-2], None)
                return cbFun(*args)

            handle = super().send_pdu(
                snmpEngine, transportDomain, transportAddress, messageProcessingModel, securityModel, securityName,
                securityLevel, contextEngineId, contextName, pduVersion, PDU, expectResponse, timeout, answered, cbCtx,
            )  # fmt: skip
            self._pending[handle] = (tuple(transportAddress)[:2], messageProcessingModel, answered, cbCtx)
            return handle

        def receive_message(self, snmpEngine: Any, transportDomain: Any, transportAddress: Any, wholeMsg: Any) -> Any:
            before = [int(counter.syntax) for _, counter in self._decode_failures]
            try:
                return super().receive_message(snmpEngine, transportDomain, transportAddress, wholeMsg)
            except Exception as exc:  # see _UNDECODABLE; pysnmp would let it reach the event loop
                _log_undecodable(transportAddress)
                self._fail_requests_to(snmpEngine, transportAddress, f"malformed answer ({type(exc).__name__})")
                return b""
            finally:
                moved = [name for (name, c), was in zip(self._decode_failures, before, strict=True) if c.syntax != was]
                if moved:
                    self._fail_requests_to(snmpEngine, transportAddress, f"malformed answer ({moved[0]})")

        def _fail_requests_to(self, snmpEngine: Any, address: Any, reason: str) -> None:
            sender = tuple(address)[:2]
            for handle, (to, model, answered, cbCtx) in list(self._pending.items()):
                if to != sender:
                    continue
                # What receive_message does for a REPORT that answers a request: release it, then call back.
                self.release_state_information(snmpEngine, handle, model)
                status = error.StatusInformation(errorIndication=MalformedAnswer(reason))
                answered(snmpEngine, None, None, None, None, None, None, None, None, status, handle, cbCtx)

    return _V3Dispatcher


_AUTH_PROTOCOLS = {"MD5": "USM_AUTH_HMAC96_MD5", "SHA": "USM_AUTH_HMAC96_SHA", "SHA256": "USM_AUTH_HMAC192_SHA256"}
_PRIV_PROTOCOLS = {"AES": "USM_PRIV_CFB128_AES", "DES": "USM_PRIV_CBC56_DES"}


class SnmpV3Probe(_Snmp):
    label = _("SNMP v3")
    settings_types = {**_Snmp.settings_types, "context_name": str}

    def __init__(self) -> None:
        # One engine per credential set: an engine holds one set of keys per user name, and pysnmp replaces them
        # whenever a request names the same user with other keys. Two sets sharing a user name in one round then
        # swapped keys between requests in flight (the request after engine discovery, or the check of the
        # answer): an AP with a wrong password was seen healthy, a sound answer failed its digest.
        self._engines: dict[tuple[str, ...], Any] = {}

    def _snmp_engine(self, credentials: dict[str, Any]) -> Any:
        key = tuple(
            str(credentials.get(k) or "") for k in ("user", "auth_key", "priv_key", "auth_protocol", "priv_protocol")
        )
        if key not in self._engines:
            from pysnmp.hlapi.v3arch.asyncio import SnmpEngine

            self._engines[key] = SnmpEngine(msgAndPduDsp=_v3_dispatcher_class()())
        return self._engines[key]

    async def _target(self, target: ProbeTarget, timeout: float) -> tuple[Any, Any, Any]:
        from pysnmp.hlapi.v3arch.asyncio import ContextData, UdpTransportTarget, UsmUserData, auth

        creds = target.credentials
        user = creds.get("user")
        if not user:
            raise AuthFailed("no SNMPv3 user in the credential set")
        auth_name = (creds.get("auth_protocol") or "SHA").upper()
        priv_name = (creds.get("priv_protocol") or "AES").upper()
        if auth_name not in _AUTH_PROTOCOLS or priv_name not in _PRIV_PROTOCOLS:
            raise AuthFailed(f"unsupported protocols {auth_name}/{priv_name}")
        usm = UsmUserData(
            user,
            authKey=creds.get("auth_key"),
            privKey=creds.get("priv_key"),
            authProtocol=getattr(auth, _AUTH_PROTOCOLS[auth_name]) if creds.get("auth_key") else auth.USM_AUTH_NONE,
            privProtocol=getattr(auth, _PRIV_PROTOCOLS[priv_name]) if creds.get("priv_key") else auth.USM_PRIV_NONE,
        )
        address = await _address(target.host, target.port or self.default_port)
        transport = _transport(UdpTransportTarget, address, timeout=timeout)
        # Real APs answer in the default (empty) context; snmpsim selects its data file by context name.
        return usm, transport, ContextData(contextName=target.settings.get("context_name", ""))

    async def _get(self, target: ProbeTarget, oids: list[str], *, timeout: float) -> list[Any]:
        from pysnmp.hlapi.v3arch.asyncio import ObjectIdentity, ObjectType, get_cmd

        usm, transport, context = await self._target(target, timeout)
        varbinds = [ObjectType(ObjectIdentity(oid)) for oid in oids]
        answer = await get_cmd(
            self._snmp_engine(target.credentials), usm, transport, context, *varbinds, lookupMib=False
        )
        return self._check(*answer, user=str(usm.userName))

    async def _bulk(self, target: ProbeTarget, oids: list[str], non_repeaters: int, *, timeout: float) -> list[Any]:
        from pysnmp.hlapi.v3arch.asyncio import ObjectIdentity, ObjectType, bulk_cmd

        usm, transport, context = await self._target(target, timeout)
        varbinds = [ObjectType(ObjectIdentity(oid)) for oid in oids]
        answer = await bulk_cmd(
            self._snmp_engine(target.credentials),
            usm,
            transport,
            context,
            non_repeaters,
            BULK_REPETITIONS,
            *varbinds,
            lookupMib=False,
        )
        return self._check(*answer, user=str(usm.userName))

    async def close(self) -> None:
        for engine in self._engines.values():
            engine.close_dispatcher()
        self._engines.clear()
