"""With Redis unreachable the back-office's sign-in and error pages still answer; /healthz tells ops, not the public.

(The portal pages without Redis are tested with the portal.) A child process runs against a Redis port where
nothing listens: a real refused connection.
"""

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.support import child_env

pytestmark = pytest.mark.django_db

SCRIPT = """
import django, json
django.setup()
from django.test import Client

def report(response):
    return [response.status_code, response.content.decode()]

print("RESULTS " + json.dumps({
    "login": report(Client().get("/backoffice/login/")),
    "missing": report(Client(raise_request_exception=False).get("/backoffice/nulle-part/")),
    "healthz_ops": report(Client().get("/healthz")),
    "healthz_public": report(Client(REMOTE_ADDR="203.0.113.9").get("/healthz")),
}))
"""


def test_with_redis_unreachable_the_sign_in_page_answers_and_healthz_tells_only_ops():
    database = connection.settings_dict
    env = child_env(
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        REDIS_URL="redis://127.0.0.1:1/0",
        ALLOWED_HOSTS="testserver",
    )
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    results = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULTS "))[8:])

    assert results["login"][0] == 200 and "password" in results["login"][1]
    assert results["missing"][0] == 404 and "<h1>Page introuvable</h1>" in results["missing"][1]
    assert results["healthz_ops"][0] == 503
    checks = json.loads(results["healthz_ops"][1])["checks"]
    assert checks["cache"]["ok"] is False and checks["database"]["ok"] is True
    assert results["healthz_public"][0] == 503
    assert json.loads(results["healthz_public"][1]) == {"status": "down"}
