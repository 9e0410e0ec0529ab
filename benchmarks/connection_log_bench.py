"""Connection-log benchmark: a year of connections against 10,000 rows, for the searches, the purge, the roll-up.

    .venv/bin/python benchmarks/connection_log_bench.py [--rows 2900000] [--small 10000] [--repeats 5]
                                                        [--keep] [--reuse] [--json out.json]

Builds two throwaway PostgreSQL databases with the project's schema (`manage.py migrate`, `load_mds`: 29 sites)
and fills their connection log with `generate_series`, in PostgreSQL itself: `mds_log_year` gets `--rows`
connections spread over 366 days, `mds_log_small` the same stream at the same density (connections per hour)
cut to `--small` rows. Then a child process runs the project's own code on each — the legal log's search as its
results page runs it (count + first page), the retention purge of the day that has just expired, the hourly
statistics roll-up — and the table gives each timing at one year as a ratio to the 10,000-row one.
Both databases are dropped at the end unless `--keep`; `--reuse` measures kept ones again. See README.md.
"""

import argparse
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
PG = "postgresql://postgres@127.0.0.1:5432/{}"
YEAR_DB, SMALL_DB = "mds_log_year", "mds_log_small"
DAYS = 366  # one year and the day the purge removes
SITES_OPEN = (8, 19)  # connections fall between 8:00 and 19:00 (UTC here: the shape matters, not the zone)
DEVICES_PER_SITE = 3000

# One row per connection, in start order (an append-only log). Device d belongs to one site; its MAC and IP
# derive from d, its hash from d and the month (the monthly key). All ended, 10 min to 2 h after their start.
# The hash chain's columns hold values of the real width (g is unique, so (site, chain_seq) is too); the
# benchmark measures searches, purges and roll-ups, not `verify_connection_log`.
FILL_SQL = """
INSERT INTO captive_portal_connectionrecord
    (site_id, gateway_kind, client_mac, client_ip, started_at, last_seen_at, ended_at, terms_id, language,
     device_hash, client_ip_source, chain_seq, prev_hash, row_hash, end_hash)
SELECT site_ids[1 + site_n], 'opennds',
       '02:' || substr(h, 1, 2) || ':' || substr(h, 3, 2) || ':' || substr(h, 5, 2) || ':' || substr(h, 7, 2)
           || ':' || substr(h, 9, 2),
       ('10.' || (d >> 16 & 255) || '.' || (d >> 8 & 255) || '.' || (d & 255))::inet,
       t, t, least(t + (10 + random() * 110) * interval '1 minute', %(end)s), %(terms)s,
       (ARRAY['fr','fr','fr','fr','fr','fr','en','ar','es','tr'])[1 + (random() * 9)::int],
       encode(sha256((d::text || to_char(t, 'YYYY-MM'))::bytea), 'hex'),
       'gateway', g, encode(sha256(('p' || g)::bytea), 'hex'), encode(sha256(('r' || g)::bytea), 'hex'),
       encode(sha256(('e' || g)::bytea), 'hex')
FROM (
    SELECT g, s.site_n, s.d, lpad(to_hex(s.d), 10, '0') AS h,
           date_trunc('day', %(end)s) - %(span)s + (1 + floor(x)) * interval '1 day'
             + (%(open)s + (x - floor(x)) * %(hours)s) * interval '1 hour' AS t
    FROM generate_series(%(first)s, %(n)s - 1) g, LATERAL (SELECT g::float8 / %(n)s * %(days)s AS x) day,
         LATERAL (SELECT (g %% %(nsites)s)::int AS site_n,
                         ((g %% %(nsites)s) + %(nsites)s * floor(random() * %(devices)s))::bigint AS d) s
) rows, (SELECT array_agg(id ORDER BY id) AS site_ids FROM mds_sites_site) sites
WHERE t <= %(end)s
ORDER BY t
"""


TRIM_SQL = """
DELETE FROM captive_portal_connectionrecord WHERE id IN (
    SELECT id FROM captive_portal_connectionrecord ORDER BY started_at DESC OFFSET %(small)s)
"""


def run(cmd: list[str], env: dict[str, str], timeout: int = 900) -> str:
    out = subprocess.run(cmd, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def project_env(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CACHE_"))}
    env.update(ENV_FILE="/dev/null", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=PG.format(db),
               ALLOWED_HOSTS="localhost", DJANGO_SETTINGS_MODULE="mds_connectees.settings",
               PYTHONPATH=str(PROJECT_DIR))  # fmt: skip
    return env


def admin(sql: str) -> None:
    with psycopg.connect(PG.format("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def drop() -> None:
    for db in (YEAR_DB, SMALL_DB):
        admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def prepare(rows: int, small: int) -> dict:
    """Both databases, filled; returns the end of the generated stream (the `now` of every measure)."""
    drop()
    admin(f"CREATE DATABASE {YEAR_DB}")
    env = project_env(YEAR_DB)
    python = str(PROJECT_DIR / ".venv" / "bin" / "python")
    run([python, "manage.py", "migrate", "--no-input", "-v0"], env)
    run([python, "manage.py", "load_mds", "-v0"], env)
    run([python, "manage.py", "shell", "-c", "from captive_portal.models import TermsVersion; "
         "TermsVersion.objects.create(language='fr', version=1, summary='s', full_text='t')"], env)  # fmt: skip
    admin(f"CREATE DATABASE {SMALL_DB} TEMPLATE {YEAR_DB}")
    with psycopg.connect(PG.format(YEAR_DB)) as conn:
        # The stream ends at 17:40 on the last day of the previous month: an hour with connections to roll
        # up, and a month's worth of devices already seen (the roll-up's largest read).
        end, terms, nsites = conn.execute(
            "SELECT date_trunc('month', now()) - interval '1 day' + interval '17 hours 40 minutes',"
            " (SELECT min(id) FROM captive_portal_termsversion), (SELECT count(*) FROM mds_sites_site)"
        ).fetchone()
    params = {"end": end, "terms": terms, "nsites": nsites, "devices": DEVICES_PER_SITE, "n": rows,
              "span": datetime.timedelta(days=DAYS), "days": DAYS, "open": SITES_OPEN[0],
              "hours": SITES_OPEN[1] - SITES_OPEN[0]}  # fmt: skip
    timings = {}
    for db, first in ((YEAR_DB, 0), (SMALL_DB, max(0, rows - 2 * small))):
        started = time.monotonic()
        with psycopg.connect(PG.format(db)) as conn:
            conn.execute(FILL_SQL, params | {"first": first})
            if db == SMALL_DB:  # the stream's last `small` connections (the end cuts a few: generate more, trim)
                conn.execute(TRIM_SQL, {"small": small})
        with psycopg.connect(PG.format(db), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE captive_portal_connectionrecord")
        timings[db] = round(time.monotonic() - started, 1)
    return {"end": end.isoformat(), "fill_seconds": timings}


# --- Measures, in a child process per database (Django set up on it) ---------------------------------


def _timed(fn, repeats: int) -> dict:
    """Best and median of `repeats` warm runs. The best is the figure compared: on a machine shared with other
    work, a run only ever gets slower than the query's own cost, never faster."""
    fn()  # warm: the figures are those of a server that has run the query before
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {"seconds": min(times), "median": statistics.median(times)}


def measure(end_iso: str, repeats: int) -> dict:
    import django

    django.setup()
    from django.db import connection, transaction

    from captive_portal import legal_log, stats
    from captive_portal.models import ConnectionRecord, PortalStatsHourly
    from sites import retention

    end = datetime.datetime.fromisoformat(end_iso)
    sample = ConnectionRecord.objects.filter(started_at__lt=end - datetime.timedelta(hours=8)).order_by("-started_at")
    probe = sample.values("client_mac", "client_ip", "site_id", "started_at").first()
    day = (end - datetime.timedelta(days=1), end)  # within the 10,000 rows' span too (~30 hours)
    hour = (probe["started_at"] - datetime.timedelta(minutes=30), probe["started_at"] + datetime.timedelta(minutes=30))
    searches = {
        "search MAC, 1 day": legal_log.LogCriteria(*day, mac=probe["client_mac"]),
        "search IP, 1 day": legal_log.LogCriteria(*day, ip=probe["client_ip"]),
        "search site, 1 day": legal_log.LogCriteria(*day, site_id=probe["site_id"]),
        "search time window alone, 1 hour": legal_log.LogCriteria(*hour),
        "search time window alone, 1 day": legal_log.LogCriteria(*day),
    }
    results = {"rows": ConnectionRecord.objects.count()}

    def results_page(criteria):
        # What the results page runs: the Paginator's count, then the first page of 50.
        records = legal_log.connection_records(criteria)
        return records.count(), list(records[:50])

    for name, criteria in searches.items():
        results[name] = _timed(lambda c=criteria: results_page(c), repeats) | {"found": results_page(criteria)[0]}

    def rolled_back(fn):
        def wrapper():
            with transaction.atomic():
                out = fn()
                transaction.set_rollback(True)
            return out

        return wrapper

    # The purge, in full (every rule, the connection log's batches of 1,000), rolled back so that each repeat
    # does it again: of the oldest 5,000 rows (what the 10,000-row log can compare), and of the oldest whole
    # day, at the moment that day has just passed its year (the daily task's real work at one year).
    by_start = ConnectionRecord.objects.order_by("started_at").values_list("started_at", flat=True)
    keep = datetime.timedelta(days=365)

    def purge(at):
        return rolled_back(lambda: retention.purge_expired(now=at)["captive_portal.ConnectionRecord"])

    purge_5000 = purge(by_start[5000] + keep)
    results["purge of the oldest 5,000 rows"] = _timed(purge_5000, repeats) | {"found": purge_5000()}
    first_day = by_start[0].replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    purge_day = purge(first_day + keep)  # the stream's days are whole: its first one is a full day
    results["purge of the oldest day"] = _timed(purge_day, repeats) | {"found": purge_day()}

    # The hourly roll-up in its steady state: every hour before the last finished one already rolled up.
    current_hour = end.replace(minute=0, second=0, microsecond=0)

    def rollup():
        site_id = ConnectionRecord.objects.values_list("site_id", flat=True).first()
        PortalStatsHourly.objects.create(site_id=site_id, hour=current_hour - 2 * stats.HOUR, connections=0,
                                         unique_devices=0, returning_devices=0, languages={})  # fmt: skip
        return stats.stats_rollup(now=end)

    results["hourly roll-up"] = _timed(rolled_back(rollup), repeats) | {"found": rolled_back(rollup)()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
            "WHERE indrelid = 'captive_portal_connectionrecord'::regclass ORDER BY 1"
        )
        results["indexes"] = dict(cursor.fetchall())
        cursor.execute("SELECT pg_total_relation_size('captive_portal_connectionrecord')")
        results["total bytes"] = cursor.fetchone()[0]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_900_000, help="connections in the year (2,900,000)")
    parser.add_argument("--small", type=int, default=10_000, help="connections of the reference (10,000)")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs of each measure (9)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds over both databases (3)")
    parser.add_argument("--keep", action="store_true", help="leave both databases for another run")
    parser.add_argument("--reuse", action="store_true", help="measure the databases a --keep run left")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process: END_ISO
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeats), default=str))
        return
    meta_file = PROJECT_DIR / "var" / "connection_log_bench.json"
    try:
        if args.reuse:
            meta = json.loads(meta_file.read_text())
        else:
            started = time.monotonic()
            meta = prepare(args.rows, args.small)
            meta["prepare_seconds"] = round(time.monotonic() - started, 1)
            meta_file.parent.mkdir(exist_ok=True)
            meta_file.write_text(json.dumps(meta))
            print(f"prepared in {meta['prepare_seconds']} s (fill: {meta['fill_seconds']})", file=sys.stderr)
        # Rounds alternate the two databases, and each measure keeps its best round: load from anything else
        # on the machine drifts over a minute, and would otherwise fall on one side of the ratio only.
        figures = {}
        for _round in range(args.rounds):
            for db in (SMALL_DB, YEAR_DB):
                out = run([sys.executable, __file__, "--measure", meta["end"], "--repeats", str(args.repeats)],
                          project_env(db))  # fmt: skip
                measured = json.loads(out.strip().splitlines()[-1])
                kept = figures.setdefault(db, measured)
                for name, value in measured.items():
                    if isinstance(value, dict) and "seconds" in value and value["seconds"] < kept[name]["seconds"]:
                        kept[name] = value
    finally:
        if not args.keep:
            drop()
    small, year = figures[SMALL_DB], figures[YEAR_DB]
    print(f"| measure | rows found (10 k / year) | {small['rows']:,} rows ms | {year['rows']:,} rows ms | ratio |"
          " (medians ms) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for name, value in small.items():
        if isinstance(value, dict) and "seconds" in value:
            a, b = value, year[name]
            ratio = b["seconds"] / a["seconds"]
            print(f"| {name} | {a['found']} / {b['found']} | {a['seconds'] * 1000:.2f} | {b['seconds'] * 1000:.2f} "
                  f"| {ratio:.2f} | ({a['median'] * 1000:.1f} / {b['median'] * 1000:.1f}) |")  # fmt: skip
    print(f"\nTable and indexes at one year: {year['total bytes'] / 2**20:,.0f} MiB")
    for index, size in year["indexes"].items():
        print(f"- {index}: {size / 2**20:,.1f} MiB")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "figures": figures}, indent=2, default=str))


if __name__ == "__main__":
    main()
