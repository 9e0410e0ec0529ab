"""What the benchmarks that run the platform on a scratch database share: the environment (production
settings, DEBUG off, a throwaway secret), the SQL run as the postgres superuser to create and drop that
database, and progress lines on stderr (stdout is the benchmark's table)."""

import os
import secrets
import sys


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def admin_sql(host: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(host=host, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(statement)


def bench_env(*, pg_host: str, database: str, redis_url: str, **settings: str) -> dict[str, str]:
    """The process environment plus the platform's settings for `database`; `settings` adds or overrides."""
    return {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"postgres://postgres@{pg_host}:5432/{database}",
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "localhost",
        "DJANGO_SETTINGS_MODULE": "mds_connectees.settings",
        **settings,
    }
