"""Counts the SQL queries each URL costs, with Django's test Client, under the settings of the environment.

Run by http_bench.py in a subprocess (DJANGO_SETTINGS_MODULE and the benchmark's environment already set):

    python benchmarks/count_queries.py /backoffice/login/ /healthz

Each URL is requested twice; the second request is the one counted (the steady state gunicorn serves once
warm), the first is reported too when it differs. Prints one JSON object on the last line.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def measure(client: Client, path: str) -> dict:
    counts, status = [], None
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=True, headers={"host": "127.0.0.1", "x-forwarded-proto": "https"})
        counts.append(len(ctx.captured_queries))
        status = response.status_code
        sql = [q["sql"] for q in ctx.captured_queries]
    body = response.content[:500].decode(errors="replace")
    return {"status": status, "queries": counts[1], "first_queries": counts[0], "sql": sql, "body": body}


def main(paths: list[str]) -> None:
    client = Client()
    print(json.dumps({path: measure(client, path) for path in paths}))


if __name__ == "__main__":
    main(sys.argv[1:])
