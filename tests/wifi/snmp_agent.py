"""A real SNMP agent on loopback for tests and benchmarks: snmpsim serving recorded `.snmprec` files.

snmpsim refuses to run as root unless it drops to another user, and that user must then be able to read
its interpreter and data. So it runs from a venv of Debian's Python built
once in a directory only we can write and everybody can read, with its data copied next to it and an index
cache owned by `nobody`. Each `.snmprec` file is one agent, selected by the community (v2c) or the context
name (v3) equal to its file name.
"""

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REQUIREMENTS_FILE = Path(__file__).with_name("snmpsim-requirements.txt")
SYSTEM_PYTHON = "/usr/bin/python3"
DATA_DIR = Path(__file__).parent / "data"
V3_USER = {
    "user": "monitor",
    "auth_key": "monitor-auth-key",
    "priv_key": "monitor-priv-key",
    "auth_protocol": "SHA",
    "priv_protocol": "AES",
}
DROP_TO = ("nobody", "nogroup")


def _private_root() -> Path:
    """A directory in /var/tmp, ours alone to write (snmpsim starts as root), everybody's to read."""
    # /var/tmp survives reboots (the venv is a cache); the ownership check below is what makes it safe.
    root = Path("/var/tmp" if Path("/var/tmp").is_dir() else tempfile.gettempdir())  # noqa: S108
    path = root / f"mds-connectees-snmpsim-{os.getuid()}"
    path.mkdir(mode=0o755, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise RuntimeError(f"{path} is not a directory owned by us and closed to others: remove it")
    return path


def ensure_venv() -> Path:
    """The snmpsim venv, built on first use (~5 s) and reused; a lock keeps parallel test workers in line.

    One venv per version of the requirements file: two checkouts pinning different versions never delete
    the venv the other one is running.
    """
    wanted = REQUIREMENTS_FILE.read_text()
    venv = _private_root() / f"venv-{hashlib.sha256(wanted.encode()).hexdigest()[:12]}"
    stamp = venv / ".requirements"
    with open(_private_root() / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == wanted:
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        python = SYSTEM_PYTHON if Path(SYSTEM_PYTHON).exists() else sys.executable
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r", str(REQUIREMENTS_FILE)],
            check=True,
            capture_output=True,
        )
        stamp.write_text(wanted)
    return venv


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snmp_get_answers(port: int, community: str) -> bool:
    """One raw SNMPv2c GET of sysUpTime.0: does the agent answer yet?"""
    from pyasn1.codec.ber import decoder, encoder
    from pysnmp.proto import api

    v2c = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = v2c.GetRequestPDU()
    v2c.apiPDU.set_defaults(pdu)
    v2c.apiPDU.set_varbinds(pdu, [("1.3.6.1.2.1.1.3.0", v2c.Null(""))])
    message = v2c.Message()
    v2c.apiMessage.set_defaults(message)
    v2c.apiMessage.set_community(message, community)
    v2c.apiMessage.set_pdu(message, pdu)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.sendto(encoder.encode(message), ("127.0.0.1", port))
        try:
            data, _ = s.recvfrom(65535)
        except OSError:
            return False
    answer, _ = decoder.decode(data, asn1Spec=v2c.Message())
    return v2c.apiPDU.get_request_id(v2c.apiMessage.get_pdu(answer)) == v2c.apiPDU.get_request_id(pdu)


class SnmpSimulator:
    """snmpsim on 127.0.0.1:`port` serving every `.snmprec` of `data_dir`; a context manager."""

    def __init__(self, data_dir: Path = DATA_DIR, *, port: int | None = None, v3_user: dict | None = V3_USER):
        self.source = Path(data_dir)
        self.port = port or free_udp_port()
        self.v3_user = v3_user
        self.process: subprocess.Popen | None = None
        self.communities = sorted(p.stem for p in self.source.glob("*.snmprec"))

    def start(self, *, ready_within: float = 60) -> "SnmpSimulator":
        venv = ensure_venv()
        self.workdir = Path(tempfile.mkdtemp(prefix="snmpsim-", dir=_private_root()))
        self.workdir.chmod(0o755)
        data, cache = self.workdir / "data", self.workdir / "cache"
        shutil.copytree(self.source, data, ignore=shutil.ignore_patterns("*.dbm*", "__pycache__"))
        for path in [data, *data.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        cache.mkdir()
        command = [str(venv / "bin" / "snmpsim-command-responder"), f"--cache-dir={cache}", "--log-level=error"]
        if os.geteuid() == 0:
            user, group = DROP_TO
            os.chown(cache, pwd.getpwnam(user).pw_uid, -1)
            command += [f"--process-user={user}", f"--process-group={group}"]
        # Options after --v3-engine-id configure that engine: keep it first.
        command += ["--v3-engine-id=auto", f"--data-dir={data}", f"--agent-udpv4-endpoint=127.0.0.1:{self.port}"]
        if self.v3_user:
            u = self.v3_user
            command += [
                f"--v3-user={u['user']}", f"--v3-auth-key={u['auth_key']}", f"--v3-auth-proto={u['auth_protocol']}",
                f"--v3-priv-key={u['priv_key']}", f"--v3-priv-proto={u['priv_protocol']}",
            ]  # fmt: skip
        self.log = open(self.workdir / "snmpsim.log", "wb")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + ready_within
        probe_community = self.communities[0]
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _snmp_get_answers(self.port, probe_community):
                return self
            time.sleep(0.1)
        log = (self.workdir / "snmpsim.log").read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"snmpsim did not answer on 127.0.0.1:{self.port} within {ready_within} s:\n{log}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
            self.log.close()
        with contextlib.suppress(AttributeError):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "SnmpSimulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":  # .ci/run: build the simulator's venv before the tests (stdlib only up to here)
    print(ensure_venv())
