"""HTTP benchmark: what each URL costs, as a ratio to a hello-world served by the same gunicorn.

    .venv/bin/python benchmarks/http_bench.py [--duration 10] [--repeats 3] [--connections 16]
                                              [--urls /backoffice/login/ /healthz] [--json out.json]

Prepares a throwaway PostgreSQL database (migrate, load_mds, collectstatic, a primed beat tick) under the
production settings, starts gunicorn twice with the same configuration (one sync worker, pinned to one CPU):
once on mds_connectees.wsgi, once on benchmarks/hello_wsgi.py. wrk, pinned to the other CPU, loads them in
interleaved rounds (hello, url1, hello, url2, ...) and the table reports, per URL, the median over rounds of
the ratio to the hello run of the same round. It also counts the SQL queries of each URL with Django's test
Client. Everything it starts is stopped, and the database dropped, on exit, errors and Ctrl-C included.
See benchmarks/README.md.
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"

DB_NAME = "mds_bench"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/5"
PORTAL_SLUG = "bench"
PORTAL_SPLASH = f"/portal/{PORTAL_SLUG}/"
PORTAL_ACCEPT = f"POST /portal/{PORTAL_SLUG}/accept/@302"
DEFAULT_URLS = ["/backoffice/login/", "/healthz", PORTAL_SPLASH, PORTAL_ACCEPT]
PORTAL_STATES = 40_000  # distinct signed arrivals (one client MAC each) for the accept runs
HELLO = "hello"

# The gunicorn configuration both servers share: one synchronous worker (one request at a time, like each
# worker of a production install), no access log. Only the application and the port differ.
GUNICORN_ARGS = ["--workers", "1", "--worker-class", "sync", "--log-level", "warning"]
WRK_THREADS = 1  # the load generator has one CPU of its own
WRK_TIMEOUT = "10s"
WARMUP_SECONDS = 2
FORWARDED_PROTO = ("X-Forwarded-Proto", "https")


class BenchError(Exception):
    """A condition that makes the figures meaningless: reported, and the run stops."""


@dataclass(frozen=True)
class Target:
    path: str
    expected_status: int = 200
    method: str = "GET"

    @classmethod
    def parse(cls, spec: str) -> "Target":
        """`/path` expects 200; `/path@302` expects 302; `POST /path@302` posts (only the portal's accept)."""
        method, _sep, rest = spec.rpartition(" ")
        method = method.strip().upper() or "GET"
        path, sep, status = rest.rpartition("@")
        if sep and status.isdigit():
            return cls(path, int(status), method)
        return cls(rest, 200, method)

    @property
    def label(self) -> str:
        return self.path if self.method == "GET" else f"{self.method} {self.path}"


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: int


@dataclass
class Result:
    target: Target
    runs: list[Run] = field(default_factory=list)
    hello_runs: list[Run] = field(default_factory=list)  # the hello run of the same round, pairwise
    queries: int | None = None
    first_queries: int | None = None


# --- Environment ------------------------------------------------------------------------------


def bench_environment(static_root: Path, media_root: Path, redis_url: str, database: str = "") -> dict[str, str]:
    """The production posture, pointed at the throwaway database (DB_NAME unless `database` names another) and a
    Redis database of the benchmark's own."""
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}  # no outside gunicorn options
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mds_connectees.settings",
            "DEBUG": "false",
            "HTTPS": "true",
            "BEHIND_TLS_PROXY": "true",
            "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database or DB_NAME}",
            "REDIS_URL": redis_url,
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(media_root),
            "STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            # The primed beat tick must stay fresh for the whole run (it is stale after 3 x this).
            "BEAT_TICK_SECONDS": "3600",
            # wrk's accepts all come from 127.0.0.1 to one site: lift the per-source and per-site budgets (each
            # accept is a new device, so the per-device one stays as in production).
            "PORTAL_ACCEPTS_PER_MINUTE": '{"source": 1000000000, "site": 1000000000}',
        }
    )
    return env


def warn_about_dotenv(env: dict[str, str]) -> None:
    """settings.py also reads /work/main/.env for variables the environment does not set: name them."""
    dotenv = PROJECT_DIR / ".env"
    if not dotenv.exists():
        return
    leaked = []
    for line in dotenv.read_text().splitlines():
        key = line.split("=", 1)[0].strip().removeprefix("export ").strip()
        if key and not key.startswith("#") and "=" in line and key not in env:
            leaked.append(key)
    if leaked:
        print(f"note: .env also sets {', '.join(leaked)} for the benchmarked application", file=sys.stderr)


def check_prerequisites(server_cpu: int, client_cpu: int) -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: `apt-get install -y wrk` (Debian package), then run again.")
    if shutil.which("taskset") is None:
        raise BenchError("taskset is not installed (Debian package util-linux).")
    if not (VENV_BIN / "gunicorn").exists():
        raise BenchError(f"gunicorn not found next to {sys.executable}: run with the project's .venv/bin/python.")
    allowed = os.sched_getaffinity(0)
    if server_cpu == client_cpu or not {server_cpu, client_cpu} <= allowed:
        raise BenchError(f"need two distinct CPUs among {sorted(allowed)} (got {server_cpu} and {client_cpu}).")


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    cmd = [sys.executable, str(PROJECT_DIR / "manage.py"), *args]
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise BenchError(f"`manage.py {' '.join(args)}` failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def drop_database(database: str = "") -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database or DB_NAME}" WITH (FORCE)')


def prepare_database(env: dict[str, str], database: str = "") -> None:
    """Create `database` (DB_NAME unless named) afresh, migrated, loaded, with static files and a beat tick."""
    drop_database(database)
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database or DB_NAME}"')
    step("migrate", lambda: manage(env, "migrate", "--noinput", "-v", "0"))
    step("load_mds", lambda: manage(env, "load_mds"))
    step("collectstatic", lambda: manage(env, "collectstatic", "--noinput", "-v", "0"))
    step(
        "beat tick",
        lambda: manage(env, "shell", "-c", "from mds_connectees.health import record_beat_tick; record_beat_tick()"),
    )


# The portal's page data: a site with its portal (click-through gateway), French terms, three blocks with links,
# like a real splash. Then the accept runs' request bodies: one signed arrival per client MAC, made with the
# server's SECRET_KEY, and the SQL queries of one accept. All requests come from 127.0.0.1 (declared as the
# site's egress network) to one site, so the per-source and per-site accept limits are lifted for the run
# (PORTAL_ACCEPTS_PER_MINUTE in bench_environment); it is the one deviation from production on this path.
# Prints one JSON line.
PORTAL_PREPARE = """
import json, os
from urllib.parse import urlencode
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from captive_portal import views
from captive_portal.models import ContentBlock, ContentLink, EgressNetwork, SitePortal, TermsVersion
from sites.models import Mds, Site

slug, bodies_path = os.environ["BENCH_PORTAL_SLUG"], os.environ["BENCH_PORTAL_BODIES"]
count = int(os.environ["BENCH_PORTAL_STATES"])
mds = Mds.objects.order_by("pk").first()
site = Site.objects.create(mds=mds, number=99, name="Site de mesure", slug=slug, street="1 rue de la Mesure",
                           postal_code="13001", commune="Marseille")
SitePortal.objects.create(site=site, gateway_kind="click_through", session_minutes=480)
EgressNetwork.objects.create(site=site, network="127.0.0.0/8")  # wrk's requests come from the loopback
terms = TermsVersion.objects.create(language="fr", version=1, full_text="Conditions complètes. " * 200, summary=(
    "Ce WiFi est gratuit et ouvert à tous. Nous gardons un an les données techniques de connexion, comme la loi "
    "l'exige, jamais les sites que vous visitez."))
for order, (title, links) in enumerate([
        ("Services publics en ligne", ["CAF", "Ameli", "impots.gouv", "France Travail", "ANTS"]),
        ("Prévention : les écrans", ["Les écrans en famille"]),
        ("Ateliers numériques", ["Prendre rendez-vous"])]):
    block = ContentBlock.objects.create(kind="public_services", language="fr", title=title, order=order,
                                        body="Un court texte pour ce bloc, en langage simple. " * 3)
    for label in links:
        ContentLink.objects.create(block=block, label=label, url="https://www.service-public.fr/")
bodies = []
for n in range(count):
    mac = ":".join(f"{b:02x}" for b in (0x02, 0, (n >> 16) & 255, (n >> 8) & 255, n & 255, 1))
    state = signing.dumps({"mac": mac, "ip": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}", "port": None,
                           "ap": None, "url": "http://example.org/", "token": "", "state": {"continue_url": ""}},
                          salt=views.STATE_SALT, compress=True)
    bodies.append(urlencode({"state": state, "lang": "fr", "terms": terms.pk}))
with open(bodies_path, "w") as out:
    out.write("\\n".join(bodies) + "\\n")
client, counts, status = Client(REMOTE_ADDR="127.0.0.1"), [], None
# Two devices: the first request warms the page cache and the month's hash key, the second is the steady
# state (a new device accepting).
for body in ["state=" + signing.dumps({"mac": f"02:ff:ff:ff:ff:0{n}", "ip": f"10.255.255.{n}", "url": "",
                                       "token": "", "state": {}}, salt=views.STATE_SALT, compress=True)
             + f"&lang=fr&terms={terms.pk}" for n in (1, 2)]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/portal/{slug}/accept/", body, content_type="application/x-www-form-urlencoded",
                               secure=True, headers={"host": "127.0.0.1", "x-forwarded-proto": "https"})
    counts.append(len(ctx.captured_queries))
    status = response.status_code
print(json.dumps({"status": status, "first_queries": counts[0], "queries": counts[1],
                  "sql": [q["sql"][:120] for q in ctx.captured_queries]}))
"""


def prepare_portal(env: dict[str, str], bodies: Path) -> dict:
    extra = {
        "BENCH_PORTAL_SLUG": PORTAL_SLUG,
        "BENCH_PORTAL_STATES": str(PORTAL_STATES),
        "BENCH_PORTAL_BODIES": str(bodies),
    }
    out = manage({**env, **extra}, "shell", "-c", PORTAL_PREPARE)
    return json.loads(out.strip().splitlines()[-1])


def post_script(tmp: Path, bodies: Path) -> Path:
    """wrk script for the accept runs: wrk_report.lua's counters, and a distinct signed arrival per request.

    Each run starts where the previous one stopped (an offset file), so that every accept is a new device (an
    insert), not a repeated accept of a device already connected (an update).
    """
    script, offset_file = tmp / "wrk_accept.lua", tmp / "accept-offset.txt"
    offset_file.write_text("1\n")  # the probe used the first body
    script.write_text(
        f"""dofile({json.dumps(str(WRK_SCRIPT))})
local report_done = done
local bodies = {{}}
for line in io.lines({json.dumps(str(bodies))}) do bodies[#bodies + 1] = line end
local file = io.open({json.dumps(str(offset_file))})
local offset = tonumber(file:read("*l")) or 0
file:close()
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
function request()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(offset + i - 1) % #bodies + 1])
end
function done(summary, latency, requests)
  report_done(summary, latency, requests)
  local out = io.open({json.dumps(str(offset_file))}, "w")
  out:write(tostring(offset + summary.requests + 1000), "\\n")  -- + in-flight requests never answered
  out:close()
end
"""
    )
    return script


def step(label: str, action) -> None:
    started = time.monotonic()
    print(f"  {label}...", end="", flush=True, file=sys.stderr)
    action()
    print(f" {time.monotonic() - started:.1f} s", file=sys.stderr)


# --- Servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    app: str
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    def start(self, env: dict[str, str], cpu: int, workdir: Path) -> None:
        cmd = [
            "taskset",
            "-c",
            str(cpu),
            str(VENV_BIN / "gunicorn"),
            *GUNICORN_ARGS,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(PROJECT_DIR),
            "--pythonpath",
            str(BENCH_DIR),
            "--error-logfile",
            str(self.log),
            self.app,
        ]
        # cwd is an empty directory so that no gunicorn.conf.py is picked up; own session, to stop it whole.
        self.proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited at start:\n{self.tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.1)
        raise BenchError(f"gunicorn ({self.name}) did not listen on port {self.port} within 30 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


FLUSH_HINT = (
    "\nThe beat tick primed at start has vanished: something flushed that Redis database (a test suite run with "
    "the same REDIS_URL does, before and after every test). Pick a free one with --redis-url."
)


def hint(body: str) -> str:
    return FLUSH_HINT if "no tick yet" in body else ""


def probe(server: Server, target: Target, body: str | None = None) -> None:
    """One request, redirects not followed: the status must be the expected one before anything is measured."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = dict([FORWARDED_PROTO])
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(target.method, target.path, body=body, headers=headers)
        response = conn.getresponse()
        body = response.read(600).decode(errors="replace")
    finally:
        conn.close()
    if response.status != target.expected_status:
        location = response.getheader("Location")
        raise BenchError(
            f"{target.label} answered {response.status}, expected {target.expected_status}"
            + (f" (Location: {location})" if location else "")
            + "; a benchmark of that is meaningless (leave the URL out with --urls, or say PATH@STATUS)."
            + f"\nBody: {body[:400]}{hint(body)}\nServer log:\n{server.tail(15)}"
        )


# --- Load -------------------------------------------------------------------------------------


def wrk(port: int, path: str, seconds: int, connections: int, cpu: int, script: Path = WRK_SCRIPT) -> Run:
    cmd = [
        "taskset",
        "-c",
        str(cpu),
        "wrk",
        f"-t{min(WRK_THREADS, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={WRK_TIMEOUT}",
        "-H",
        f"{FORWARDED_PROTO[0]}: {FORWARDED_PROTO[1]}",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{path}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise BenchError(f"wrk failed on {path}:\n{proc.stdout}{proc.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return Run(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses={int(code): n for code, n in data["statuses"].items()},
        socket_errors=sum(n for kind, n in data["errors"].items() if kind != "status"),
    )


def check_run(run: Run, target: Target, server: Server) -> None:
    unexpected = {code: n for code, n in run.statuses.items() if code != target.expected_status}
    if unexpected or not run.statuses:
        try:
            if target.method == "GET":
                probe(server, target)
            now = "one request now answers as expected"
        except BenchError as exc:
            now = f"one request now: {exc}"
        raise BenchError(
            f"{target.path}: expected only {target.expected_status}, wrk saw {run.statuses or 'no response'}; "
            f"the figures would not measure the page.\n{now}"
        )


def measure(args, servers: dict[str, Server], targets: list[Target]) -> tuple[list[Result], list[Run]]:
    hello_target = Target("/")
    results = [Result(t) for t in targets]

    def measure_one(name: str, target: Target, seconds: int) -> Run:
        script = args.post_script if target.method == "POST" else WRK_SCRIPT
        return wrk(servers[name].port, target.path, seconds, args.connections, args.client_cpu, script)

    print(f"warm-up ({WARMUP_SECONDS} s each)", file=sys.stderr)
    check_run(measure_one(HELLO, hello_target, WARMUP_SECONDS), hello_target, servers[HELLO])
    for target in targets:
        check_run(measure_one("django", target, WARMUP_SECONDS), target, servers["django"])

    all_hello = []
    for round_no in range(1, args.repeats + 1):
        for result in results:
            hello = measure_one(HELLO, hello_target, args.duration)
            check_run(hello, hello_target, servers[HELLO])
            run = measure_one("django", result.target, args.duration)
            check_run(run, result.target, servers["django"])
            all_hello.append(hello)
            result.hello_runs.append(hello)
            result.runs.append(run)
            print(
                f"round {round_no}/{args.repeats}  hello {hello.rps:8.0f} req/s p50 {hello.p50_ms:6.2f} ms  |  "
                f"{result.target.label} {run.rps:7.0f} req/s p50 {run.p50_ms:7.2f} ms p99 {run.p99_ms:7.2f} ms",
                file=sys.stderr,
            )
    return results, all_hello


def count_queries(env: dict[str, str], targets: list[Target]) -> dict:
    targets = [t for t in targets if t.method == "GET"]  # the accept's queries are counted by prepare_portal
    cmd = [sys.executable, str(BENCH_DIR / "count_queries.py"), *(t.path for t in targets)]
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise BenchError(f"counting queries failed:\n{proc.stdout}{proc.stderr}")
    counted = json.loads(proc.stdout.strip().splitlines()[-1])
    for target in targets:
        status = counted[target.path]["status"]
        if status != target.expected_status:
            raise BenchError(
                f"test Client: GET {target.path} answered {status}, expected {target.expected_status}; "
                "a benchmark of that is meaningless (leave the URL out with --urls, or say PATH@STATUS).\n"
                f"Body: {counted[target.path]['body'][:400]}{hint(counted[target.path]['body'])}"
            )
    return counted


# --- Report -----------------------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(list(values))


def report(results: list[Result], all_hello: list[Run], args) -> str:
    header = (
        "| URL | status | req/s | req/s ratio to hello | p50 ms | p50 ratio | p99 ms | p99 ratio | SQL queries |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = [header]
    for r in results:
        pairs = list(zip(r.runs, r.hello_runs, strict=True))
        statuses = sorted({code for run in r.runs for code in run.statuses})
        queries = "?" if r.queries is None else str(r.queries)
        if r.first_queries is not None and r.first_queries != r.queries:
            queries += f" (first request: {r.first_queries})"
        rows.append(
            f"| {r.target.label} | {', '.join(map(str, statuses))} "
            f"| {median(run.rps for run in r.runs):.0f} | {median(u.rps / h.rps for u, h in pairs):.3f} "
            f"| {median(run.p50_ms for run in r.runs):.2f} | {median(u.p50_ms / h.p50_ms for u, h in pairs):.1f} "
            f"| {median(run.p99_ms for run in r.runs):.2f} | {median(u.p99_ms / h.p99_ms for u, h in pairs):.1f} "
            f"| {queries} |"
        )
    rows.append(
        f"| hello (bare WSGI) | 200 | {median(h.rps for h in all_hello):.0f} | 1 "
        f"| {median(h.p50_ms for h in all_hello):.2f} | 1 | {median(h.p99_ms for h in all_hello):.2f} | 1 | — |"
    )
    errors = sum(run.socket_errors for r in results for run in r.runs) + sum(h.socket_errors for h in all_hello)
    notes = [
        "",
        f"gunicorn {' '.join(GUNICORN_ARGS)} on CPU {args.server_cpu}; wrk -t{WRK_THREADS} -c{args.connections} "
        f"-d{args.duration}s on CPU {args.client_cpu}; {args.repeats} interleaved rounds; "
        "ratios are medians of per-round ratios (url / hello of the same round).",
    ]
    if errors:
        notes.append(f"WARNING: wrk counted {errors} socket errors (connect/read/write/timeout) over the runs.")
    return "\n".join(rows + notes)


def to_json(results: list[Result], all_hello: list[Run]) -> dict:
    def runs(items):
        return [{"rps": x.rps, "p50_ms": x.p50_ms, "p99_ms": x.p99_ms, "statuses": x.statuses} for x in items]

    return {
        "hello": runs(all_hello),
        "urls": {
            r.target.label: {"runs": runs(r.runs), "hello_runs": runs(r.hello_runs), "queries": r.queries}
            for r in results
        },
    }


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk concurrent connections (default 16)")
    parser.add_argument(
        "--urls", nargs="+", default=DEFAULT_URLS, metavar="PATH[@STATUS]", help="paths; expected status 200 unless @"
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="CPU both gunicorns are pinned to (default 0)")
    parser.add_argument("--client-cpu", type=int, default=1, help="CPU wrk is pinned to (default 1)")
    parser.add_argument(
        "--redis-url", default=REDIS_URL, help=f"cache and broker; no one else's test suite may use it ({REDIS_URL})"
    )
    parser.add_argument("--json", type=Path, help="also write the raw runs to this file")
    parser.add_argument("--database", default=DB_NAME, help=f"the throwaway database's name ({DB_NAME})")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.repeats < 1 or args.connections < 1:
        parser.error("--duration, --repeats and --connections must be positive")
    return args


def main(argv=None) -> int:
    global DB_NAME
    args = parse_args(argv)
    DB_NAME = args.database  # several people benchmarking on one PostgreSQL each use their own
    targets = [Target.parse(spec) for spec in args.urls]
    # Ctrl-C raises KeyboardInterrupt (even when started in the background, where SIGINT is inherited ignored);
    # SIGTERM and SIGHUP become SystemExit: either way the `finally` below stops the servers and drops the database.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))

    estimate = len(targets) * args.repeats * 2 * args.duration + (len(targets) + 1) * WARMUP_SECONDS
    servers: dict[str, Server] = {}
    database_created = False
    tmp = Path(tempfile.mkdtemp(prefix="mds-bench-"))
    try:
        check_prerequisites(args.server_cpu, args.client_cpu)
        env = bench_environment(tmp / "static", tmp / "media", args.redis_url)
        warn_about_dotenv(env)
        print(f"preparing database {DB_NAME} (production settings)", file=sys.stderr)
        database_created = True
        prepare_database(env)
        bodies = tmp / "accept-bodies.txt"
        accept = {}
        step("portal site, terms, blocks and signed arrivals", lambda: accept.update(prepare_portal(env, bodies)))
        args.post_script = post_script(tmp, bodies)
        counted = count_queries(env, targets)
        if any(t.method == "POST" for t in targets):
            for target in targets:
                if target.method == "POST":
                    counted[target.path] = accept
                    if accept["status"] != target.expected_status:
                        raise BenchError(f"test Client: {target.label} answered {accept['status']}")

        workdir = tmp / "gunicorn-cwd"
        workdir.mkdir()
        servers["django"] = Server("django", "mds_connectees.wsgi:application", free_port(), tmp / "django.log")
        servers[HELLO] = Server(HELLO, "hello_wsgi:application", free_port(), tmp / "hello.log")
        for server in servers.values():
            server.start(env, args.server_cpu, workdir)
        probe(servers[HELLO], Target("/"))
        first_body = bodies.read_text().split("\n", 1)[0] if bodies.exists() else None
        for target in targets:
            probe(servers["django"], target, first_body if target.method == "POST" else None)

        print(f"measuring: about {estimate} s of load", file=sys.stderr)
        results, all_hello = measure(args, servers, targets)
        for result in results:
            result.queries = counted[result.target.path]["queries"]
            result.first_queries = counted[result.target.path]["first_queries"]
        print(report(results, all_hello, args))
        if args.json:
            args.json.write_text(json.dumps(to_json(results, all_hello), indent=2))
        return 0
    except BenchError as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers.values():
            server.stop()
        if database_created:
            with contextlib.suppress(psycopg.Error):
                drop_database()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
