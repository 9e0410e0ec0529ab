"""Polling benchmark: one full round (probe + record) over N simulated SNMP access points on loopback.

    .venv/bin/python benchmarks/polling_bench.py                      # N = 10, 100, 1000
    .venv/bin/python benchmarks/polling_bench.py --sizes 10 100 --repeats 1

One snmpsim process serves one agent per AP (one .snmprec file each, selected by community); 10 % of the APs
point at a UDP port that swallows requests (a hung AP). Rounds are recorded into a throwaway PostgreSQL database,
`mds_polling_bench`, created, migrated (manage.py migrate, project settings) and dropped by the script.
See benchmarks/README.md, "Polling benchmark".
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch import admin_sql, bench_env, log  # benchmarks/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "mds_polling_bench"  # --database gives another name (two benchmarks at once)
UNIFI = {"if_indexes": [1, 2], "clients_oid": "1.3.6.1.4.1.41112.1.6.1.2.1.8", "clients_oid_walk": True}


def polling_env(args) -> dict[str, str]:
    concurrency = {"WIFI_CONCURRENCY": str(args.concurrency)} if args.concurrency else {}
    return bench_env(
        pg_host=args.pg_host, database=args.database, redis_url=args.redis_url,
        WIFI_PROBE_TIMEOUT=str(args.timeout), WIFI_PROBE_RETRIES=str(args.retries), **concurrency,
    )  # fmt: skip


def write_agents(folder: Path, n: int) -> list[str]:
    """One UniFi-like agent per AP: uptime, two radios, three VAPs whose client counts sum to the AP's."""
    names = []
    for i in range(n):
        name = f"ap{i:05d}"
        clients = [i % 7, i % 5, 0]
        (folder / f"{name}.snmprec").write_text(
            "\n".join(
                [
                    "1.3.6.1.2.1.1.1.0|4|UniFi U6-Lite (benchmark)",
                    f"1.3.6.1.2.1.1.3.0|67|{100000 + i * 100}",
                    f"1.3.6.1.2.1.1.5.0|4|{name}",
                    "1.3.6.1.2.1.2.2.1.8.1|2|1",
                    "1.3.6.1.2.1.2.2.1.8.2|2|1",
                    *(f"1.3.6.1.4.1.41112.1.6.1.2.1.8.{v + 1}|66|{c}" for v, c in enumerate(clients)),
                ]
            )
            + "\n"
        )
        names.append(name)
    return names


def make_fleet(n: int, *, agent_port: int, dead_port: int, dead_share: float, agents: int):
    """Replace the fleet by n APs; every 1/dead_share-th AP points at the black hole; AP i asks agent i % agents."""
    from django.db import connection

    from sites.models import Mds, Site
    from wifi.models import AccessPoint, Lifecycle

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE wifi_healthsample, wifi_incidentnotification, wifi_incident CASCADE")
    AccessPoint.objects.all().delete()
    mds, _ = Mds.objects.get_or_create(number=999, defaults={"name": "MDS Bench", "slug": "mds-bench", "commune": "X"})
    site, _ = Site.objects.get_or_create(mds=mds, number=1, defaults={"name": "Site bench", "slug": "site-bench"})
    every = round(1 / dead_share) if dead_share else 0
    aps = []
    for i in range(n):
        dead = bool(every) and i % every == every - 1
        aps.append(
            AccessPoint(
                site=site, label=f"Borne {i:05d}", serial_number=f"BENCH{i:05d}", management_address="127.0.0.1",
                probe_kind="snmp_v2c", probe_port=dead_port if dead else agent_port, probe_settings=UNIFI,
                credential_name=f"ap{i % agents:05d}", lifecycle=Lifecycle.IN_SERVICE,
            )
        )  # fmt: skip
    AccessPoint.objects.bulk_create(aps)
    return sum(1 for i in range(n) if every and i % every == every - 1)


def one_round() -> dict:
    """The steps of wifi.polling.round_run, timed apart, with the recording's queries counted."""
    import asyncio

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wifi.models import AccessPoint
    from wifi.polling import probe_all, targets_for
    from wifi.services import round_record

    wall, cpu = time.perf_counter(), time.process_time()
    aps = list(AccessPoint.objects.polled())
    results = asyncio.run(
        probe_all(
            targets_for(aps),
            timeout=settings.WIFI_PROBE_TIMEOUT,
            retries=settings.WIFI_PROBE_RETRIES,
            concurrency=settings.WIFI_CONCURRENCY,
        )
    )
    probed = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        summary = round_record(results=results)
    end = time.perf_counter()
    return {
        "wall": end - wall,
        "probe": probed - wall,
        "record": end - probed,
        "cpu": time.process_time() - cpu,
        "queries": len(queries),
        "polled": summary.polled,
        "reachable": summary.reachable,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=3, help="rounds per size after one warm-up round (median)")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds per attempt")
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=None, help="default: settings.WIFI_CONCURRENCY")
    parser.add_argument("--dead-share", type=float, default=0.1)
    parser.add_argument(
        "--agents", type=int, default=None,
        help="distinct simulated agents (default: one per AP); snmpsim answers slower the more files it serves",
    )  # fmt: skip
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--database", default=DB_NAME, help="the throwaway database (dropped at the end)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    from tests.wifi.snmp_agent import SnmpSimulator

    env = polling_env(args)
    os.environ.update(env)

    log(f"==> database {args.database}")
    admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")
    admin_sql(args.pg_host, f"CREATE DATABASE {args.database}")
    simulator = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        import django

        django.setup()
        from django.conf import settings

        with tempfile.TemporaryDirectory() as tmp:
            agents = args.agents or max(args.sizes)
            log(f"==> {agents} simulated agents")
            names = write_agents(Path(tmp), agents)
            simulator = SnmpSimulator(Path(tmp), v3_user=None).start(ready_within=300)
        settings.WIFI_CREDENTIALS = {name: {"community": name} for name in names}
        black_hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        black_hole.bind(("127.0.0.1", 0))

        rows = []
        for n in args.sizes:
            dead = make_fleet(
                n, agent_port=simulator.port, dead_port=black_hole.getsockname()[1], dead_share=args.dead_share,
                agents=agents,
            )  # fmt: skip
            warm = one_round()
            runs = [one_round() for _ in range(args.repeats)]
            for r in [warm, *runs]:
                if r["polled"] != n or r["reachable"] != n - dead:
                    log(f"    N={n}: {r['reachable']}/{r['polled']} reachable, expected {n - dead}/{n}")
            best = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
            log(
                f"    N={n}: warm-up {warm['wall']:.2f} s, rounds "
                + ", ".join(f"{r['wall']:.2f}" for r in runs)
                + f" s; {best['reachable']}/{n} reachable"
            )
            rows.append((n, dead, best, statistics.median(r["cpu"] for r in runs), warm["queries"]))
        black_hole.close()
    finally:
        if simulator is not None:
            simulator.stop()
        from django.db import connections

        connections.close_all()
        admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")

    t10 = rows[0][2]["wall"]
    deadline = args.timeout * (args.retries + 1)
    print(
        f"\nTimeout {args.timeout:g} s × {args.retries + 1} attempts (probe deadline {deadline:g} s), "
        f"concurrency {settings.WIFI_CONCURRENCY}, {args.dead_share:.0%} of the APs hung, {agents} agents, "
        f"median of {args.repeats} rounds after a warm-up.\n"
    )
    print("| N | hung | wall s | probe s | record s | CPU ms/AP | queries/round | queries/AP | t(N)/t(first) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, dead, r, cpu, warm_queries in rows:
        queries = f"{r['queries']}" + (f" ({warm_queries} first)" if warm_queries != r["queries"] else "")
        print(
            f"| {n} | {dead} | {r['wall']:.2f} | {r['probe']:.2f} | {r['record']:.3f} | {cpu / n * 1000:.2f} "
            f"| {queries} | {r['queries'] / n:.3f} | {r['wall'] / t10:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
