"""With PostgreSQL unreachable, pages answer 503 "temporarily unavailable", /healthz says so, the log says it once.

A child process runs the platform against a port where no PostgreSQL listens: a real refused connection,
through psycopg and Django, not a mock.
"""

import json
import subprocess
import sys

from tests.support import child_env

SCRIPT = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client

def report(response):
    return {"status": response.status_code, "retry_after": response.get("Retry-After"),
            "body": response.content.decode()}

agent = Client(raise_request_exception=False)
agent.cookies[settings.SESSION_COOKIE_NAME] = "a-session-the-database-must-be-asked-about"
results = [report(agent.get("/backoffice/")) for _ in range(3)]
results.append(report(Client(raise_request_exception=False).post(
    "/backoffice/login/", {"username": "rec@example.org", "password": "x"})))
results.append(report(Client(raise_request_exception=False).get("/portal/site-inconnu/")))
results.append(report(Client(raise_request_exception=False).get("/healthz")))
results.append(report(Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.9").get("/healthz")))
print("RESULTS " + json.dumps(results))
"""


def _run_without_database():
    env = child_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere", ALLOWED_HOSTS="testserver",
                    LOG_LEVEL="INFO")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULTS "))
    return json.loads(line.removeprefix("RESULTS ")), done.stderr


def test_with_the_database_unreachable_pages_say_the_service_is_temporarily_unavailable():
    """Every page that needs the database answers a French 503 with Retry-After, logged once for the burst."""
    results, log = _run_without_database()
    pages, healthz, public_healthz = results[:-2], results[-2], results[-1]

    for page in pages:
        assert page["status"] == 503, page["body"][:300]
        assert "<h1>Service temporairement indisponible</h1>" in page["body"]
        assert page["retry_after"] == "30"
        assert "OperationalError" not in page["body"] and "Traceback" not in page["body"]
    assert log.count("database unreachable (OperationalError") == 1, log
    assert "Internal Server Error" not in log and "Service Unavailable" not in log

    assert healthz["status"] == 503
    assert json.loads(healthz["body"])["checks"]["database"] == {"ok": False, "detail": "OperationalError"}
    assert public_healthz["status"] == 503
    assert json.loads(public_healthz["body"]) == {"status": "down"}
