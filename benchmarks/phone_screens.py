"""Full-page screenshots of back-office pages at phone width (390 px), with the 27 MDS loaded.

Not a test: a tool to compare a page before and after a change. Run through scripts/test, which sets up
the test database, the static files and the browser fixtures:

    SCREENS_DIR=/tmp/screens SCREENS_SUFFIX=before scripts/test benchmarks/phone_screens.py -s

It loads the département's MDS (load_mds), 40 access points (some down with an open incident), signs in a
superuser (second factor passed) and saves `<page>-390-<suffix>.png` for each page of PAGES, printing
each page's height in CSS pixels.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

# The browser suite's fixtures (its live server serves the hashed static files, as production does).
from tests.browser.conftest import PHONE, browser, live_server  # noqa: F401

PAGES = {
    "dashboard": "/backoffice/",
    "board": "/backoffice/wifi/",
    "content-editor": "/backoffice/portal/content/new/",
    "report": "/backoffice/wifi/report/",
}

pytestmark = pytest.mark.django_db(transaction=True)


def _data():
    from sites.models import Agent, Site
    from tests.wifi.factories import AccessPointFactory
    from wifi.models import Health, Incident

    call_command("load_mds", verbosity=0)
    now = timezone.now()
    for i, site in enumerate(Site.objects.order_by("pk")[:20]):
        for n in range(2):
            health = Health.DOWN if (i + n) % 9 == 0 else Health.UP
            ap = AccessPointFactory(site=site, label=f"Borne {'accueil' if n == 0 else 'salle d’attente'}",
                                    health=health, health_since=now - datetime.timedelta(minutes=20 + i))  # fmt: skip
            if health == Health.DOWN:
                Incident.objects.create(access_point=ap, started_at=ap.health_since, cause="timeout")
    return Agent.objects.create_superuser("admin@departement.test", "Une phrase de passe assez longue")


def test_phone_screens(browser, live_server, settings):  # noqa: F811
    from tests.conftest import sign_in

    folder = Path(os.environ.get("SCREENS_DIR", "screens"))
    suffix = os.environ.get("SCREENS_SUFFIX", "now")
    folder.mkdir(parents=True, exist_ok=True)
    client = sign_in(Client(), _data())
    context = browser.new_context(locale="fr-FR", **PHONE)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    try:
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            height = page.evaluate("document.documentElement.scrollHeight")
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(folder / f"{name}-390-{suffix}.png"), full_page=True)
            print(f"{name}: {path} height {height} px, width {width} px")
    finally:
        context.close()
