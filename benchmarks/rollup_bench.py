"""Roll-ups, purge and monthly report at 10,000 access points: a day of samples is 14.4 M rows.

    .venv/bin/python benchmarks/rollup_bench.py                  # 10,000 APs, ~15 minutes, ~4 GB of disk
    .venv/bin/python benchmarks/rollup_bench.py --aps 1000 --keep

In a scratch PostgreSQL database (`mds_scale_bench`, dropped at the end unless --keep): one day of samples
(one a minute per AP) 31 days ago, so that the daily purge finds it expired; the hourly roll-up of one of
its hours (SQL, and the former Python loop for comparison, with their figures compared); the day's 24 hours;
a month of hourly roll-ups, the daily roll-ups of that month, the monthly report from each (figures
compared); then the purge of the day, the former way (1,000 ids fetched per batch, a sample of batches) and
by id ranges (the whole day). See benchmarks/README.md, "Roll-ups and purge at 10,000 APs".
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import admin_sql, bench_env, log  # benchmarks/scratch.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILL_HOUR_SQL = """
INSERT INTO wifi_healthsample (access_point_id, taken_at, reachable, degraded, latency_ms, uptime_seconds,
                               clients, error_kind, detail, rebooted, planned)
SELECT ap.id, %(hour)s + m * interval '1 minute', r.ok, false,
       CASE WHEN r.ok THEN 1 + random() * 30 END, CASE WHEN r.ok THEN 100000 + m * 60 END,
       CASE WHEN r.ok THEN (random() * 25)::int END, CASE WHEN r.ok THEN '' ELSE 'timeout' END, '', false, false
FROM generate_series(0, 59) AS m
CROSS JOIN wifi_accesspoint AS ap
CROSS JOIN LATERAL (SELECT random() < 0.97 + 0 * ap.id AS ok) AS r
ORDER BY m, ap.id
"""

FILL_MONTH_ROLLUPS_SQL = """
INSERT INTO wifi_hourlyrollup (access_point_id, hour, samples, reachable_samples, planned_down_samples,
                               clients_avg, clients_max, latency_p50_ms, latency_p95_ms)
SELECT ap.id, h, 60, 57 + (random() * 3)::int, 0, 5.0, 12, 3.0, 20.0
FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 hour', interval '1 hour') AS h
CROSS JOIN wifi_accesspoint AS ap
ON CONFLICT (access_point_id, hour) DO NOTHING
"""


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def python_rollup_hour(hour):
    """The roll-up as it was before it moved into SQL (wifi/services.py, November 2026), for comparison."""
    from wifi.models import HealthSample, HourlyRollup

    def percentile(values, q):
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]

    rows = HealthSample.objects.filter(taken_at__gte=hour, taken_at__lt=hour + datetime.timedelta(hours=1)).values_list(
        "access_point_id", "reachable", "planned", "clients", "latency_ms"
    )
    per_ap: dict[int, list] = {}
    for row in rows:
        per_ap.setdefault(row[0], []).append(row)
    rollups = []
    for ap_id, samples in per_ap.items():
        clients = [s[3] for s in samples if s[3] is not None]
        latencies = sorted(s[4] for s in samples if s[1] and s[4] is not None)
        rollups.append(
            HourlyRollup(
                access_point_id=ap_id, hour=hour, samples=len(samples),
                reachable_samples=sum(1 for s in samples if s[1]),
                planned_down_samples=sum(1 for s in samples if s[2] and not s[1]),
                clients_avg=statistics.fmean(clients) if clients else None,
                clients_max=max(clients) if clients else None,
                latency_p50_ms=percentile(latencies, 0.5), latency_p95_ms=percentile(latencies, 0.95),
            )
        )  # fmt: skip
    return rollups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aps", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=29)
    parser.add_argument("--old-purge-batches", type=int, default=100, help="batches of the former purge timed")
    parser.add_argument("--database", default="mds_scale_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database (drop it yourself)")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    env = bench_env(pg_host=args.pg_host, database=args.database, redis_url=args.redis_url)
    os.environ.update(env)
    log(f"==> database {args.database}")
    admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")
    admin_sql(args.pg_host, f"CREATE DATABASE {args.database}")
    figures: list[tuple[str, str]] = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from django.db import connection, transaction
        from django.utils import timezone

        from sites import retention
        from sites.models import Mds, Site
        from wifi import reports, services
        from wifi.models import AccessPoint, DailyRollup, HealthSample, HourlyRollup, Lifecycle

        tz = timezone.get_default_timezone()
        sites = [
            Site.objects.create(
                mds=Mds.objects.create(number=900 + i, name=f"MDS {i}", slug=f"mds-{i}", commune="X"),
                number=1, name=f"Site {i}", slug=f"site-{i}",
            )
            for i in range(args.sites)
        ]  # fmt: skip
        AccessPoint.objects.bulk_create(
            AccessPoint(site=sites[i % len(sites)], label=f"Borne {i:05d}", serial_number=f"B{i:05d}",
                        management_address="127.0.0.1", lifecycle=Lifecycle.IN_SERVICE)
            for i in range(args.aps)
        )  # fmt: skip

        now = timezone.now()
        day = timezone.localdate(now, tz) - datetime.timedelta(days=31)
        day_start, day_end = reports.day_bounds(day)
        hours = int((day_end - day_start).total_seconds() // 3600)
        log(f"==> {args.aps * 60 * hours:,} samples on {day}")
        fill = time.perf_counter()
        with connection.cursor() as cursor:
            for h in range(hours):
                cursor.execute(FILL_HOUR_SQL, {"hour": day_start + datetime.timedelta(hours=h)})
            cursor.execute("VACUUM ANALYZE wifi_healthsample")
            cursor.execute("SELECT pg_total_relation_size('wifi_healthsample')")
            size = cursor.fetchone()[0]
        samples = HealthSample.objects.count()
        figures.append(("samples of the day (fill time)", f"{samples:,} rows, {size / 2**30:.2f} GiB "
                                                          f"({time.perf_counter() - fill:.0f} s)"))  # fmt: skip

        hour = day_start + datetime.timedelta(hours=10)
        sql_times = [timed(services._rollup_hour, hour)[0] for _ in range(3)]
        figures.append(("hourly roll-up, SQL, one hour (best of 3)", f"{min(sql_times):.2f} s"))
        python_time, python_rows = timed(python_rollup_hour, hour)
        figures.append(("hourly roll-up, former Python loop, one hour (without its write)", f"{python_time:.2f} s"))
        stored = {r.access_point_id: r for r in HourlyRollup.objects.filter(hour=hour)}
        differ = sum(
            1
            for r in python_rows
            if (s := stored[r.access_point_id]) is None
            or (s.samples, s.reachable_samples, s.planned_down_samples, s.clients_max)
            != (r.samples, r.reachable_samples, r.planned_down_samples, r.clients_max)
            or any(
                abs((getattr(s, f) or 0) - (getattr(r, f) or 0)) > 1e-9
                for f in ("clients_avg", "latency_p50_ms", "latency_p95_ms")
            )
        )
        figures.append(("SQL vs Python roll-up: APs whose figures differ", f"{differ} of {len(python_rows)}"))
        day_time, _ = timed(
            lambda: [services._rollup_hour(day_start + datetime.timedelta(hours=h)) for h in range(hours)]
        )
        figures.append((f"hourly roll-up of the day's {hours} hours (SQL)", f"{day_time:.1f} s"))

        month = day.replace(day=1)
        month_start, month_end = reports.month_bounds(month)
        log(f"==> hourly roll-ups of {month:%B %Y}")
        with connection.cursor() as cursor:
            cursor.execute(FILL_MONTH_ROLLUPS_SQL, {"start": month_start, "end": month_end})
            cursor.execute("VACUUM ANALYZE wifi_hourlyrollup")
        rollups = HourlyRollup.objects.filter(hour__gte=month_start, hour__lt=month_end).count()
        figures.append(("hourly roll-ups of the month", f"{rollups:,} rows"))
        everywhere = Site.objects.all()
        hourly_times = [timed(reports.availability_report, sites=everywhere, month=month, now=now) for _ in range(3)]
        from_hourly = reports.report_csv_rows(hourly_times[0][1])
        figures.append(("monthly report from hourly roll-ups (best of 3)", f"{min(t for t, _ in hourly_times):.2f} s"))
        # The month's days, then the next day so that the hourly roll-ups cover the month's last hour.
        with connection.cursor() as cursor:
            cursor.execute(FILL_MONTH_ROLLUPS_SQL, {"start": month_end, "end": month_end + datetime.timedelta(hours=1)})
        daily_time, days = timed(services.daily_rollups_compute, max_days=40)
        figures.append((f"daily roll-ups of the month ({days} days)", f"{daily_time:.1f} s, "
                                                                      f"{daily_time / days:.2f} s a day"))  # fmt: skip
        figures.append(("daily roll-ups of the month", f"{DailyRollup.objects.count():,} rows"))
        daily_times = [timed(reports.availability_report, sites=everywhere, month=month, now=now) for _ in range(3)]
        same = reports.report_csv_rows(daily_times[0][1]) == from_hourly
        figures.append(("monthly report from daily roll-ups (best of 3)", f"{min(t for t, _ in daily_times):.2f} s"))
        figures.append(("report from days identical to report from hours", "yes" if same else "NO"))

        rule = next(r for r in retention.rules() if r.model == "wifi.HealthSample")
        expired = rule.expired(now)
        old_times = []
        for _ in range(args.old_purge_batches):
            start = time.perf_counter()
            ids = list(expired.order_by().values_list("pk", flat=True)[:1000])
            with transaction.atomic():
                HealthSample.objects.filter(pk__in=ids).delete()
            old_times.append(time.perf_counter() - start)
        remaining = expired.count()
        per_batch = statistics.mean(old_times)
        figures.append((f"former purge: {args.old_purge_batches} batches of 1,000 ids",
                        f"{sum(old_times):.1f} s, {per_batch * 1000:.0f} ms a batch → "
                        f"{per_batch * samples / 1000:.0f} s for the day"))  # fmt: skip
        batch_times = []
        real_atomic = transaction.atomic

        def timed_atomic(*a, **kw):  # each batch's transaction, i.e. how long its row locks are held
            class Timer:
                def __enter__(self):
                    self.block = real_atomic(*a, **kw)
                    self.start = time.perf_counter()
                    return self.block.__enter__()

                def __exit__(self, *exc):
                    result = self.block.__exit__(*exc)
                    batch_times.append(time.perf_counter() - self.start)
                    return result

            return Timer()

        retention.transaction.atomic = timed_atomic
        try:
            purge_time, purged = timed(retention.purge_by_id_ranges, rule, now=now)
        finally:
            retention.transaction.atomic = real_atomic
        longest = max(batch_times, default=0)
        figures.append((f"purge by id ranges of the day's remaining {remaining:,} samples",
                        f"{purge_time:.1f} s, {len(batch_times)} batches, longest {longest:.2f} s"))  # fmt: skip
        figures.append(("samples left after the purge", f"{HealthSample.objects.count():,} ({purged:,} purged)"))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(args.pg_host, f"DROP DATABASE IF EXISTS {args.database}")

    print(f"\n{args.aps:,} APs on {args.sites} sites, one sample a minute each.\n")
    print("| measure | figure |")
    print("|---|---|")
    for name, value in figures:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
