"""Inventory import benchmark: CPU per row of `wifi.inventory_import.aps_import` on a generated CSV.

    .venv/bin/python benchmarks/import_bench.py                 # 10,000 rows
    .venv/bin/python benchmarks/import_bench.py --rows 1000

Writes a French-Excel-like file (Windows-1252, `;`, DD/MM/YYYY dates, 90 % of the lines naming a credential set
that is not configured) over the 29 sites of `load_mds`, then imports it three times into a throwaway
PostgreSQL database, `mds_import_bench` (created, migrated and dropped by the script): every line created,
the same file again (every line unchanged), and a file where every line changes (updated). For each run:
this process's CPU (time.process_time: reading, checking, building the queries), the PostgreSQL backend's CPU
(read from /proc when the server runs on this machine), the wall time and the number of queries.
See benchmarks/README.md, "Inventory import benchmark".
"""

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

from scratch import admin_sql, bench_env, log  # benchmarks/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = (
    "site;zone;label;vendor;model;serial_number;mac_address;management_address;probe_kind;probe_port;"
    "credential_name;interfaces;clients_oid;clients_oid_walk;lifecycle;installed_on;in_service_on;notes"
)
UNIFI_CLIENTS = "1.3.6.1.4.1.41112.1.6.1.2.1.8"


def make_csv(slugs: list[str], rows: int, *, note: str) -> bytes:
    """`rows` lines spread over the sites; the note makes every line differ from the previous import's."""
    lines = [HEADER]
    for i in range(rows):
        credential = "x" if i % 10 else "bureau"  # 9 lines in 10 name a set WIFI_CREDENTIALS does not have
        lines.append(
            f"{slugs[i % len(slugs)]};;Borne {i:05d} – salle d’attente;Ubiquiti;U6-Lite;SN{i:07d};"
            f"f0-9f-c2-{i >> 16 & 255:02x}-{i >> 8 & 255:02x}-{i & 255:02x};"
            f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255};"
            f"snmp_v2c;161;{credential};1 2;{UNIFI_CLIENTS};oui;in_service;03/02/2025;15/02/2025;{note} n°{i}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def backend_cpu_seconds() -> float | None:
    """The CPU the PostgreSQL backend serving this connection has used, when its /proc entry is readable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def one_import(data: bytes, rows: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wifi.inventory_import import aps_import

    backend = backend_cpu_seconds()
    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        report = aps_import(file=io.BytesIO(data), actor=None)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backend_after = backend_cpu_seconds()
    if report.refused or report.errors:
        raise SystemExit(f"the import was refused: {report.file_errors or report.lines[:3]}")
    return {
        "cpu_ms_row": cpu / rows * 1000,
        "backend_ms_row": None if backend is None or backend_after is None else (backend_after - backend) / rows * 1000,
        "wall": wall,
        "queries": len(queries),
        "counts": (report.created, report.updated, report.unchanged),
        "encoding": report.encoding,
        "warnings": report.grouped_warnings(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", default="mds_import_bench")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    env = bench_env(
        pg_host=args.pg_host, database=args.database, redis_url=args.redis_url,
        WIFI_CREDENTIALS='{"bureau": {"community": "bureau"}}',
    )  # fmt: skip
    os.environ.update(env)
    log(f"==> database {args.database}")
    admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")
    admin_sql(args.pg_host, f"CREATE DATABASE {args.database}")
    results = []
    try:
        for command in (["migrate", "-v", "0"], ["load_mds", "-v", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        import django

        django.setup()
        from sites.models import Site

        slugs = list(Site.objects.order_by("slug").values_list("slug", flat=True))
        first = make_csv(slugs, args.rows, note="Posée par l’installateur")
        changed = make_csv(slugs, args.rows, note="Vérifiée à la recette")
        log(f"==> {args.rows} rows over {len(slugs)} sites, {len(first) / 1e6:.1f} MB")
        for name, data in (("created", first), ("unchanged", first), ("updated", changed)):
            result = one_import(data, args.rows)
            log(f"    {name}: {result['counts']} in {result['wall']:.2f} s, {result['cpu_ms_row']:.3f} ms CPU/row")
            results.append((name, result))
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")

    encoding = results[0][1]["encoding"]
    print(f"\n{args.rows} rows, read as {encoding}; warnings: {results[0][1]['warnings']}\n")
    print("| import | created / updated / unchanged | CPU ms/row (Python) | PostgreSQL CPU ms/row | wall s | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for name, r in results:
        backend = "n/a" if r["backend_ms_row"] is None else f"{r['backend_ms_row']:.3f}"
        counts = " / ".join(str(c) for c in r["counts"])
        print(f"| {name} | {counts} | {r['cpu_ms_row']:.3f} | {backend} | {r['wall']:.2f} | {r['queries']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
