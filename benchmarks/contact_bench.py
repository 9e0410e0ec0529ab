"""Contact-form benchmark: valid submissions from concurrent clients through gunicorn, a real Celery worker
sending the acknowledgements, as ratios to the bare hello-world of the HTTP benchmark's harness.

    .venv/bin/python benchmarks/contact_bench.py [--submissions 2000] [--clients 50] [--json out.json]

Prepares a throwaway database under the production settings (http_bench.py's environment and steps), gives each
MDS a reception mailbox, counts the SQL queries of one submission with Django's test Client, then starts the
same two gunicorns as http_bench.py (mds_connectees.wsgi and hello_wsgi.py, one sync worker each, pinned to one
CPU) and one Celery worker (pinned to the other CPU, with the clients). Each client thread GETs the form once,
waits out the minimum fill time, then all post `--submissions` distinct valid submissions. hello is loaded by
wrk before and after, and by the same Python client. After the load it waits for the outbox to drain and
counts, from the database, requests, acknowledgements and duplicates. Exit status 1 when the counts disagree,
any answer is not the success redirect, or a server error occurred. Everything it starts is stopped, and the
database dropped, on exit. See benchmarks/README.md.
"""

import argparse
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

# benchmarks/http_bench.py, beside this script: its environment, database, servers and wrk harness.
from http_bench import (
    FORWARDED_PROTO,
    HELLO,
    PROJECT_DIR,
    VENV_BIN,
    BenchError,
    Server,
    Target,
    bench_environment,
    check_prerequisites,
    drop_database,
    free_port,
    manage,
    prepare_database,
    probe,
    step,
    warn_about_dotenv,
    wrk,
)

DB_NAME = "mds_contact_bench"
REDIS_URL = "redis://127.0.0.1:6379/6"
MARK = "contact_bench"  # every load submission's message starts with it: the counts select them by it
SUCCESS = 302  # the view answers a stored request with a redirect to its "sent" page; 200 is the form shown again
HELLO_WRK_SECONDS = 5
HTTP_TIMEOUT = 120.0  # 50 clients queue for one sync worker: a request may wait seconds
STARTED = re.compile(r'name="started" value="([^"]+)"')

# The platform's side, run by `manage.py shell -c` with the benchmark's environment. Each prints one JSON line.

# Every MDS gets its reception's shared mailbox, so that the alert of each request is sent (the load data has none:
# without an address, agents or managers, the alert is "not sent" and costs the worker nothing). Then one
# submission's SQL queries, with the test Client: the first after start, and the second (the steady state).
PREPARE = """
import json, time
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accueil.forms import started_token
from accueil.models import RequestKind, Topic
from sites.models import Mds

mdses = list(Mds.objects.order_by("pk"))
for mds in mdses:
    mds.email = f"accueil-{mds.slug}@example.org"
Mds.objects.bulk_update(mdses, ["email"])
mds, client = mdses[0], Client()
headers = {"host": "127.0.0.1", "x-forwarded-proto": "https"}
page = client.get(f"/contact/{mds.slug}/?lang=fr", secure=True, headers=headers)
counts, statuses = [], []
for n in (1, 2):
    body = {"lang": "fr", "mds": mds.pk, "kind": "question", "topic": "rights", "last_name": "Compte",
            "email": f"compte-{n}@example.org", "callback_channels": "email", "message": f"query count {n}",
            "notice": "on", "website": "", "started": started_token(time.time() - 60)}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/contact/{mds.slug}/", body, secure=True,
                               headers={**headers, "x-forwarded-for": f"192.0.2.{n}"})
    counts.append(len(ctx.captured_queries))
    statuses.append(response.status_code)
print(json.dumps({"mds": [[m.slug, m.pk] for m in mdses], "kinds": list(RequestKind.values),
                  "topics": list(Topic.values), "page_status": page.status_code, "statuses": statuses,
                  "first_queries": counts[0], "queries": counts[1], "min_seconds": settings.ACCUEIL_FORM_MIN_SECONDS,
                  "sql": [q["sql"][:100] for q in ctx.captured_queries]}))
"""

# What the database holds after the load: the load's requests (by their mark), their notifications, the message
# log, and every way a submission or a message could have been stored or sent twice.
COUNT = """
import json, os
from datetime import datetime
from django.db.models import Count
from accueil.models import ContactRequest, Notification
from core.models import SentMessage

mark, since = os.environ["BENCH_MARK"], datetime.fromisoformat(os.environ["BENCH_SINCE"])
P, S = Notification.Purpose, Notification.Status
requests = ContactRequest.objects.filter(message__startswith=mark)
notes = Notification.objects.filter(request__in=requests)
acks, alerts = notes.filter(purpose=P.ACKNOWLEDGEMENT), notes.filter(purpose=P.AGENT_ALERT)
acks_sent = acks.filter(status=S.SENT)

def statuses(qs):
    return dict(qs.values_list("status").annotate(n=Count("pk")).order_by())

def over_one(qs, column):
    return qs.values(column).annotate(n=Count("pk")).filter(n__gt=1).count()

print(json.dumps({
    "rows": requests.count(),
    "acks": statuses(acks),
    "acks_by_channel": dict(acks_sent.values_list("channel").annotate(n=Count("pk")).order_by()),
    "alerts": statuses(alerts),
    "acks_logged": SentMessage.objects.filter(pk__in=acks_sent.values("sent_message"), result="sent").count(),
    "ack_log_rows_since_start": SentMessage.objects.filter(
        template="accueil/messages/acknowledgement", created_at__gte=since).count(),
    "requests_with_several_acks": over_one(acks, "request"),
    "duplicate_references": over_one(ContactRequest.objects.all(), "reference"),
    "duplicate_submissions": over_one(requests, "message"),
    "pending_anywhere": Notification.objects.filter(status=S.PENDING).count(),
}))
"""


@dataclass
class Load:
    """One client-side run: every response's status and latency."""

    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, status: int, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies_ms.append(elapsed_ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


# --- The load ---------------------------------------------------------------------------------


def submission(n: int, mds_pk: int, started: str, kinds: list[str], topics: list[str]) -> dict[str, str]:
    """The n-th person's form: their own email (even n, acknowledged by email) or mobile number (odd n, by SMS),
    so that no per-contact limit refuses them and each request gets exactly one acknowledgement."""
    body = {
        "lang": "fr", "mds": str(mds_pk), "kind": kinds[n % len(kinds)], "topic": topics[n % len(topics)],
        "first_name": f"Personne{n}", "last_name": "Mesure", "commune": "", "website": "", "notice": "on",
        "started": started, "message": f"{MARK} {n}: je voudrais un rendez-vous pour un dossier de la CAF.",
    }  # fmt: skip
    if n % 2:
        body.update(phone=f"0610{n:06d}", callback_channels="sms")
    else:
        body.update(email=f"personne.{n}@example.org", callback_channels="email")
    return body


def client_address(n: int) -> str:
    """Each person's own address, as the TLS proxy (PROXY_COUNT=1) appends it to X-Forwarded-For."""
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def run_clients(clients: int, work, prepare=None, settle: float = 0.0) -> float:
    """`clients` threads: each runs `prepare(http)` (not timed), all wait `settle` seconds, then each runs
    `work(http)` until it returns; the wall time of that timed part is returned."""
    ready, go = threading.Barrier(clients + 1), threading.Event()
    failures: list[BaseException] = []

    def client() -> None:
        headers = dict([FORWARDED_PROTO])
        with httpx.Client(timeout=HTTP_TIMEOUT, headers=headers, follow_redirects=False) as http:
            try:
                state = prepare(http) if prepare else None
            except BaseException as exc:
                failures.append(exc)
                state = None
            ready.wait()
            go.wait()
            if state is not None or prepare is None:
                try:
                    work(http, state)
                except BaseException as exc:
                    failures.append(exc)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    if failures:
        go.set()
        raise BenchError(f"a client failed before the load: {failures[0]!r}")
    time.sleep(settle)
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise BenchError(f"a client failed during the load: {failures[0]!r}")
    return seconds


def contact_load(port: int, args, prepared: dict) -> Load:
    """`--submissions` POSTs from `--clients` clients, each on the form it fetched (one GET per client)."""
    base, mdses, load = f"http://127.0.0.1:{port}", prepared["mds"], Load()
    numbers, lock, client_no = itertools.count(), threading.Lock(), itertools.count()

    def prepare(http: httpx.Client) -> tuple[str, int, str]:
        slug, mds_pk = mdses[next(client_no) % len(mdses)]  # the clients spread over the MDS
        page = http.get(f"{base}/contact/{slug}/?lang=fr")
        found = STARTED.search(page.text)
        if page.status_code != 200 or not found:
            raise BenchError(f"GET /contact/{slug}/ answered {page.status_code} without a form")
        return slug, mds_pk, found.group(1)

    def work(http: httpx.Client, state: tuple[str, int, str]) -> None:
        slug, mds_pk, started = state
        while True:
            with lock:
                n = next(numbers)
            if n >= args.submissions:
                return
            body = submission(n, mds_pk, started, prepared["kinds"], prepared["topics"])
            headers = {"X-Forwarded-For": client_address(n)}
            began = time.perf_counter()
            try:
                response = http.post(f"{base}/contact/{slug}/", data=body, headers=headers)
            except httpx.HTTPError as exc:
                load.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            load.record(response.status_code, began)
            if response.status_code != SUCCESS and len(load.errors) < 5:
                load.errors.append(f"{response.status_code}: {response.text[:300]!r}")

    # The signed start time must be older than the minimum fill time: wait it out once, before the clock starts.
    settle = prepared["min_seconds"] + 1
    load.seconds = run_clients(args.clients, work, prepare, settle=settle)
    return load


def hello_load(port: int, args) -> Load:
    """The same Python clients, as many GETs of the bare WSGI app as there are submissions."""
    url, load, lock, numbers = f"http://127.0.0.1:{port}/", Load(), threading.Lock(), itertools.count()

    def work(http: httpx.Client, _state) -> None:
        while True:
            with lock:
                if next(numbers) >= args.submissions:
                    return
            began = time.perf_counter()
            load.record(http.get(url).status_code, began)

    load.seconds = run_clients(args.clients, work)
    return load


# --- The worker and the outbox ----------------------------------------------------------------


@dataclass
class Celery(Server):
    """A Celery process (`arguments` after `celery -A mds_connectees`), stopped (its process group) and its log read
    as the servers'."""

    def arguments(self, workdir: Path) -> list[str]:
        raise NotImplementedError

    def start(self, env: dict[str, str], cpu: int, workdir: Path) -> None:
        cmd = ["taskset", "-c", str(cpu), str(VENV_BIN / "celery"), "-A", "mds_connectees", *self.arguments(workdir)]
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        time.sleep(1)
        if self.proc.poll() is not None:
            raise BenchError(f"celery {self.name} exited at start:\n{self.tail()}")


@dataclass
class Worker(Celery):
    """A Celery worker on the default queue."""

    concurrency: int = 1

    def arguments(self, workdir: Path) -> list[str]:
        return [
            "worker", "-Q", "default", "-n", f"contact-bench-{os.getpid()}@%h", "--concurrency",
            str(self.concurrency), "--loglevel", "warning", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]  # fmt: skip


@dataclass
class Beat(Celery):
    """Celery beat (the outbox sweep every minute), its schedule file in the benchmark's temporary folder."""

    def arguments(self, workdir: Path) -> list[str]:
        return ["beat", "--loglevel", "warning", "--schedule", str(workdir / "beat-schedule")]


def pending(database: str) -> int:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM accueil_notification WHERE status = 'pending'").fetchone()[0]


def database_now(database: str) -> str:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
        return conn.execute("SELECT now()").fetchone()[0].isoformat()


def drain(database: str, worker: Worker, timeout: float) -> tuple[float, int]:
    """Wait until no notification is pending (the worker sent them all); (seconds waited, still pending)."""
    started, left = time.monotonic(), pending(database)
    while left and time.monotonic() - started < timeout:
        if worker.proc is not None and worker.proc.poll() is not None:
            raise BenchError(f"the Celery worker died:\n{worker.tail()}")
        time.sleep(1)
        left = pending(database)
    return time.monotonic() - started, left


def messages_written(worker_log: Path, sms_dir: Path) -> dict[str, int]:
    """What the backends really wrote: emails on the worker's output (console backend), texts in files."""
    separator = "-" * 79
    emails = sum(1 for line in worker_log.read_text(errors="replace").splitlines() if line.endswith(separator))
    texts = sum(
        1 for path in sms_dir.glob("*.log") for line in path.read_text(errors="replace").splitlines()
        if line == separator
    )  # fmt: skip
    return {"emails": emails, "sms": texts}


# --- Report -----------------------------------------------------------------------------------


def duplicates(counts: dict) -> int:
    """A request acknowledged twice, a reference or a submission stored twice, an acknowledgement logged as sent
    more often than the outbox sent acknowledgements (a row sent twice leaves two log rows)."""
    extra_log_rows = max(0, counts["ack_log_rows_since_start"] - counts["acks"].get("sent", 0))
    return (
        counts["requests_with_several_acks"]
        + counts["duplicate_references"]
        + counts["duplicate_submissions"]
        + extra_log_rows
    )


def verdict(load: Load, counts: dict, args) -> list[str]:
    """Every reason the run is not what it claims; empty when rows = accepted, acks = rows, no duplicate."""
    accepted = load.statuses.get(SUCCESS, 0)
    acks_sent = counts["acks"].get("sent", 0)
    problems = []
    if server_errors := sum(n for code, n in load.statuses.items() if code >= 500):
        problems.append(f"{server_errors} server errors (5xx)")
    if accepted != args.submissions:
        problems.append(f"{accepted} of {args.submissions} submissions accepted ({load.statuses})")
    if load.errors and accepted != args.submissions:
        problems.append("first errors: " + " | ".join(load.errors[:3]))
    if counts["rows"] != accepted:
        problems.append(f"{counts['rows']} requests stored for {accepted} accepted")
    if acks_sent != counts["rows"] or counts["acks_logged"] != acks_sent:
        problems.append(f"{acks_sent} acknowledgements sent ({counts['acks_logged']} logged) for {counts['rows']}")
    if found := duplicates(counts):
        problems.append(f"{found} duplicates")
    return problems


def report(contact: Load, hello_wrk: list, hello_py: Load, prepared: dict, counts: dict, extra: dict, args) -> str:
    wrk_rps = statistics.mean(run.rps for run in hello_wrk)
    wrk_p50 = statistics.mean(run.p50_ms for run in hello_wrk)
    wrk_p99 = statistics.mean(run.p99_ms for run in hello_wrk)

    def row(label: str, requests: str, rps: float, p50: float, p99: float) -> str:
        return (
            f"| {label} | {requests} | {rps:.1f} | {rps / wrk_rps:.4f} | {p50:.1f} | {p50 / wrk_p50:.1f} "
            f"| {p99:.1f} | {p99 / wrk_p99:.1f} |"
        )

    statuses = ", ".join(f"{n} × {code}" for code, n in sorted(contact.statuses.items()))
    wrk_runs = " / ".join(f"{run.rps:.0f}" for run in hello_wrk)
    lines = [
        "| load | requests | req/s | req/s ratio to hello (wrk) | p50 ms | p50 ratio | p99 ms | p99 ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        row(f"POST /contact/<mds>/, {args.clients} clients", statuses, contact.rps, contact.percentile(50),
            contact.percentile(99)),
        row(f"hello, wrk -c{args.clients} (before / after: {wrk_runs} req/s)", "200", wrk_rps, wrk_p50, wrk_p99),
        row(f"hello, the same Python clients ({args.clients})", f"{len(hello_py.latencies_ms)} × 200",
            hello_py.rps, hello_py.percentile(50), hello_py.percentile(99)),
        "",
        "| count | value |",
        "|---|---:|",
        f"| submissions accepted (302) | {contact.statuses.get(SUCCESS, 0)} |",
        f"| contact requests stored | {counts['rows']} |",
        f"| acknowledgements sent (outbox) | {counts['acks'].get('sent', 0)} "
        f"({', '.join(f'{n} {ch}' for ch, n in sorted(counts['acks_by_channel'].items()))}) |",
        f"| acknowledgements logged (core.SentMessage) | {counts['acks_logged']} |",
        f"| MDS alerts sent | {counts['alerts'].get('sent', 0)} |",
        f"| written by the backends (emails / SMS) | {extra['written']['emails']} / {extra['written']['sms']} |",
        f"| duplicates (acks per request > 1, references, submissions, log rows) | {extra['duplicates']} |",
        f"| outbox drained after the load{' (by beat’s sweep: the web’s broker was down)' if args.broker_down else ''}"
        f" | {extra['drain_seconds']:.1f} s (pending left: {extra['pending']}) |",
        f"| SQL queries per submission (test Client) | {prepared['queries']} "
        f"(first after start: {prepared['first_queries']}) |",
        "",
        f"{args.submissions} submissions in {contact.seconds:.1f} s; gunicorn (one sync worker) on CPU "
        f"{args.server_cpu}; clients, wrk and the Celery worker (concurrency {args.worker_concurrency}) on CPU "
        f"{args.client_cpu}. Ratios: to the mean of the two wrk hello runs.",
    ]  # fmt: skip
    return "\n".join(lines)


def load_json(load: Load) -> dict:
    return {
        "requests": len(load.latencies_ms), "seconds": load.seconds, "rps": load.rps, "statuses": load.statuses,
        "p50_ms": load.percentile(50), "p99_ms": load.percentile(99), "errors": load.errors[:20],
    }  # fmt: skip


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=2000, help="valid submissions posted (default 2000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--worker-concurrency", type=int, default=1, help="Celery worker processes (default 1)")
    parser.add_argument("--drain-timeout", type=float, default=600, help="seconds to wait for the outbox (600)")
    parser.add_argument(
        "--broker-down", action="store_true",
        help="the web servers' broker is a closed port during the load: every submission must still be taken, and "
             "beat's sweep (running with the real broker) must send each acknowledgement once afterwards",
    )  # fmt: skip
    parser.add_argument("--server-cpu", type=int, default=0, help="CPU both gunicorns are pinned to (default 0)")
    parser.add_argument("--client-cpu", type=int, default=1, help="CPU of the clients, wrk and the worker (1)")
    parser.add_argument(
        "--redis-url", default=REDIS_URL, help=f"cache and broker; no one else's test suite may use it ({REDIS_URL})"
    )
    parser.add_argument("--database", default=DB_NAME, help=f"the throwaway database's name ({DB_NAME})")
    parser.add_argument("--json", type=Path, help="also write the figures and counts to this file")
    args = parser.parse_args(argv)
    if args.submissions < 1 or args.clients < 1 or args.worker_concurrency < 1:
        parser.error("--submissions, --clients and --worker-concurrency must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # As http_bench.py: Ctrl-C, SIGTERM and SIGHUP all reach the `finally` that stops everything.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))

    processes: list[Server] = []
    database_created = False
    tmp = Path(tempfile.mkdtemp(prefix="mds-contact-bench-"))
    try:
        check_prerequisites(args.server_cpu, args.client_cpu)
        env = bench_environment(tmp / "static", tmp / "media", args.redis_url, args.database)
        env.update(
            {
                # One TLS proxy in front, as in production (README, Configuration): the rate limit per client
                # address then counts each person's own address, which the clients send in X-Forwarded-For.
                "PROXY_COUNT": "1",
                "EMAIL_URL": "consolemail://",  # the worker's output, counted by messages_written()
                "SMS_BACKEND": "filebased",
                "SMS_FILE_PATH": str(tmp / "sms"),
            }
        )
        warn_about_dotenv(env)
        print(f"preparing database {args.database} (production settings)", file=sys.stderr)
        database_created = True
        prepare_database(env, args.database)
        prepared: dict = {}
        step("MDS mailboxes, one submission's SQL queries", lambda: prepared.update(json.loads(
            manage(env, "shell", "-c", PREPARE).strip().splitlines()[-1])))  # fmt: skip
        if prepared["page_status"] != 200 or prepared["statuses"] != [SUCCESS, SUCCESS]:
            raise BenchError(f"test Client: the form answered {prepared['page_status']}, then {prepared['statuses']}")

        workdir = tmp / "gunicorn-cwd"
        workdir.mkdir()
        django = Server("django", "mds_connectees.wsgi:application", free_port(), tmp / "django.log")
        hello = Server(HELLO, "hello_wsgi:application", free_port(), tmp / "hello.log")
        worker = Worker("worker", "mds_connectees", 0, tmp / "worker.log", concurrency=args.worker_concurrency)
        started = [(django, args.server_cpu), (hello, args.server_cpu), (worker, args.client_cpu)]
        web_env = env
        if args.broker_down:
            # Nothing listens there: each hand-over to Celery fails at once and the rows wait for the sweep.
            web_env = {**env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
            started.append((Beat("beat", "mds_connectees", 0, tmp / "beat.log"), args.client_cpu))
        for process, cpu in started:
            processes.append(process)
            process.start(web_env if process is django else env, cpu, workdir)
        probe(hello, Target("/"))
        probe(django, Target(f"/contact/{prepared['mds'][0][0]}/"))

        # The test Client's two submissions are the worker's first tasks: sent before the clock starts.
        waited, left = drain(args.database, worker, args.drain_timeout)
        if left:
            raise BenchError(f"{left} notifications still pending {waited:.0f} s after the worker started")
        since = database_now(args.database)
        written_before = messages_written(worker.log, tmp / "sms")

        os.sched_setaffinity(0, {args.client_cpu})  # the clients (this process's threads) beside wrk
        print(f"hello, wrk -c{args.clients} {HELLO_WRK_SECONDS} s", file=sys.stderr)
        hello_wrk = [wrk(hello.port, "/", HELLO_WRK_SECONDS, args.clients, args.client_cpu)]
        print(f"contact: {args.submissions} submissions from {args.clients} clients", file=sys.stderr)
        contact = contact_load(django.port, args, prepared)
        print(f"  {contact.rps:.1f} submissions/s, statuses {contact.statuses}", file=sys.stderr)
        drain_seconds, left = drain(args.database, worker, args.drain_timeout)
        print(f"  outbox drained in {drain_seconds:.1f} s (pending: {left})", file=sys.stderr)
        print("hello, the same Python clients; wrk again", file=sys.stderr)
        hello_py = hello_load(hello.port, args)
        hello_wrk.append(wrk(hello.port, "/", HELLO_WRK_SECONDS, args.clients, args.client_cpu))
        if any(set(run.statuses) != {200} for run in hello_wrk) or set(hello_py.statuses) != {200}:
            raise BenchError(f"hello answered {[run.statuses for run in hello_wrk]} / {hello_py.statuses}")

        counts = json.loads(
            manage({**env, "BENCH_MARK": MARK, "BENCH_SINCE": since}, "shell", "-c", COUNT).strip().splitlines()[-1]
        )
        extra = {
            "drain_seconds": drain_seconds,
            "pending": left,
            "written": {
                kind: n - written_before[kind] for kind, n in messages_written(worker.log, tmp / "sms").items()
            },
        }
        problems = verdict(contact, counts, args)
        extra["duplicates"] = duplicates(counts)
        print(report(contact, hello_wrk, hello_py, prepared, counts, extra, args))
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "contact": load_json(contact),
                        "hello_wrk": [run.__dict__ for run in hello_wrk],
                        "hello_python": load_json(hello_py),
                        "counts": counts,
                        "queries": {k: prepared[k] for k in ("queries", "first_queries", "sql")},
                        **extra,
                    },
                    indent=2,
                )
            )
        if problems:
            raise BenchError("; ".join(problems))
        return 0
    except BenchError as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        for process in processes:
            if process.proc is not None and process.proc.poll() is not None:
                print(f"{process.name} had exited:\n{process.tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        for process in processes:
            process.stop()
        if database_created:
            with contextlib.suppress(psycopg.Error):
                drop_database(args.database)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
