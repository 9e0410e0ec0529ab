"""Status board benchmark: the board's page and its 30 s refresh at N access points, measured in one run.

    .venv/bin/python benchmarks/board_bench.py                      # N = 100, 1000, 10000 on 29 sites
    .venv/bin/python benchmarks/board_bench.py --sizes 100 10000 --sites 290 --repeats 5

A throwaway PostgreSQL database (`mds_board_bench`, or --database) is created, migrated and dropped. An ops
agent (every site) requests the board through Django's test Client, middleware and templates included, with
the production settings (DEBUG off). See benchmarks/README.md, "Status board benchmark".
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import admin_sql, bench_env, log  # benchmarks/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Health of the fleet on an ordinary bad morning: 2 % down (each with its open incident), 3 % degraded, 1 % unknown.
SHARES = (("down", 0.02), ("degraded", 0.03), ("unknown", 0.01))


def make_sites(n: int) -> None:
    from sites.models import Mds, Site

    for i in range(n):
        mds = Mds.objects.create(number=900 + i, name=f"MDS Banc {i:03d}", slug=f"mds-banc-{i:03d}", commune="X")
        Site.objects.create(mds=mds, number=1, name=f"Site de l'avenue {i:03d}", slug=f"site-banc-{i:03d}")


def make_fleet(n: int) -> None:
    """Replace the fleet by n APs spread over the sites, with SHARES of them not up."""
    import datetime

    from django.utils import timezone

    from sites.models import Site
    from wifi.models import AccessPoint, Incident, Lifecycle

    Incident.objects.all().delete()
    AccessPoint.objects.all().delete()
    sites = list(Site.objects.order_by("pk"))
    now = timezone.now()
    healths = []
    for health, share in SHARES:
        healths += [health] * round(n * share)
    healths += ["up"] * (n - len(healths))
    healths = healths[::-1]  # the APs not up land on the last sites, as an outage would group them
    aps = AccessPoint.objects.bulk_create(
        AccessPoint(
            site=sites[i % len(sites)], label=f"Borne {i:05d}", serial_number=f"BENCH{i:05d}",
            management_address=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", lifecycle=Lifecycle.IN_SERVICE,
            health=health, health_since=now - datetime.timedelta(minutes=i % 600), last_seen_at=now,
            last_polled_at=now, clients_now=i % 13,
        )
        for i, health in enumerate(healths)
    )  # fmt: skip
    Incident.objects.bulk_create(
        Incident(access_point=ap, started_at=ap.health_since, cause="timeout") for ap in aps if ap.health == "down"
    )


def measure(client, url: str, repeats: int, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # warm-up: templates compiled, caches filled
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "status": response.status_code,
        "bytes": len(response.content),
        "wall": min(walls),
        "wall_median": statistics.median(walls),
        "cpu": min(cpus),
        "queries": len(queries),
        "etag": response.get("ETag"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--sites", type=int, default=29, help="sites the APs are spread over (29: one département)")
    parser.add_argument("--repeats", type=int, default=7, help="requests per measure after a warm-up (best kept)")
    parser.add_argument("--database", default="mds_board_bench")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    env = bench_env(pg_host=args.pg_host, database=args.database, redis_url=args.redis_url, ALLOWED_HOSTS="testserver")
    os.environ.update(env)
    log(f"==> database {args.database}")
    admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")
    admin_sql(args.pg_host, f"CREATE DATABASE {args.database}")
    rows = []
    try:
        for command in (["migrate", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from django.test import Client
        from django.urls import reverse

        from sites.roles import Role
        from tests.conftest import sign_in
        from tests.factories import agent_with_role

        make_sites(args.sites)
        client = sign_in(Client(), agent_with_role(Role.OPS))
        board, fragment = reverse("wifi:board"), reverse("wifi:board_fragment")
        for n in args.sizes:
            log(f"==> {n} access points")
            make_fleet(n)
            page = measure(client, board, args.repeats)
            frag = measure(client, fragment, args.repeats)
            unchanged = measure(client, fragment, args.repeats, if_none_match=frag["etag"])
            for name, m, status in (("page", page, 200), ("fragment", frag, 200), ("304", unchanged, 304)):
                if m["status"] != status:
                    log(f"    N={n}: the {name} answered {m['status']}, expected {status}")
                    return 1
            rows.append((n, page, frag, unchanged))
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")

    base = rows[0][1]
    print(
        f"\n{args.sites} sites, {', '.join(f'{s:.0%} {h}' for h, s in SHARES)}; best of {args.repeats} requests "
        "after a warm-up (test Client: middleware, views and templates; PostgreSQL's time in wall only).\n"
    )
    print(
        "| N | page KB | page wall ms | page CPU ms | wall / first N | CPU / first N | queries "
        "| refresh KB | refresh ms | unchanged refresh (304) bytes | 304 ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, page, frag, unchanged in rows:
        print(
            f"| {n} | {page['bytes'] / 1024:.1f} | {page['wall'] * 1000:.1f} | {page['cpu'] * 1000:.1f} "
            f"| {page['wall'] / base['wall']:.2f} | {page['cpu'] / base['cpu']:.2f} | {page['queries']} "
            f"| {frag['bytes'] / 1024:.1f} | {frag['wall'] * 1000:.1f} | {unchanged['bytes']} "
            f"| {unchanged['wall'] * 1000:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
