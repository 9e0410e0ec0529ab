"""With nothing but Python (no PostgreSQL, no Redis), the platform runs: SQLite, a file cache, a filesystem broker.

The test suite runs on PostgreSQL; this one starts a child process on a fresh SQLite file, as
`scripts/run` does on a newcomer's machine, and opens the main pages of every app.
"""

import subprocess
import sys

from django.conf import settings

from tests.support import child_env

PAGES = """
import django; django.setup()
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from captive_portal.models import SitePortal
from sites.models import Agent, Site
admin = Agent.objects.create_superuser("admin@example.org", "x" * 16)
assert SitePortal.objects.count() == Site.objects.count() == 29  # load_portal_content gave each a portal
client = Client()
client.force_login(admin, backend="sites.backends.MembershipBackend")
device = TOTPDevice.objects.create(user=admin, name="default", confirmed=True)
session = client.session; session[DEVICE_ID_SESSION_KEY] = device.persistent_id; session.save()
for url in ["/backoffice/", "/backoffice/mds/arles/", "/backoffice/wifi/", "/backoffice/wifi/inventory/",
            "/backoffice/wifi/report/", "/backoffice/portal/", "/backoffice/portal/content/",
            "/backoffice/portal/sites/", "/backoffice/portal/sites/arles/", "/admin/",
            "/portal/arles/?lang=ar", "/portal/api/arles/"]:
    print(url, client.get(url).status_code)
"""


def test_the_platform_runs_on_sqlite_without_any_server(tmp_path):
    env = child_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'newcomer.sqlite3'}", REDIS_URL="", CELERY_BROKER_URL="",
        CELERY_RESULT_BACKEND="", ALLOWED_HOSTS="testserver", ENV_FILE="/dev/null",
    )  # fmt: skip
    run = {"env": env, "cwd": settings.BASE_DIR, "capture_output": True, "text": True, "timeout": 300}
    for command in (["migrate", "--noinput"], ["load_mds"], ["load_portal_content"]):
        result = subprocess.run([sys.executable, "manage.py", *command], **run)
        assert result.returncode == 0, result.stderr
    result = subprocess.run([sys.executable, "-c", PAGES], **run)
    assert result.returncode == 0, result.stderr
    statuses = dict(line.rsplit(" ", 1) for line in result.stdout.split("\n") if line.startswith("/"))
    assert set(statuses.values()) == {"200"}, statuses
